import type { ColumnType, Generated } from 'kysely';
import type {
  AgendamentoStatus,
  Attribution,
  DeliveryStatus,
  InboundProvider,
  WebhookProvider,
  CampaignMode,
  CampaignStatus,
  DisparoStatus,
  DocumentType,
  DryRunChannel,
  ErrorClass,
  IngestJobStatus,
  LeadEventType,
  LeadStatus,
  LegalBasis,
  DestinationKind,
  PhoneType,
  ReplyClass,
  SendChannel,
  SpreadsheetFormat,
  SuppressionKind,
  SuppressionOrigin,
} from '../core/model/index.js';

/** Kysely's view of the tables. Column names are the seed's (pt-BR), one term per concept. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, T | string | undefined, T | string>;

export interface TenantsTable {
  tenant_id: Generated<string>;
  slug: string;
  nome: string;
  created_at: Generated<Date>;
}

/** A 2025-11-25 MCP session over HTTP, shared by the replicas (migration 030, src/http/sessions.ts). */
/** The outbox of CloudEvents (migration 038): written by triggers, seq assigned at commit. */
export interface EventosSaidaTable {
  id: Generated<string>;
  evento_id: Generated<string>;
  tenant_id: string;
  seq: string | null;
  tipo: string;
  assunto: string;
  dados: Generated<Record<string, unknown>>;
  ocorrido_em: Generated<Timestamp>;
}

export interface EventosContadorTable {
  tenant_id: string;
  ultimo: Generated<string>;
}

export interface McpSessionsTable {
  session_id: string;
  tenant_id: string;
  owner: string;
  created_at: Timestamp;
  last_used_at: Timestamp;
}

