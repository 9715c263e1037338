import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { transitionLeads } from '../leads/transition.js';
import type { Found } from './personal-data.js';
import { PERSONAL_DATA } from './personal-data.js';

export const REMOVED = '[removido]';
export const ERASED_NAME = '[titular anonimizado]';
const MOTIVO = 'eliminação a pedido do titular (LGPD art. 18, VI)';

/**
 * Anonymises one person (LGPD art. 18 IV/VI) in the caller's tenant transaction: every clear-text name,
 * phone, e-mail and document is deleted or overwritten, free texts about them (messages, replies, raw
 * webhook bodies, meeting titles) are replaced, and free texts that only mention them are redacted.
 * Ids, statuses, dates and counts stay, so job history and campaign counts remain true. The suppression
 * list keeps only HMAC hashes of the identifiers, so a re-import brings the person back suppressed.
 * Returns the rows changed per table (no values: it is logged).
 */
export async function eraseSubject(tx: Tx, tenantId: string, f: Found, actor: string): Promise<Record<string, number>> {
  const n: Record<string, number> = {};
  const run = async (table: string, q: ReturnType<typeof sql>) => {
    const r = await q.execute(tx);
    n[table] = (n[table] ?? 0) + Number(r.numAffectedRows ?? 0);
  };
  const where = (table: string) => sql`tenant_id = ${tenantId} and ${PERSONAL_DATA[table].where(f)}`;
  const red = (col: string) => sql`agente_lgpd_redigir(${sql.ref(col)}, ${f.forms}::text[])`;

  await run('supressoes', sql`delete from supressoes where ${where('supressoes')} and valor not like 'hmac:%'`);
  for (const i of f.identities)
    await run(
      'supressoes',
      sql`insert into supressoes (tenant_id, tipo, valor, motivo, origem, ator)
          values (${tenantId}, ${i.tipo}, ${i.hash}, ${MOTIVO}, 'lgpd', ${actor}) on conflict do nothing`,
    );
  await run('registros_opt_out', sql`delete from registros_opt_out where ${where('registros_opt_out')}`);
  await run('destinos_confirmados', sql`delete from destinos_confirmados where ${where('destinos_confirmados')}`);
  await run(
    'disparos',
    sql`update disparos set destino = ${REMOVED}, conteudo = null, assunto = null, variaveis = '{}'::jsonb,
          resposta_bruta = null, erro = ${red('erro')}, motivo = ${red('motivo')},
          message_id_externo = ${red('message_id_externo')}
        where ${where('disparos')}`,
  );
  await run(
    'dry_run_log',
    sql`update dry_run_log set lead_nome = null, lead_telefone = null, lead_email = null, mensagem_renderizada = null,
          motivo_decisao = ${red('motivo_decisao')}, razao_bloqueio = ${red('razao_bloqueio')}
        where ${where('dry_run_log')}`,
  );
  // Raw bodies first: their match reads mensagens_recebidas as it still is.
  await run(
    'eventos_recebidos',
    sql`update eventos_recebidos set corpo = ${REMOVED}, resumo = null, erro = ${red('erro')},
          chave_entrega = ${red('chave_entrega')}
        where ${where('eventos_recebidos')}`,
  );
  await run(
    'mensagens_recebidas',
    sql`update mensagens_recebidas set remetente = ${REMOVED}, texto = ${REMOVED}, remetente_formas = '{}',
          message_id_externo = ${red('message_id_externo')}
        where ${where('mensagens_recebidas')}`,
  );
  await run(
    'agendamentos',
    sql`update agendamentos set titulo = ${REMOVED}, descricao = null, local = null, erro = ${red('erro')}
        where ${where('agendamentos')}`,
  );
  await run('dividas', sql`update dividas set contrato = null, descricao = null where ${where('dividas')}`);
  await run('ingest_linhas', sql`delete from ingest_linhas where ${where('ingest_linhas')}`);
  await run('ingest_problemas', sql`update ingest_problemas set valor = null where ${where('ingest_problemas')}`);
  await run(
    'ingest_jobs',
    sql`update ingest_jobs set erros_amostra = agente_lgpd_redigir(erros_amostra::text, ${f.forms}::text[])::jsonb
        where ${where('ingest_jobs')}`,
  );
  await run(
    'caixas_entrada',
    sql`update caixas_entrada set ultimo_erro = ${red('ultimo_erro')} where ${where('caixas_entrada')}`,
  );
  await run(
    'lgpd_solicitacoes',
    sql`update lgpd_solicitacoes set nota = ${red('nota')} where ${where('lgpd_solicitacoes')}`,
  );
  await eraseLeads(tx, tenantId, f, actor, run);
  return n;
}

async function eraseLeads(
  tx: Tx,
  tenantId: string,
  f: Found,
  actor: string,
  run: (table: string, q: ReturnType<typeof sql>) => Promise<void>,
): Promise<void> {
  if (!f.leads.length) return;
  // Never contacted again, on any channel: opt_out is terminal (its audit row names no value).
  await transitionLeads(tx, tenantId, f.leads, 'opt_out', { reason: MOTIVO, actor });
  await run(
    'lead_eventos',
    sql`update lead_eventos set motivo = agente_lgpd_redigir(motivo, ${f.forms}::text[]), dados = '{}'::jsonb
        where tenant_id = ${tenantId} and lead_id = any(${f.leads}::uuid[])`,
  );
  await run(
    'lead_telefones',
    sql`delete from lead_telefones where tenant_id = ${tenantId} and lead_id = any(${f.leads}::uuid[])`,
  );
  await run(
    'lead_emails',
    sql`delete from lead_emails where tenant_id = ${tenantId} and lead_id = any(${f.leads}::uuid[])`,
  );
  await run(
    'leads',
    sql`update leads set nome = ${ERASED_NAME}, nome_chave = 'anonimizado:' || lead_id, contato_nome = null,
          documento = null, documento_tipo = null, documento_valido = false, lead_id_externo = null,
          dados_extras = '{}'::jsonb, updated_at = now()
        where tenant_id = ${tenantId} and lead_id = any(${f.leads}::uuid[])`,
  );
}
