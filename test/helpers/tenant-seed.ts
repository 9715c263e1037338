import { plantingFixtures } from './transition-guard.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { withTenant, type Tx } from '../../src/db/tenant.js';

/** The ids of one seeded tenant: one row of its own in every tenant table. */
export interface SeededTenant {
  tenantId: string;
  leadId: string;
  jobId: string;
  campanhaId: string;
  disparoId: string;
  agendamentoId: string;
  tokenId: string;
  mensagemId: string;
  loteId: string;
  phone: string;
  email: string;
  documento: string;
}

type Seeder = (tx: Tx, s: SeededTenant) => Promise<unknown>;
const ins = (tx: Tx, q: ReturnType<typeof sql>) => q.execute(tx);

/**
 * One insert per tenant table, in dependency order. A table with a tenant_id column that is missing
 * here makes test/db/row-level-security.test.ts fail: add its seeder when you add the table.
 */
export const TENANT_TABLE_SEEDERS: Record<string, Seeder> = {
  tenants: async () => {}, // the tenant row itself (ensureTenant)
  leads: (tx, s) =>
    ins(
      tx,
      sql`insert into leads (lead_id, tenant_id, nome, nome_chave, contato_nome, documento, documento_tipo, documento_valido)
    values (${s.leadId}, ${s.tenantId}, 'Empresa Isolada', 'empresa isolada', 'Ana', ${s.documento}, 'cnpj', true)`,
    ),
  lead_telefones: (tx, s) =>
    ins(
      tx,
      sql`insert into lead_telefones (tenant_id, lead_id, numero_original, numero_e164, tipo, valido_para_disparo)
    values (${s.tenantId}, ${s.leadId}, ${s.phone}, ${s.phone}, 'movel', true)`,
    ),
  lead_emails: (tx, s) =>
    ins(
      tx,
      sql`insert into lead_emails (tenant_id, lead_id, email_original, email_normalizado, valido_para_disparo)
    values (${s.tenantId}, ${s.leadId}, ${s.email}, ${s.email}, true)`,
    ),
  dividas: (tx, s) =>
    ins(
      tx,
      sql`insert into dividas (tenant_id, lead_id, valor_centavos, vencimento, contrato) values (${s.tenantId}, ${s.leadId}, 123456, '2026-03-05', 'CT-isolado')`,
    ),
  // Written by the triggers on tenant_politicas and templates_tenant (migration 045); bumped here too.
  tenant_config_versao: (tx, s) =>
    ins(
      tx,
      sql`insert into tenant_config_versao (tenant_id) values (${s.tenantId}) on conflict (tenant_id) do update set versao = tenant_config_versao.versao + 1`,
    ),
  destinos_confirmados: (tx, s) =>
    ins(
      tx,
      sql`insert into destinos_confirmados (tenant_id, tipo, valor, lead_id, motivo, ator) values (${s.tenantId}, 'telefone', ${s.phone}, ${s.leadId}, 'semente', 'teste')`,
    ),
  registros_opt_out: (tx, s) =>
    ins(
      tx,
      sql`insert into registros_opt_out (tenant_id, fonte, numero_e164, vigente_desde, arquivo, ator) values (${s.tenantId}, 'semente', ${s.phone}, '2026-01-01', 'semente.csv', 'teste')`,
    ),
  ingest_jobs: (tx, s) =>
    ins(
      tx,
      sql`insert into ingest_jobs (job_id, tenant_id, tipo, arquivo, status) values (${s.jobId}, ${s.tenantId}, 'csv', 'isolada.csv', 'concluido')`,
    ),
  ingest_problemas: (tx, s) =>
    ins(
      tx,
      sql`insert into ingest_problemas (job_id, tenant_id, linha, motivo) values (${s.jobId}, ${s.tenantId}, 2, 'telefone inválido')`,
    ),
  ingest_linhas: (tx, s) =>
    ins(
      tx,
      sql`insert into ingest_linhas (job_id, tenant_id, seq, linha, nome, nome_chave, timezone)
    values (${s.jobId}, ${s.tenantId}, 1, 2, 'Empresa Isolada', 'empresa isolada', 'America/Sao_Paulo')`,
    ),
  campanhas: (tx, s) =>
    ins(
      tx,
      sql`insert into campanhas (campanha_id, tenant_id, chave, modo, status, template_whatsapp, template_email, alvo)
    values (${s.campanhaId}, ${s.tenantId}, 'isolada', 'real', 'processando', 'cobranca_whatsapp', 'cobranca_email', '{}'::jsonb)`,
    ),
  // Pending but due only in the far future: no executor picks it up during a test.
  disparos: (tx, s) =>
    ins(
      tx,
      sql`insert into disparos (disparo_id, tenant_id, lead_id, campanha_id, canal, destino, template, idempotency_key, status, proxima_tentativa_em)
    values (${s.disparoId}, ${s.tenantId}, ${s.leadId}, ${s.campanhaId}, 'whatsapp', ${s.phone}, 'cobranca_whatsapp', ${`isolada-${s.leadId}`}, 'pendente', '2100-01-01T00:00:00Z')`,
    ),
  agendamentos: (tx, s) =>
    ins(
      tx,
      sql`insert into agendamentos (agendamento_id, tenant_id, lead_id, inicio, fim, timezone, titulo, status)
    values (${s.agendamentoId}, ${s.tenantId}, ${s.leadId}, '2100-01-05T13:00:00Z', '2100-01-05T13:30:00Z', 'America/Sao_Paulo', 'Reunião isolada', 'agendado')`,
    ),
  dry_run_log: (tx, s) =>
    ins(
      tx,
      sql`insert into dry_run_log (tenant_id, lead_id, lead_nome, canal_decidido, lote_id) values (${s.tenantId}, ${s.leadId}, 'Empresa Isolada', 'whatsapp', ${s.loteId})`,
    ),
  lead_eventos: (tx, s) =>
    ins(
      tx,
      sql`insert into lead_eventos (tenant_id, lead_id, tipo, motivo, ator) values (${s.tenantId}, ${s.leadId}, 'nota', 'semente', 'teste')`,
    ),
  supressoes: (tx, s) =>
    ins(
      tx,
      sql`insert into supressoes (tenant_id, tipo, valor, motivo, ator) values (${s.tenantId}, 'email', ${`sup-${s.email}`}, 'semente', 'teste')`,
    ),
  tenant_politicas: (tx, s) =>
    ins(tx, sql`insert into tenant_politicas (tenant_id, remetente) values (${s.tenantId}, 'Remetente Isolado')`),
  modelos_aprovados: (tx, s) =>
    ins(
      tx,
      sql`insert into modelos_aprovados (tenant_id, template_id, provedor, nome, categoria, status, parametros, ator)
    values (${s.tenantId}, 'isolado', 'meta', 'isolado', 'utility', 'approved', '[]', 'teste')`,
    ),
  restricoes_marketing: (tx, s) =>
    ins(
      tx,
      sql`insert into restricoes_marketing (tenant_id, telefone, motivo, desde) values (${s.tenantId}, ${s.phone}, '131050', now())`,
    ),
  templates_tenant: (tx, s) =>
    ins(
      tx,
      sql`insert into templates_tenant (tenant_id, template_id, definicao) values (${s.tenantId}, 'isolado', '{"canal":"email"}'::jsonb)`,
    ),
  rate_limits: (tx, s) =>
    ins(tx, sql`insert into rate_limits (tenant_id, canal, por_segundo) values (${s.tenantId}, 'whatsapp', 7)`),
  mensagens_recebidas: (tx, s) =>
    ins(
      tx,
      sql`insert into mensagens_recebidas (mensagem_id, tenant_id, lead_id, canal, remetente, texto, recebida_em, message_id_externo, classe, confianca)
    values (${s.mensagemId}, ${s.tenantId}, ${s.leadId}, 'whatsapp', ${s.phone}, 'oi', now(), ${`wamid-${s.leadId}`}, 'outro', 0.5)`,
    ),
  api_tokens: (tx, s) =>
    ins(
      tx,
      sql`insert into api_tokens (token_id, tenant_id, prefixo, token_hash, escopos)
    values (${s.tokenId}, ${s.tenantId}, 'ada_isolado', ${randomBytes(32).toString('hex')}, array['read']::text[])`,
    ),
  webhook_endpoints: (tx, s) =>
    ins(
      tx,
      sql`insert into webhook_endpoints (endpoint_id, tenant_id, provedor, segredo)
    values (${`ep_${s.tenantId.replace(/-/g, '')}`}, ${s.tenantId}, 'waha', 'segredo-isolado')`,
    ),
  eventos_recebidos: (tx, s) =>
    ins(
      tx,
      sql`insert into eventos_recebidos (evento_id, tenant_id, provedor, chave_entrega, corpo, recebido_em)
    values (${randomUUID()}, ${s.tenantId}, 'waha', ${`k-${s.tenantId}`}, '{}', now())`,
    ),
  lgpd_chaves: (tx, s) =>
    ins(tx, sql`insert into lgpd_chaves (tenant_id, chave) values (${s.tenantId}, ${'ab'.repeat(32)})`),
  lgpd_solicitacoes: (tx, s) =>
    ins(
      tx,
      sql`insert into lgpd_solicitacoes (tenant_id, tipo, titular_hashes, recebida_em, prazo_em, ator)
    values (${s.tenantId}, 'acesso', ${[`hmac:${s.tenantId}`]}::text[], now(), now() + interval '15 days', 'teste')`,
    ),
  caixas_entrada: (tx, s) =>
    ins(
      tx,
      sql`insert into caixas_entrada (tenant_id, origem, marca) values (${s.tenantId}, 'email:inbound:isolado', '7')`,
    ),
  mcp_sessions: (tx, s) =>
    ins(
      tx,
      sql`insert into mcp_sessions (session_id, tenant_id, owner, created_at, last_used_at)
    values (${randomUUID()}, ${s.tenantId}, ${`token:${s.tokenId}`}, now(), now())`,
    ),
  // The other seeders' inserts write events already (migration 038's triggers); one written directly too
  // (numbered with them at commit: until then they are in eventos_novos).
  eventos_saida: (tx, s) =>
    ins(
      tx,
      sql`insert into eventos_saida (tenant_id, tipo, assunto, dados) values (${s.tenantId}, 'br.com.alquimista.lead.status_changed', ${s.leadId}, '{}')`,
    ),
  // Staged events live only until their transaction's commit (migration 055). One of no transaction (xid 0,
  // so never numbered) stays, to check the table's isolation.
  eventos_novos: (tx, s) =>
    ins(
      tx,
      sql`insert into eventos_novos (xid, tenant_id, tipo, assunto, dados) values (0, ${s.tenantId}, 'br.com.alquimista.lead.status_changed', ${s.leadId}, '{}')`,
    ),
  eventos_contador: (tx, s) =>
    ins(tx, sql`insert into eventos_contador (tenant_id) values (${s.tenantId}) on conflict (tenant_id) do nothing`),
  eventos_destinos: (tx, s) =>
    ins(
      tx,
      sql`insert into eventos_destinos (tenant_id, tipo, url, segredo)
        values (${s.tenantId}, 'webhook', 'https://hooks.example.com/agente', 'whsec_c2VncmVkbw==')`,
    ),
  eventos_entregas: (tx, s) =>
    ins(
      tx,
      sql`insert into eventos_entregas (tenant_id, destino_id, evento_id, seq, assunto)
        select ${s.tenantId}, d.destino_id, e.evento_id, 1, e.assunto
        from eventos_destinos d, eventos_novos e where d.tenant_id = ${s.tenantId} and e.tenant_id = ${s.tenantId} limit 1`,
    ),
  eventos_tentativas: (tx, s) =>
    ins(
      tx,
      sql`insert into eventos_tentativas (tenant_id, destino_id, evento_id, tentativa, http_status, duracao_ms, resultado)
        select ${s.tenantId}, destino_id, evento_id, 1, 500, 3, 'reagendado' from eventos_entregas where tenant_id = ${s.tenantId}`,
    ),
};

