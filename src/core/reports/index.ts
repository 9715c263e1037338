import type { CampaignReport } from '../model/report.js';
import type { Scope } from '../scope.js';
import { blockedLeads } from './blocked.js';
import { funnelReport } from './funnel.js';
import type { ReportInput } from './input.js';
import { campaignsList, inboundAttention, meetingsList, type Page } from './lists.js';

export { reportInput, reportOutput, REPORT_VIEWS, type ReportInput, type ReportView } from './input.js';
export type { Page } from './lists.js';

export type ReportResult =
  | ({ view: 'funnel' } & CampaignReport)
  | ({ view: 'campaigns' | 'inbound' | 'meetings' } & Page)
  | ({ view: 'blocked' } & Page & { blocked_by_reason: Record<string, number> });

/** The report use case (issue 19 step 2): one entry, one view per question (read-only). */
export async function report(scope: Scope, input: ReportInput): Promise<ReportResult> {
  switch (input.view) {
    case 'funnel':
      return { view: 'funnel', ...(await funnelReport(scope, input)) };
    case 'campaigns':
      return { view: 'campaigns', ...(await campaignsList(scope, input)) };
    case 'inbound':
      return { view: 'inbound', ...(await inboundAttention(scope, input)) };
    case 'meetings':
      return { view: 'meetings', ...(await meetingsList(scope, input)) };
    case 'blocked':
      return { view: 'blocked', ...(await blockedLeads(scope, input)) };
  }
}
