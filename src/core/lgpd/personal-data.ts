import { sql, type RawBuilder } from 'kysely';

/**
 * Where personal data lives: every table with a column that can hold a person's name, phone, e-mail,
 * document or free text about them, the columns, and how a person's rows are found. find.ts exports
 * these rows, erase.ts overwrites them. test/db/lgpd-coverage.test.ts fails when a table gets a column
 * that looks personal (nome, telefone, email, documento, destino, conteudo, texto, corpo, …) and is
 * neither listed here nor in NOT_PERSONAL, so an erase stays complete as the schema grows.
 */
export interface Found {
  /** The person's leads. */
  leads: string[];
  /** Values compared for equality: document digits, every E.164 form, e-mails (normalised and as typed). */
  values: string[];
  /** Texts searched for inside free text: the values plus names, digits-only phones, formatted document. */
  forms: string[];
  /** Sheet rows of the person's leads: "job_id:linha" (ingest problems keep those rows' cells). */
  rows: string[];
  /** The person's hashes (requests are stored with them; an erase leaves them on the suppression list). */
  hashes: string[];
  identities: Array<{ tipo: 'documento' | 'telefone' | 'email'; hash: string }>;
}

type Where = (f: Found) => RawBuilder<unknown>;

const byLead: Where = (f) => sql`lead_id = any(${f.leads}::uuid[])`;
const containsForm =
  (col: string): Where =>
  (f) =>
    sql`exists (select 1 from unnest(${f.forms}::text[]) fm where length(fm) >= 4 and strpos(lower(${sql.ref(col)}), lower(fm)) > 0)`;

/** table → the columns holding personal data, and which rows are the person's. */
export const PERSONAL_DATA: Record<string, { columns: string[]; where: Where; order: string }> = {
  leads: {
    columns: ['nome', 'nome_chave', 'contato_nome', 'documento', 'lead_id_externo', 'dados_extras', 'origem'],
    where: byLead,
    order: 'lead_id',
  },
  lead_telefones: { columns: ['numero_original', 'numero_e164', 'wa_id'], where: byLead, order: 'telefone_id' },
  lead_emails: { columns: ['email_original', 'email_normalizado'], where: byLead, order: 'email_id' },
  dividas: { columns: ['contrato', 'descricao'], where: byLead, order: 'divida_id' },
  destinos_confirmados: {
    columns: ['valor', 'motivo'],
    where: (f) => sql`(lead_id = any(${f.leads}::uuid[]) or valor = any(${f.values}::text[]))`,
    order: 'valor',
  },
  disparos: {
    columns: ['destino', 'conteudo', 'assunto', 'variaveis', 'resposta_bruta', 'erro', 'motivo'],
    where: (f) => sql`(lead_id = any(${f.leads}::uuid[]) or destino = any(${f.values}::text[]))`,
    order: 'disparo_id',
  },
  dry_run_log: {
    columns: ['lead_nome', 'lead_telefone', 'lead_email', 'mensagem_renderizada', 'motivo_decisao', 'razao_bloqueio'],
    where: (f) =>
      sql`(lead_id = any(${f.leads}::uuid[]) or lead_telefone = any(${f.values}::text[]) or lead_email = any(${f.values}::text[]))`,
    order: 'log_id',
  },
  mensagens_recebidas: {
    columns: ['remetente', 'texto', 'remetente_formas'],
    where: (f) =>
      sql`(lead_id = any(${f.leads}::uuid[]) or leads_candidatos && ${f.leads}::uuid[]
           or remetente = any(${f.values}::text[]) or remetente_formas && ${f.values}::text[])`,
    order: 'mensagem_id',
  },
  eventos_recebidos: {
    columns: ['corpo', 'resumo', 'erro'],
    where: (f) =>
      sql`(evento_id in (select m.evento_id from mensagens_recebidas m where m.evento_id is not null and
             (m.lead_id = any(${f.leads}::uuid[]) or m.leads_candidatos && ${f.leads}::uuid[]
              or m.remetente = any(${f.values}::text[])))
           or ${containsForm('corpo')(f)})`,
    order: 'evento_id',
  },
  agendamentos: { columns: ['titulo', 'descricao', 'local', 'erro'], where: byLead, order: 'agendamento_id' },
  lead_eventos: { columns: ['motivo', 'dados'], where: byLead, order: 'evento_id' },
  supressoes: {
    columns: ['valor', 'motivo'],
    where: (f) =>
      sql`(lead_id = any(${f.leads}::uuid[]) or valor = any(${f.values}::text[]) or valor = any(${f.hashes}::text[]))`,
    order: 'supressao_id',
  },
  ingest_problemas: {
    columns: ['valor'],
    where: (f) => sql`((job_id::text || ':' || linha) = any(${f.rows}::text[]) or valor = any(${f.forms}::text[]))`,
    order: 'problema_id',
  },
  ingest_jobs: {
    columns: ['erros_amostra'],
    where: (f) => sql`job_id::text = any(${[...new Set(f.rows.map((r) => r.split(':')[0]))]}::text[])`,
    order: 'job_id',
  },
  // Import scratch rows (010), deleted once merged; a crashed import can leave some behind.
  ingest_linhas: {
    columns: [
      'nome',
      'nome_chave',
      'contato_nome',
      'documento',
      'lead_id_externo',
      'dados_extras',
      'telefones',
      'emails',
    ],
    where: (f) => sql`(lead_id = any(${f.leads}::uuid[]) or (job_id::text || ':' || linha) = any(${f.rows}::text[]))`,
    order: 'seq',
  },
  // Inbox polling marks (031): the last error of a poll may quote what the downstream server said.
  caixas_entrada: { columns: ['ultimo_erro'], where: (f) => containsForm('ultimo_erro')(f), order: 'origem' },
  // Opt-out registries (035): the person's number as a registry lists it. The erase deletes it — the
  // hashes the erase leaves on the suppression list block every channel, more than the registry did.
  registros_opt_out: {
    columns: ['numero_e164'],
    where: (f) => sql`numero_e164 = any(${f.values}::text[])`,
    order: 'numero_e164',
  },
  // Phones whose person stopped marketing messages (039, WhatsApp 131050).
  restricoes_marketing: {
    columns: ['telefone', 'motivo'],
    where: (f) => sql`telefone = any(${f.values}::text[])`,
    order: 'telefone',
  },
  lgpd_solicitacoes: {
    columns: ['titular_hashes', 'nota'],
    where: (f) => sql`titular_hashes && ${f.hashes}::text[]`,
    order: 'solicitacao_id',
  },
};

