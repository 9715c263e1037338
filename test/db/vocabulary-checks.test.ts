import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/auth/tokens.js';
import * as model from '../../src/core/model/index.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';

/**
 * Every SQL CHECK that lists the values of a column must list exactly the values of its TypeScript
 * union in src/core/model (and db/schema.ts types the column with that union): one vocabulary from
 * SQL to tool schema. A new enumerated column without an entry here fails the last test.
 */
const UNIONS: Record<string, readonly string[]> = {
  'leads.status': model.LEAD_STATUSES,
  'leads.documento_tipo': model.DOCUMENT_TYPES,
  'leads.base_legal': model.LEGAL_BASES,
  'lead_telefones.tipo': model.PHONE_TYPES,
  'disparos.canal': model.SEND_CHANNELS,
  'disparos.status': model.DISPARO_STATUSES,
  'disparos.erro_classe': model.ERROR_CLASSES,
  'agendamentos.status': model.AGENDAMENTO_STATUSES,
  'ingest_jobs.tipo': model.SPREADSHEET_FORMATS,
  'ingest_jobs.status': model.INGEST_JOB_STATUSES,
  'dry_run_log.canal_decidido': model.DRY_RUN_CHANNELS,
  'lead_eventos.tipo': model.LEAD_EVENT_TYPES,
  'supressoes.tipo': model.SUPPRESSION_KINDS,
  'supressoes.origem': model.SUPPRESSION_ORIGINS,
  'destinos_confirmados.tipo': model.DESTINATION_KINDS,
  'campanhas.modo': model.CAMPAIGN_MODES,
  'campanhas.status': model.CAMPAIGN_STATUSES,
  'rate_limits.canal': model.SEND_CHANNELS,
  'mensagens_recebidas.canal': model.SEND_CHANNELS,
  'mensagens_recebidas.classe': model.REPLY_CLASSES,
  'mensagens_recebidas.provedor': model.INBOUND_PROVIDERS,
  'mensagens_recebidas.atribuicao': model.ATTRIBUTIONS,
  'eventos_recebidos.provedor': model.INBOUND_PROVIDERS,
  'webhook_endpoints.provedor': model.WEBHOOK_PROVIDERS,
  'disparos.entrega': model.DELIVERY_STATUSES,
  'api_tokens.escopos': SCOPES,
  'ingest_jobs.base_legal': model.LEGAL_BASES,
  'lgpd_solicitacoes.tipo': model.LGPD_REQUEST_TYPES,
  'lgpd_solicitacoes.status': model.LGPD_REQUEST_STATUSES,
  'modelos_aprovados.provedor': model.TEMPLATE_PROVIDERS,
  'modelos_aprovados.categoria': model.TEMPLATE_CATEGORIES,
  'modelos_aprovados.status': model.TEMPLATE_STATUSES,
  'eventos_destinos.tipo': model.EVENT_DESTINATION_KINDS,
  'eventos_entregas.status': model.EVENT_DELIVERY_STATUSES,
  'eventos_tentativas.resultado': model.EVENT_ATTEMPT_RESULTS,
};

/**
 * The enumerated lists in a CHECK's definition, by column. PostgreSQL shows `x IN ('a','b')` as
 * `((x)::text = ANY ((ARRAY['a'::character varying, …])::text[]))` and `x <@ ARRAY[…]` as is.
 */
export function enumeratedLists(def: string): Array<{ column: string; values: string[] }> {
  const out: Array<{ column: string; values: string[] }> = [];
  const re = /\(*(\w+)\)*(?:::text(?:\[\])?)?\s*(?:=\s*ANY|<@)\s*\(*ARRAY\[([^\]]*)\]/g;
  for (const m of def.matchAll(re)) {
    out.push({ column: m[1], values: [...m[2].matchAll(/'((?:[^']|'')*)'/g)].map((v) => v[1].replace(/''/g, "'")) });
  }
  return out;
}

describe(`SQL CHECK lists = TypeScript unions (${testDbKind()})`, () => {
  let db: TestDb;
  let found: Map<string, string[]>;

  beforeAll(async () => {
    db = await openTestDb();
    const { rows } = await sql<{ tabela: string; def: string }>`
      select c.conrelid::regclass::text as tabela, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'c' and n.nspname = 'public'`.execute(db.kysely);
    found = new Map();
    for (const r of rows) {
      for (const { column, values } of enumeratedLists(r.def)) {
        const key = `${r.tabela}.${column}`;
        expect(found.has(key), `${key} is enumerated by two CHECKs`).toBe(false);
        found.set(key, values);
      }
    }
  });
  afterAll(async () => db?.destroy());

  it('parses both forms PostgreSQL prints', () => {
    expect(
      enumeratedLists(
        `CHECK (((status)::text = ANY ((ARRAY['novo'::character varying, 'erro'::character varying])::text[])))`,
      ),
    ).toEqual([{ column: 'status', values: ['novo', 'erro'] }]);
    expect(
      enumeratedLists(`CHECK (((escopos <@ ARRAY['read'::text, 'admin'::text]) AND (cardinality(escopos) > 0)))`),
    ).toEqual([{ column: 'escopos', values: ['read', 'admin'] }]);
  });

  it.each(Object.entries(UNIONS))('%s: the CHECK lists exactly the union', (key, union) => {
    expect(found.get(key), `no enumerated CHECK found for ${key}`).toBeDefined();
    expect([...found.get(key)!].sort()).toEqual([...union].sort());
  });

  it('has a TypeScript union for every enumerated column', () => {
    expect([...found.keys()].filter((k) => !(k in UNIONS)).sort()).toEqual([]);
  });
});