/** Seeds one row per tenant table for tenantId (through withTenant, as the app role). */
export async function seedTenant(db: Kysely<Database>, tenantId: string, n: number): Promise<SeededTenant> {
  const s: SeededTenant = {
    tenantId,
    leadId: randomUUID(),
    jobId: randomUUID(),
    campanhaId: randomUUID(),
    disparoId: randomUUID(),
    agendamentoId: randomUUID(),
    tokenId: randomUUID(),
    mensagemId: randomUUID(),
    loteId: randomUUID(),
    phone: `+55119876543${String(n).padStart(2, '0')}`,
    email: `isolada${n}@empresa.com.br`,
    documento: n % 2 ? '11222333000181' : '11444777000161',
  };
  await withTenant(db, tenantId, async (tx) => {
    await plantingFixtures(tx);
    for (const seed of Object.values(TENANT_TABLE_SEEDERS)) await seed(tx, s);
  });
  return s;
}

/** Names of the tables (public schema) that have a tenant_id column. */
export async function tenantTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * Runs fn as the login user (the owner; a superuser in tests), for one transaction: for checking
 * what is really stored, past row-level security.
 */
export function asOwner<T>(db: Kysely<Database>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`set local role none`.execute(tx);
    await plantingFixtures(tx);
    return fn(tx);
  });
}

/** Every row of one tenant in every tenant table, as the owner sees them (for "unchanged" checks). */
export async function tenantSnapshot(
  db: Kysely<Database>,
  tenantId: string,
  tables: string[],
): Promise<Record<string, unknown[]>> {
  return asOwner(db, async (tx) => {
    const out: Record<string, unknown[]> = {};
    for (const t of tables) {
      const { rows } =
        await sql`select to_jsonb(x) as r from ${sql.table(t)} x where tenant_id = ${tenantId} order by to_jsonb(x)::text`.execute(
          tx,
        );
      out[t] = rows;
    }
    return out;
  });
}
