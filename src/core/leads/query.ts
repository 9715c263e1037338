import { sql, type SqlBool } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { localLabel } from '../meetings/time.js';
import { nameKey } from '../normalize/index.js';

export { LEAD_STATUSES, type LeadStatus } from '../model/index.js';
import type { LeadStatus } from '../model/index.js';

export interface LeadFilter {
  status?: LeadStatus[];
  has_whatsapp?: boolean;
  has_email?: boolean;
  text?: string;
  source_job_id?: string;
  cursor?: string;
  limit: number;
}

export interface LeadSummary {
  lead_id: string;
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: string | null;
  documento_valido: boolean;
  status: string;
  timezone: string;
  whatsapp: string | null;
  email: string | null;
  created_at: string;
}

export interface LeadDetail extends LeadSummary {
  base_legal: string;
  lead_id_externo: string | null;
  dados_extras: Record<string, unknown>;
  origem: unknown[];
  telefones: Array<{
    numero_original: string;
    numero_e164: string | null;
    tipo: string;
    valido_para_disparo: boolean;
    motivo_invalido: string | null;
    reparado: boolean;
  }>;
  emails: Array<{
    email_original: string;
    email_normalizado: string | null;
    valido_para_disparo: boolean;
    motivo_invalido: string | null;
  }>;
  historico: Array<{
    tipo: string;
    status_de: string | null;
    status_para: string | null;
    motivo: string;
    ator: string;
    em: string;
  }>;
  /** Its meetings, latest start first (at most MEETINGS_LIMIT). */
  reunioes: Array<{ agendamento_id: string; status: string; inicio: string; rotulo: string }>;
}

const MEETINGS_LIMIT = 20;

interface Cursor {
  t: string;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t === 'string' && /^[0-9a-f-]{36}$/.test(c.id)) return c;
  } catch {
    // fall through
  }
  throw new AppError('invalid_argument', 'cursor is not one this tool returned; omit it to start from the first page.');
}

/** A lead's first WhatsApp-capable mobile / valid e-mail, as columns of a query over `leads l`. */
export const bestPhone = sql<
  string | null
>`(select lt.numero_e164 from lead_telefones lt where lt.lead_id = l.lead_id and lt.valido_para_disparo order by lt.created_at, lt.posicao limit 1)`;
export const bestEmail = sql<
  string | null
>`(select le.email_normalizado from lead_emails le where le.lead_id = l.lead_id and le.valido_para_disparo order by le.created_at, le.posicao limit 1)`;