/**
 * Columns that look personal by name but hold none: "table.column" → why. Adding a column here is a
 * statement that it never holds a person's data; the coverage test makes it a conscious one.
 */
export const NOT_PERSONAL: Record<string, string> = {
  'tenants.nome': "the tenant's (the operator's) own name",
  'api_tokens.nome': 'a label the operator gives a token',
  'tenant_politicas.remetente': "the operator's sender name",
  'tenant_politicas.credor': "the creditor (the operator's company)",
  'templates_tenant.definicao': 'template text with {{variables}}, no values',
  'modelos_aprovados.nome': "a template's approved name at Meta",
  'modelos_aprovados.content_sid': "a template's Content SID at Twilio (HX…)",
  'modelos_aprovados.motivo': 'why an approval changed (a provider code), no person',
  'campanhas.alvo': 'a filter (status, ids, limits), no contact values',
  'campanhas.resumo': 'counts per block code',
  'campanhas.erro': 'an error of the campaign, not of a person',
  'ingest_jobs.arquivo': "the file's name as the operator gave it",
  'ingest_jobs.erro': 'a failure of the whole import (file unreadable, cancelled)',
  'ingest_problemas.motivo': 'a fixed pt-BR reason ("telefone inválido"), no value',
  'lead_telefones.motivo_invalido': 'a fixed reason code',
  'lead_emails.motivo_invalido': 'a fixed reason code',
  'dry_run_log.template_selecionado': 'a template id',
  'disparos.template': 'a template id',
  'leads.documento_tipo': "'cpf' or 'cnpj'",
  'ingest_linhas.documento_tipo': "'cpf' or 'cnpj'",
  'supressoes.origem': 'where an entry came from (manual, opt_out, lgpd, …)',
  'campanhas.template_whatsapp': 'a template id',
  'campanhas.template_email': 'a template id',
  'disparos.erro_classe': 'an error class code',
  'schema_migrations.nome': "a migration file's name",
  'eventos_recebidos.content_type': 'a MIME type',
  'registros_opt_out.arquivo': "the registry file's name",
  'caixas_entrada.origem': "a polled operation's name (channel:operation:server)",
  'webhook_endpoints.segredo': "a provider's signing secret",
  'mcp_sessions.owner': 'a token id or OAuth subject of the operator',
  'eventos_destinos.desativado_motivo': 'why an endpoint was disabled (410, a refused address), no person',
  'eventos_entregas.ultimo_erro': 'a delivery error (HTTP status, error class), no person',
  'eventos_tentativas.erro': 'a delivery error (HTTP status, error class), no person',
  'eventos_saida.dados':
    'ids, statuses, channels and codes of an outgoing event, never a contact value (migration 038)',
  'eventos_novos.dados': "eventos_saida.dados of an event until its transaction's commit (migration 055)",
};
