import { AGENDAMENTO_ACTIVE } from '../core/model/index.js';
import { LeadDetailSchema, splitLead, type LeadOut, type LeadSummaryOut } from '../core/leads/lead-schema.js';
import { queryLeads, queryLeadsInput, queryLeadsOutput } from '../core/leads/query-leads.js';
import { readLead, readLeadInput, type readLeadOutput } from '../core/leads/read-lead.js';
import type { Infer } from '../core/schemas.js';
import { defineTool } from './define-tool.js';

/** Two use cases behind one tool: a page of leads (queryLeads), or one lead in full (readLead). */
export const queryLeadsTool = defineTool({
  name: 'query_leads',
  title: 'Find leads',
  description:
    'Leads newest first, ≤100 a page (pass next_cursor back), by status, WhatsApp/e-mail, text or import job. ' +
    'With lead_id: one lead in full (phones, e-mails, origin, history; meetings in the text and in lead://{id}).',
  toolset: 'leads',
  access: 'read',
  input: {
    lead_id: readLeadInput.lead_id.optional().describe('One lead in full; other filters ignored'),
    ...queryLeadsInput,
  },
  output: {
    ...queryLeadsOutput,
    lead: LeadDetailSchema.nullable().describe('With lead_id: the rest of the lead (its summary is leads[0])'),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async ({ lead_id, ...filter }, { scope }) => {
    if (lead_id) {
      // Meetings go in the text (count and the next one) and in lead://{id}: in this output schema they
      // would take query_leads over its 4 KB share of tools/list.
      const { lead, agendamentos } = await readLead(scope, { lead_id });
      const { summary, detail } = splitLead(lead);
      return {
        data: { leads: [summary], next_cursor: null, lead: detail },
        text: leadText(lead, agendamentos, scope.clock.now()),
      };
    }
    const page = await queryLeads(scope, filter);
    const more = page.next_cursor ? '\n(more: pass next_cursor)' : '';
    return {
      data: { ...page, lead: null },
      text: page.leads.length ? page.leads.map(line).join('\n') + more : 'No leads match.',
    };
  },
});

function line(l: LeadSummaryOut): string {
  const contact = l.contact_name ? ` (${l.contact_name})` : '';
  const delivery = l.last_delivery ? ` last=${l.last_delivery}` : '';
  return `${l.lead_id} ${l.name}${contact} [${l.status}] whatsapp=${l.whatsapp ?? '-'} email=${l.email ?? '-'}${delivery}`;
}

function leadText(lead: LeadOut, agendamentos: Infer<typeof readLeadOutput>['agendamentos'], now: Date): string {
  return (
    line(lead) +
    ` — ${lead.phones.length} phone(s), ${lead.emails.length} e-mail(s), ${lead.history.length} event(s)` +
    meetingsText(agendamentos, now)
  );
}

/** ", next meeting terça, 01/12 às 10:00 (horário de Manaus) (agendado)" — the soonest one not over, else the count. */
function meetingsText(agendamentos: Infer<typeof readLeadOutput>['agendamentos'], now: Date): string {
  if (!agendamentos.length) return '';
  const next = agendamentos
    .filter((r) => (AGENDAMENTO_ACTIVE as readonly string[]).includes(r.status) && Date.parse(r.start) > now.getTime())
    .at(-1);
  return `, ${agendamentos.length} meeting(s)${next ? `, next ${next.label} (${next.status})` : ''}`;
}
