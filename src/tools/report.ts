import { CAMPAIGN_APP_TOOL_META } from '../apps/campaign-app.js';
import type { CampaignReport, FunnelCounts } from '../core/model/report.js';
import { report, reportInput, reportOutput, type Page, type ReportResult } from '../core/reports/index.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

const COLUMNS: Record<string, string[]> = {
  campaigns: ['campaign_id', 'key', 'mode', 'status', 'template', 'filter', 'created_at', 'total', 'counts', 'pace'],
  inbound: ['received_at', 'reason', 'class', 'channel', 'lead_id', 'company', 'text', 'inbound_message_id'],
  meetings: ['start', 'status', 'company', 'lead_id', 'agendamento_id'],
  blocked: ['reason', 'lead_id', 'company', 'channel', 'detail'],
};

export const reportTool = defineTool({
  name: 'get_report',
  title: 'Reports',
  description:
    'Read-only reports, paged. funnel: queued, sent, delivered, read, failed, replied by class, opted out, meetings, ' +
    'from events, per campaign_id/template/channel/from-to; timeline, pace. campaigns: list. inbound: replies ' +
    'needing a person. meetings: from (YYYY-MM-DD, Brasília) or from-to, status. blocked: leads a dry run ' +
    '(batch_id or campaign_id) would not send to, by reason.',
  toolset: 'dispatch',
  access: 'read',
  input: reportInput,
  output: reportOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  // App hosts draw the funnel's CampaignReport as the campaign picture; other clients read the text.
  meta: CAMPAIGN_APP_TOOL_META,
  handler: async (args, { scope }) => {
    const r = await report(scope, args);
    if (r.view === 'funnel') {
      const { view: _view, ...data } = r;
      return { data: data as never, text: funnelText(data) };
    }
    const { view, ...data } = r;
    return { data: data as never, text: pageText(view, data) };
  },
});

const STAGES: Array<[string, (c: FunnelCounts) => number]> = [
  ['queued', (c) => c.queued],
  ['sent', (c) => c.sent],
  ['delivered', (c) => c.delivered],
  ['read', (c) => c.read],
  ['failed', (c) => c.failed],
  ['replied', (c) => c.replied],
  ['opted_out', (c) => c.opted_out],
  ['meetings_booked', (c) => c.meetings.booked],
  ['meetings_confirmed', (c) => c.meetings.confirmed],
  ['meetings_held', (c) => c.meetings.held],
  ['meetings_no_show', (c) => c.meetings.no_show],
  ['meetings_cancelled', (c) => c.meetings.cancelled],
];

const pairs = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The funnel as a table (stage × total and per channel), then classes, reasons, pace and the busy buckets. */
function funnelText(r: CampaignReport): string {
  const s = r.scope;
  const channels = Object.keys(r.by_channel).sort();
  const what = s.campaign_id ? `campaign ${s.campaign_key} (${s.campaign_id})` : 'all campaigns';
  const filters = [s.template && `template ${s.template}`, s.channel && `channel ${s.channel}`].filter(Boolean);
  const busy = r.timeline.filter((p) => p.sent + p.delivered + p.failed + p.replied > 0);
  const shown = busy.slice(0, 30);
  const cut = busy.length > shown.length ? `, first ${shown.length} shown` : '';
  return [
    `Funnel of ${what}${filters.length ? `, ${filters.join(', ')}` : ''}, ${s.from} → ${s.to} (from events):`,
    table(
      ['stage', 'total', ...channels],
      STAGES.map(([name, get]) => [name, get(r.funnel), ...channels.map((c) => get(r.by_channel[c]))]),
    ),
    `Replied by class: ${pairs(r.funnel.replied_by_class)}. Failed by reason: ${pairs(r.funnel.failed_by_reason)}.`,
    `Blocked by reason: ${pairs(r.blocked_by_reason)}. Pace: ${r.pace_per_second ?? 'channel default'}/s.`,
    `Timeline (${r.bucket_seconds}-s buckets, ${busy.length} with activity${cut}):`,
    table(
      ['at', 'sent', 'delivered', 'failed', 'replied'],
      shown.map((p) => [p.at, p.sent, p.delivered, p.failed, p.replied]),
    ),
  ].join('\n');
}

function pageText(
  view: Exclude<ReportResult['view'], 'funnel'>,
  p: Page & { blocked_by_reason?: Record<string, number> },
) {
  const head = view === 'blocked' ? `Blocked by reason (whole batch): ${pairs(p.blocked_by_reason ?? {})}.\n` : '';
  if (!p.rows.length) return `${head}No ${view} rows.`;
  const cols = COLUMNS[view];
  const more = p.next_cursor ? `\nMore: call again with cursor "${p.next_cursor}".` : '';
  return `${head}${p.rows.length} ${view} row(s):\n${table(
    cols,
    p.rows.map((r) => cols.map((c) => r[c])),
  )}${more}`;
}