/** A page of the tenant's leads, newest first, with keyset pagination. */
export async function queryLeads(
  tx: Tx,
  tenantId: string,
  f: LeadFilter,
): Promise<{ leads: LeadSummary[]; next_cursor: string | null }> {
  let q = tx
    .selectFrom('leads as l')
    .select([
      'l.lead_id',
      'l.nome',
      'l.contato_nome',
      'l.documento',
      'l.documento_tipo',
      'l.documento_valido',
      'l.status',
      'l.timezone',
      'l.created_at',
      bestPhone.as('whatsapp'),
      bestEmail.as('email'),
      sql<string>`l.created_at::text`.as('cursor_t'),
    ])
    .where('l.tenant_id', '=', tenantId);
  if (f.status?.length) q = q.where('l.status', 'in', f.status);
  if (f.has_whatsapp !== undefined) {
    const exists = sql<SqlBool>`exists (select 1 from lead_telefones lt where lt.lead_id = l.lead_id and lt.valido_para_disparo)`;
    q = q.where(f.has_whatsapp ? exists : sql<SqlBool>`not ${exists}`);
  }
  if (f.has_email !== undefined) {
    const exists = sql<SqlBool>`exists (select 1 from lead_emails le where le.lead_id = l.lead_id and le.valido_para_disparo)`;
    q = q.where(f.has_email ? exists : sql<SqlBool>`not ${exists}`);
  }
  if (f.text) {
    const key = `%${nameKey(f.text).replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    const digits = f.text.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    q = q.where((eb) =>
      eb.or([
        eb('l.nome_chave', 'like', key),
        sql<SqlBool>`lower(coalesce(l.contato_nome, '')) like ${`%${f.text!.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%`}`,
        ...(digits.length >= 3 ? [eb('l.documento', 'like', `${digits}%`)] : []),
      ]),
    );
  }
  if (f.source_job_id) q = q.where(sql<SqlBool>`l.origem @> ${JSON.stringify([{ job_id: f.source_job_id }])}::jsonb`);
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    q = q.where(sql<SqlBool>`(l.created_at, l.lead_id) < (${c.t}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await q
    .orderBy('l.created_at', 'desc')
    .orderBy('l.lead_id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    leads: page.map(({ cursor_t: _c, ...r }) => ({ ...r, created_at: new Date(r.created_at).toISOString() })),
    next_cursor: rows.length > f.limit && last ? encodeCursor({ t: last.cursor_t, id: last.lead_id }) : null,
  };
}

/** One lead in full: phones, e-mails, origin and state history. */
export async function getLead(tx: Tx, tenantId: string, leadId: string): Promise<LeadDetail | null> {
  const l = await tx
    .selectFrom('leads as l')
    .selectAll('l')
    .select([bestPhone.as('whatsapp'), bestEmail.as('email')])
    .where('l.tenant_id', '=', tenantId)
    .where('l.lead_id', '=', leadId)
    .executeTakeFirst();
  if (!l) return null;
  const [telefones, emails, historico, reunioes] = await Promise.all([
    tx
      .selectFrom('lead_telefones')
      .select(['numero_original', 'numero_e164', 'tipo', 'valido_para_disparo', 'motivo_invalido', 'reparado'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('created_at')
      .orderBy('posicao')
      .execute(),
    tx
      .selectFrom('lead_emails')
      .select(['email_original', 'email_normalizado', 'valido_para_disparo', 'motivo_invalido'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('created_at')
      .orderBy('posicao')
      .execute(),
    tx
      .selectFrom('lead_eventos')
      .select(['tipo', 'status_de', 'status_para', 'motivo', 'ator', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('evento_id')
      .execute(),
    tx
      .selectFrom('agendamentos')
      .select(['agendamento_id', 'status', 'inicio', 'timezone'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('inicio', 'desc')
      .orderBy('agendamento_id', 'desc')
      .limit(MEETINGS_LIMIT)
      .execute(),
  ]);
  return {
    lead_id: l.lead_id,
    nome: l.nome,
    contato_nome: l.contato_nome,
    documento: l.documento,
    documento_tipo: l.documento_tipo,
    documento_valido: l.documento_valido,
    status: l.status,
    timezone: l.timezone,
    whatsapp: l.whatsapp,
    email: l.email,
    created_at: new Date(l.created_at).toISOString(),
    base_legal: l.base_legal,
    lead_id_externo: l.lead_id_externo,
    dados_extras: l.dados_extras as Record<string, unknown>,
    origem: l.origem as unknown[],
    telefones,
    emails,
    historico: [
      ...(historico.some((h) => h.tipo === 'importacao')
        ? []
        : importEntry(l.origem, new Date(l.created_at).toISOString())),
      ...historico.map((h) => ({
        tipo: h.tipo,
        status_de: h.status_de,
        status_para: h.status_para,
        motivo: h.motivo,
        ator: h.ator,
        em: new Date(h.created_at).toISOString(),
      })),
    ],
    reunioes: reunioes.map((r) => {
      const inicio = new Date(r.inicio);
      return {
        agendamento_id: r.agendamento_id,
        status: r.status,
        inicio: inicio.toISOString(),
        rotulo: localLabel(inicio, r.timezone).rotulo,
      };
    }),
  };
}

/**
 * The history entry of the import that created the lead, read from its first origem row: the import is
 * recorded there once rather than as an event row per imported lead (ingest/merge.ts). Leads imported
 * before that have an 'importacao' event instead, and get no second entry.
 */
function importEntry(origem: unknown, createdAt: string): LeadDetail['historico'] {
  const first = Array.isArray(origem) ? (origem[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || typeof first.arquivo !== 'string') return [];
  const aba = typeof first.aba === 'string' ? ` (aba ${first.aba})` : '';
  return [
    {
      tipo: 'importacao',
      status_de: null,
      status_para: 'novo',
      motivo: `importado de ${first.arquivo}${aba}, linha ${String(first.linha)}`,
      ator: `ingest:${String(first.job_id)}`,
      em: typeof first.importado_em === 'string' ? new Date(first.importado_em).toISOString() : createdAt,
    },
  ];
}
