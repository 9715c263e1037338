import { AGENDAMENTO_ACTIVE } from '../core/model/index.js';
import { LeadDetailSchema, splitLead, type LeadOut, type LeadSummaryOut } from '../core/leads/lead-schema.js';
import { queryLeads, queryLeadsInput, queryLeadsOutput } from '../core/leads/query-leads.js';
import { readLead, readLeadInput, type readLeadOutput } from '../core/leads/read-lead.js';
import type { Infer } from '../core/schemas.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

/** Two use cases behind one tool: a page of leads with the search's totals (queryLeads), or one lead in full (readLead). */
export const queryLeadsTool = defineTool({
  name: 'query_leads',
  title: 'Find leads',
  description:
    'Finds leads, newest first (≤100 a page; pass next_cursor back), with totals by status and channel. ' +
    'With lead_id: one lead in full.',
  toolset: 'leads',
  access: 'read',
  input: {
    lead_id: readLeadInput.lead_id.optional().describe('One lead in full'),
    ...queryLeadsInput,
  },
  output: {
    ...queryLeadsOutput,
    lead: LeadDetailSchema.nullable().describe('With lead_id: the rest of it (summary: leads[0])'),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async ({ lead_id, ...filter }, { scope }) => {
    if (lead_id) {
      const { lead, agendamentos } = await readLead(scope, { lead_id });
      const { summary, detail } = splitLead(lead);
      return {
        data: { leads: [summary], next_cursor: null, totals: null, lead: detail },
        text: leadText(lead, agendamentos, scope.clock.now()),
      };
    }
    const page = await queryLeads(scope, filter);
    return { data: { ...page, lead: null }, text: pageText(page) };
  },
});

const LEAD_COLUMNS = ['lead_id', 'name', 'contact', 'status', 'whatsapp', 'email', 'last_delivery'];
const leadRow = (l: LeadSummaryOut) => [
  l.lead_id,
  l.name,
  l.contact_name,
  l.status,
  l.whatsapp,
  l.email,
  l.last_delivery,
];

function pageText(page: Awaited<ReturnType<typeof queryLeads>>): string {
  const t = page.totals!;
  const byStatus = Object.entries(t.by_status)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const head =
    `${t.total} lead(s) match` +
    (t.total ? ` (${byStatus}; reachable: WhatsApp ${t.whatsapp}, e-mail ${t.email}, none ${t.none})` : '') +
    (page.leads.length < t.total ? `; ${page.leads.length} on this page` : '');
  if (!page.leads.length) return `${head}.`;
  const more = page.next_cursor ? `\nMore: call again with cursor "${page.next_cursor}".` : '';
  return `${head}:\n${table(LEAD_COLUMNS, page.leads.map(leadRow))}${more}`;
}

function leadText(lead: LeadOut, agendamentos: Infer<typeof readLeadOutput>['agendamentos'], now: Date): string {
  const lines = [
    table(LEAD_COLUMNS, [leadRow(lead)]),
    `document: ${lead.document ?? '-'}${lead.document_type ? ` (${lead.document_type}${lead.document_valid ? '' : ', invalid'})` : ''}` +
      ` | timezone: ${lead.timezone} | legal_basis: ${lead.legal_basis} | external_id: ${lead.external_id ?? '-'}`,
    `phones: ${lead.phones.map((p) => `${p.e164 ?? p.original} ${p.type}${p.sendable ? '' : ` (${p.invalid_reason ?? 'not sendable'})`}`).join('; ') || '-'}`,
    `e-mails: ${lead.emails.map((e) => `${e.normalized ?? e.original}${e.sendable ? '' : ` (${e.invalid_reason ?? 'not sendable'})`}`).join('; ') || '-'}`,
  ];
  const extra = Object.entries(lead.extra);
  if (extra.length) lines.push(`sheet: ${extra.map(([k, v]) => `${k}=${String(v)}`).join('; ')}`);
  const recent = lead.history.slice(-10);
  lines.push(
    `history (${lead.history.length}${lead.history.length > recent.length ? ', last 10' : ''}):\n` +
      table(
        ['at', 'type', 'from', 'to', 'reason'],
        recent.map((h) => [h.at, h.type, h.from_status, h.to_status, h.reason]),
      ),
  );
  const meetings = meetingsText(agendamentos, now);
  if (meetings) lines.push(meetings);
  return lines.join('\n');
}

/** "1 meeting(s), next terça, 01/12 às 10:00 (horário de Manaus) (agendado)" — the soonest one not over, else the count. */
function meetingsText(agendamentos: Infer<typeof readLeadOutput>['agendamentos'], now: Date): string {
  if (!agendamentos.length) return '';
  const next = agendamentos
    .filter((r) => (AGENDAMENTO_ACTIVE as readonly string[]).includes(r.status) && Date.parse(r.start) > now.getTime())
    .at(-1);
  return `${agendamentos.length} meeting(s)${next ? `, next ${next.label} (${next.status})` : ''}`;
}