export interface ApiTokensTable {
  token_id: Generated<string>;
  tenant_id: string;
  nome: string | null;
  prefixo: string;
  token_hash: string;
  escopos: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface LeadsTable {
  lead_id: Generated<string>;
  tenant_id: string;
  nome: string;
  nome_chave: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: DocumentType | null;
  documento_valido: Generated<boolean>;
  status: Generated<LeadStatus>;
  timezone: Generated<string>;
  origem: Json<unknown[]>;
  base_legal: Generated<LegalBasis>;
  /** The sheet's UF (migration 034); null: the first valid phone's DDD says. */
  uf: string | null;
  lead_id_externo: string | null;
  dados_extras: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A debt of a lead (migration 025): what a collection message is about. */
export interface DividasTable {
  divida_id: Generated<string>;
  tenant_id: string;
  lead_id: string;
  /** bigint: a string from pg, a number from PGlite — cast in SQL (::int8::float8 or ::text) when read. */
  valor_centavos: number | string | null;
  vencimento: string | Date | null;
  contrato: string | null;
  descricao: string | null;
  job_id: string | null;
  linha: number | null;
  created_at: Generated<Date>;
}

/** Who a shared destination belongs to (migration 027). */
export interface DestinosConfirmadosTable {
  tenant_id: string;
  tipo: DestinationKind;
  valor: string;
  lead_id: string;
  motivo: string;
  ator: string;
  created_at: Generated<Date>;
}

/** A phone an opt-out registry lists, in force from vigente_desde (migration 035). */
export interface RegistrosOptOutTable {
  tenant_id: string;
  fonte: string;
  numero_e164: string;
  vigente_desde: string | Date;
  arquivo: string;
  ator: string;
  importado_em: Generated<Date>;
}

export interface LeadTelefonesTable {
  telefone_id: Generated<string>;
  tenant_id: string;
  lead_id: string;
  numero_original: string;
  numero_e164: string | null;
  tipo: PhoneType;
  valido_para_disparo: Generated<boolean>;
  motivo_invalido: string | null;
  reparado: Generated<boolean>;
  wa_id: string | null;
  posicao: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LeadEmailsTable {
  email_id: Generated<string>;
  tenant_id: string;
  lead_id: string;
  email_original: string;
  email_normalizado: string | null;
  valido_para_disparo: Generated<boolean>;
  motivo_invalido: string | null;
  posicao: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface IngestJobsTable {
  job_id: Generated<string>;
  tenant_id: string;
  tipo: SpreadsheetFormat;
  arquivo: string;
  source_label: string | null;
  status: Generated<IngestJobStatus>;
  validate_only: Generated<boolean>;
  bytes_total: number | null;
  bytes_lidos: Generated<number>;
  linhas_lidas: Generated<number>;
  leads_criados: Generated<number>;
  leads_atualizados: Generated<number>;
  duplicados: Generated<number>;
  linhas_invalidas: Generated<number>;
  linhas_sem_canal: Generated<number>;
  telefones_validos: Generated<number>;
  telefones_invalidos: Generated<number>;
  emails_validos: Generated<number>;
  emails_invalidos: Generated<number>;
  problemas_total: Generated<number>;
  erros_amostra: Json<unknown[]>;
  erro: string | null;
  /** LGPD art. 7 basis of the import (migration 036); null: not given or older than it. */
  base_legal: ColumnType<LegalBasis | null, LegalBasis | null | undefined, LegalBasis | null>;
  base_legal_informada: Generated<boolean>;
  iniciado_em: Timestamp | null;
  concluido_em: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DryRunLogTable {
  log_id: Generated<string>;
  tenant_id: string;
  lead_id: string | null;
  lead_nome: string | null;
  lead_telefone: string | null;
  lead_email: string | null;
  canal_decidido: DryRunChannel | null;
  motivo_decisao: string | null;
  template_selecionado: string | null;
  disparo_seria_executado: boolean | null;
  razao_bloqueio: string | null;
  created_at: Generated<Date>;
  lote_id: string | null;
  codigo_bloqueio: string | null;
  disparo_previsto_para: Timestamp | null;
  mensagem_renderizada: string | null;
}

export interface IngestProblemasTable {
  problema_id: Generated<number>;
  job_id: string;
  tenant_id: string;
  linha: number;
  aba: string | null;
  coluna: string | null;
  valor: string | null;
  motivo: string;
}

export interface LeadEventosTable {
  evento_id: Generated<number>;
  tenant_id: string;
  lead_id: string;
  tipo: LeadEventType;
  status_de: LeadStatus | null;
  status_para: LeadStatus | null;
  motivo: string;
  ator: string;
  dados: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface SupressoesTable {
  supressao_id: Generated<string>;
  tenant_id: string;
  tipo: SuppressionKind;
  valor: string;
  motivo: string;
  origem: Generated<SuppressionOrigin>;
  lead_id: string | null;
  ator: string;
  created_at: Generated<Date>;
}

export interface TenantPoliticasTable {
  tenant_id: string;
  remetente: string | null;
  janela_envio: Json<unknown> | null;
  max_mensagens_lead_24h: Generated<number>;
  /** The creditor collection messages name (migration 026): {razao_social, cnpj, endereco, contato}. */
  credor: Json<Record<string, string>> | null;
  prescricao_anos: Generated<number>;
  updated_at: Generated<Date>;
}

export interface TemplatesTenantTable {
  tenant_id: string;
  template_id: string;
  definicao: Json<Record<string, unknown>>;
  updated_at: Generated<Date>;
}

/** Migration 039: a template's identity as a WhatsApp provider approved it (core/templates/approved.ts). */
export interface ModelosAprovadosTable {
  tenant_id: string;
  template_id: string;
  provedor: 'meta' | 'twilio';
  nome: string | null;
  idioma: Generated<string>;
  categoria: 'utility' | 'marketing' | 'authentication';
  status: 'approved' | 'paused' | 'rejected' | 'disabled';
  parametros: Json<string[]>;
  content_sid: string | null;
  motivo: string | null;
  ator: string;
  updated_at: Generated<Date>;
}

/** Migration 039: phones whose person stopped marketing messages (131050). */
export interface RestricoesMarketingTable {
  tenant_id: string;
  telefone: string;
  motivo: string;
  desde: Date;
}

export interface DisparosTable {
  disparo_id: Generated<string>;
  tenant_id: string;
  lead_id: string;
  campanha_id: string | null;
  canal: SendChannel;
  destino: string;
  template: string;
  variaveis: Json<Record<string, unknown>>;
  conteudo: string | null;
  assunto: string | null;
  idempotency_key: string;
  status: Generated<DisparoStatus>;
  tentativas: Generated<number>;
  max_tentativas: Generated<number>;
  proxima_tentativa_em: Generated<Date>;
  motivo: string | null;
  erro: string | null;
  erro_classe: ErrorClass | null;
  /** An attempt's outcome was unknown (migration 018): never ends 'falhou', but 'incerto'. */
  talvez_entregue: Generated<boolean>;
  message_id_externo: string | null;
  resposta_bruta: Json<unknown> | null;
  claimed_by: string | null;
  lease_until: Timestamp | null;
  enviado_em: Timestamp | null;
  /** A meeting confirmation or reminder (migration 015). */
  agendamento_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** What the provider reported after accepting it (migration 021). */
  entrega: ColumnType<DeliveryStatus | null, DeliveryStatus | null | undefined, DeliveryStatus | null>;
  entrega_codigo: ColumnType<string | null, string | null | undefined, string | null>;
  entrega_enviado_em: ColumnType<Date | null, Date | null | undefined, Date | null>;
  entregue_em: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lido_em: ColumnType<Date | null, Date | null | undefined, Date | null>;
  entrega_falhou_em: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AgendamentosTable {
  agendamento_id: Generated<string>;
  tenant_id: string;
  lead_id: string;
  inicio: Timestamp;
  fim: Timestamp;
  timezone: string;
  titulo: string;
  descricao: string | null;
  local: string | null;
  organizador: string | null;
  status: Generated<AgendamentoStatus>;
  evento_id_externo: string | null;
  erro: string | null;
  lembrete_enviado_em: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CampanhasTable {
  campanha_id: Generated<string>;
  tenant_id: string;
  chave: string;
  modo: CampaignMode;
  status: Generated<CampaignStatus>;
  template_whatsapp: string;
  template_email: string;
  alvo: Json<Record<string, unknown>>;
  total: Generated<number>;
  resumo: Json<Record<string, unknown>>;
  dry_run_lote_id: string | null;
  erro: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  concluida_em: Timestamp | null;
  /** The campaign's own pace, messages per second (migration 041); null: its channel's. */
  ritmo_por_segundo: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RateLimitsTable {
  tenant_id: string;
  canal: SendChannel;
  por_segundo: ColumnType<number | null, number | null | undefined, number | null>;
  max_destinatarios_24h: Generated<number>;
  tat: Generated<Date>;
  /** Our pair rate: the least time between two messages to one recipient (migration 041). */
  par_intervalo_ms: Generated<number>;
}

export interface MensagensRecebidasTable {
  mensagem_id: Generated<string>;
  tenant_id: string;
  lead_id: string | null;
  canal: SendChannel;
  remetente: string;
  texto: string;
  recebida_em: Timestamp;
  message_id_externo: string;
  classe: ReplyClass;
  confianca: number;
  created_at: Generated<Date>;
  /** The return path (migration 021). */
  provedor: Generated<InboundProvider>;
  evento_id: string | null;
  remetente_formas: Generated<string[]>;
  responde_a: string | null;
  disparo_id: string | null;
  atribuicao: Generated<Attribution>;
  leads_candidatos: Generated<string[]>;
  respondida_em: Timestamp | null;
}

export interface WebhookEndpointsTable {
  endpoint_id: string;
  tenant_id: string;
  provedor: WebhookProvider;
  segredo: string;
  verify_token: string | null;
  url_publica: string | null;
  ativo: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface EventosRecebidosTable {
  evento_id: string;
  tenant_id: string;
  provedor: InboundProvider;
  endpoint_id: string | null;
  chave_entrega: string;
  content_type: string | null;
  corpo: string;
  recebido_em: Timestamp;
  processado_em: Timestamp | null;
  tentativas: Generated<number>;
  erro: string | null;
  resumo: Json<Record<string, unknown>> | null;
}

/** Where each polled inbox operation of a tenant resumes (migration 031). */
export interface CaixasEntradaTable {
  tenant_id: string;
  origem: string;
  marca: string | null;
  ultima_leitura: Timestamp | null;
  ultimo_erro: string | null;
  lidas: Generated<string | number>;
  atualizado_em: Generated<Date>;
}

export interface SchemaMigrationsTable {
  nome: string;
  checksum: string;
  applied_at: Generated<Date>;
}

/** Tables are added here as the migrations that create them land. */
export interface Database {
  tenants: TenantsTable;
  api_tokens: ApiTokensTable;
  leads: LeadsTable;
  lead_telefones: LeadTelefonesTable;
  lead_emails: LeadEmailsTable;
  dividas: DividasTable;
  destinos_confirmados: DestinosConfirmadosTable;
  registros_opt_out: RegistrosOptOutTable;
  ingest_jobs: IngestJobsTable;
  dry_run_log: DryRunLogTable;
  ingest_problemas: IngestProblemasTable;
  lead_eventos: LeadEventosTable;
  supressoes: SupressoesTable;
  tenant_politicas: TenantPoliticasTable;
  templates_tenant: TemplatesTenantTable;
  modelos_aprovados: ModelosAprovadosTable;
  restricoes_marketing: RestricoesMarketingTable;
  disparos: DisparosTable;
  agendamentos: AgendamentosTable;
  campanhas: CampanhasTable;
  rate_limits: RateLimitsTable;
  mensagens_recebidas: MensagensRecebidasTable;
  webhook_endpoints: WebhookEndpointsTable;
  eventos_recebidos: EventosRecebidosTable;
  caixas_entrada: CaixasEntradaTable;
  schema_migrations: SchemaMigrationsTable;
  mcp_sessions: McpSessionsTable;
  eventos_saida: EventosSaidaTable;
  eventos_contador: EventosContadorTable;
}
