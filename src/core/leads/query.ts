/**
 * Reads of leads that several features share: a lead in full as stored (getLead: pt-BR fields, the
 * internal shape the briefing reads; tools publish it in English through lead-schema.ts) and the
 * SQL fragments for a lead's best phone and e-mail.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { localLabel } from '../time/index.js';

export { LEAD_STATUSES, type LeadStatus } from '../model/index.js';

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
  /** The latest disparo: "canal:entrega" (enviado/entregue/lido/falhou as the provider reported), else its status. */
  ultima_entrega: string | null;
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

/** A lead's first WhatsApp-capable mobile / valid e-mail, as columns of a query over `leads l`. */
export const bestPhone = sql<string | null>`(select lt.numero_e164 from lead_telefones lt
  where lt.lead_id = l.lead_id and lt.valido_para_disparo order by lt.created_at, lt.posicao limit 1)`;
export const bestEmail = sql<string | null>`(select le.email_normalizado from lead_emails le
  where le.lead_id = l.lead_id and le.valido_para_disparo order by le.created_at, le.posicao limit 1)`;
/** The latest disparo's delivery ("email:entregue"), or its status while none was reported ("whatsapp:pendente"). */
export const lastDelivery = sql<string | null>`(select d.canal || ':' || coalesce(d.entrega, d.status) from disparos d
  where d.tenant_id = l.tenant_id and d.lead_id = l.lead_id order by d.created_at desc limit 1)`;

/**
 * One lead in full, as stored (pt-BR fields: the internal shape other features read, e.g. the briefing):
 * phones, e-mails, origin, state history and its latest meetings. Null when the tenant has no such lead.
 */
export async function getLead(tx: Tx, tenantId: string, leadId: string): Promise<LeadDetail | null> {
  const l = await tx
    .selectFrom('leads as l')
    .selectAll('l')
    .select([bestPhone.as('whatsapp'), bestEmail.as('email'), lastDelivery.as('ultima_entrega')])
    .where('l.tenant_id', '=', tenantId)
    .where('l.lead_id', '=', leadId)
    .executeTakeFirst();
  if (!l) return null;
  const [telefones, emails, historico, reunioes] = await Promise.all([
    selectPhones(tx, tenantId, leadId),
    selectEmails(tx, tenantId, leadId),
    selectEvents(tx, tenantId, leadId),
    selectMeetings(tx, tenantId, leadId),
  ]);
  const createdAt = new Date(l.created_at).toISOString();
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
    created_at: createdAt,
    ultima_entrega: l.ultima_entrega,
    base_legal: l.base_legal,
    lead_id_externo: l.lead_id_externo,
    dados_extras: l.dados_extras as Record<string, unknown>,
    origem: l.origem as unknown[],
    telefones,
    emails,
    historico: [
      ...(historico.some((h) => h.tipo === 'importacao') ? [] : importEntry(l.origem, createdAt)),
      ...historico,
    ],
    reunioes: reunioes.map((r) => {
      const inicio = new Date(r.inicio);
      return {
        agendamento_id: r.agendamento_id,
        status: r.status,
        inicio: inicio.toISOString(),
        rotulo: localLabel(inicio, r.timezone).label,
      };
    }),
  };
}

const selectPhones = (tx: Tx, tenantId: string, leadId: string) =>
  tx
    .selectFrom('lead_telefones')
    .select(['numero_original', 'numero_e164', 'tipo', 'valido_para_disparo', 'motivo_invalido', 'reparado'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('created_at')
    .orderBy('posicao')
    .execute();

const selectEmails = (tx: Tx, tenantId: string, leadId: string) =>
  tx
    .selectFrom('lead_emails')
    .select(['email_original', 'email_normalizado', 'valido_para_disparo', 'motivo_invalido'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('created_at')
    .orderBy('posicao')
    .execute();

async function selectEvents(tx: Tx, tenantId: string, leadId: string): Promise<LeadDetail['historico']> {
  const rows = await tx
    .selectFrom('lead_eventos')
    .select(['tipo', 'status_de', 'status_para', 'motivo', 'ator', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('evento_id')
    .execute();
  return rows.map((h) => ({
    tipo: h.tipo,
    status_de: h.status_de,
    status_para: h.status_para,
    motivo: h.motivo,
    ator: h.ator,
    em: new Date(h.created_at).toISOString(),
  }));
}

const selectMeetings = (tx: Tx, tenantId: string, leadId: string) =>
  tx
    .selectFrom('agendamentos')
    .select(['agendamento_id', 'status', 'inicio', 'timezone'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('inicio', 'desc')
    .orderBy('agendamento_id', 'desc')
    .limit(MEETINGS_LIMIT)
    .execute();

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
