import { z } from 'zod';
import { ACTIVE_STATUSES } from '../app/meetings.js';
import { notFound } from '../core/errors.js';
import { getLead, LEAD_STATUSES, queryLeads, type LeadSummary } from '../core/leads/query.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

const LeadSummarySchema = z.object({
  lead_id: z.string(),
  nome: z.string(),
  contato_nome: z.string().nullable(),
  documento: z.string().nullable(),
  documento_tipo: z.string().nullable(),
  documento_valido: z.boolean(),
  status: z.string(),
  timezone: z.string(),
  whatsapp: z.string().nullable(),
  email: z.string().nullable(),
  created_at: z.string(),
});

const LeadDetailSchema = LeadSummarySchema.extend({
  base_legal: z.string(),
  lead_id_externo: z.string().nullable(),
  dados_extras: z.record(z.string(), z.unknown()),
  origem: z.array(z.unknown()).describe('Source rows (file, sheet, row, job, date)'),
  telefones: z.array(
    z.object({
      numero_original: z.string(),
      numero_e164: z.string().nullable(),
      tipo: z.string(),
      valido_para_disparo: z.boolean(),
      motivo_invalido: z.string().nullable(),
      reparado: z.boolean(),
    }),
  ),
  emails: z.array(
    z.object({
      email_original: z.string(),
      email_normalizado: z.string().nullable(),
      valido_para_disparo: z.boolean(),
      motivo_invalido: z.string().nullable(),
    }),
  ),
  historico: z.array(
    z.object({
      tipo: z.string(),
      status_de: z.string().nullable(),
      status_para: z.string().nullable(),
      motivo: z.string(),
      ator: z.string(),
      em: z.string(),
    }),
  ),
});

export const queryLeadsTool = defineTool({
  name: 'query_leads',
  title: 'Find leads',
  description:
    'Leads newest first, ≤100 a page (pass next_cursor back), by status, WhatsApp/e-mail, text or import job. ' +
    'With lead_id: one lead in full (phones, e-mails, origin, history; meetings in the text and in lead://{id}).',
  toolset: 'leads',
  access: 'read',
  input: {
    lead_id: uuid().optional().describe('One lead in full; other filters ignored'),
    status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(),
    has_whatsapp: z.boolean().optional(),
    has_email: z.boolean().optional(),
    text: z.string().min(1).max(200).optional().describe('Part of name, contact or document'),
    source_job_id: uuid().optional().describe('Imported by this job'),
    cursor: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(100).default(20),
  },
  output: {
    leads: z.array(LeadSummarySchema),
    next_cursor: z.string().nullable(),
    lead: LeadDetailSchema.nullable(),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const tenantId = deps.tenant.tenant_id;
    return withTenant(deps.db.kysely, tenantId, async (tx) => {
      if (args.lead_id) {
        const found = await getLead(tx, tenantId, args.lead_id);
        if (!found) throw notFound('Lead', args.lead_id);
        // Meetings go in the text (count and the next one) and in lead://{id}: in this output schema they
        // would take query_leads over its 4 KB share of tools/list.
        const { reunioes: _meetings, ...lead } = found;
        return {
          data: { leads: [], next_cursor: null, lead },
          text:
            line(lead) +
            ` — ${lead.telefones.length} phone(s), ${lead.emails.length} e-mail(s), ${lead.historico.length} event(s)${meetingsText(found, deps.clock.now())}`,
        };
      }
      const page = await queryLeads(tx, tenantId, args);
      const more = page.next_cursor ? '\n(more: pass next_cursor)' : '';
      return {
        data: { ...page, lead: null },
        text: page.leads.length ? page.leads.map(line).join('\n') + more : 'No leads match.',
      };
    });
  },
});

function line(l: LeadSummary): string {
  return `${l.lead_id} ${l.nome}${l.contato_nome ? ` (${l.contato_nome})` : ''} [${l.status}] whatsapp=${l.whatsapp ?? '-'} email=${l.email ?? '-'}`;
}

/** ", next meeting terça, 01/12 às 10:00 (horário de Manaus) (agendado)" — the soonest one not over, else the count. */
function meetingsText(
  lead: { reunioes: Array<{ status: string; inicio: string; rotulo: string }> },
  now: Date,
): string {
  if (!lead.reunioes.length) return '';
  const next = lead.reunioes
    .filter((r) => (ACTIVE_STATUSES as readonly string[]).includes(r.status) && Date.parse(r.inicio) > now.getTime())
    .at(-1);
  return `, ${lead.reunioes.length} meeting(s)${next ? `, next ${next.rotulo} (${next.status})` : ''}`;
}
