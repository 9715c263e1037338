import type { ToolDefinition } from './define-tool.js';
import { controlDispatchTool } from './control-dispatch.js';
import { decideChannelTool } from './decide-channel.js';
import { dryRunDispatchTool } from './dry-run-dispatch.js';
import { generateBriefingTool } from './generate-briefing.js';
import { getStatus } from './get-status.js';
import { handleReplyTool } from './handle-reply.js';
import { ingestLeadsTool } from './ingest-leads.js';
import { jobStatus } from './job-status.js';
import { listEventsTool } from './list-events.js';
import { listRepliesTool } from './list-replies.js';
import { lgpdRequestTool } from './lgpd-request.js';
import { manageSuppressionTool } from './manage-suppression.js';
import { manageTemplatesTool } from './manage-templates.js';
import { manageWebhooksTool } from './manage-webhooks.js';
import { proposeSlotsTool } from './propose-slots.js';
import { queryLeadsTool } from './query-leads.js';
import { reportTool } from './report.js';
import { scheduleMeetingTool } from './schedule-meeting.js';
import { sendMessageTool } from './send-message.js';
import { sendRemindersTool } from './send-reminders.js';
import { updateLeadTool } from './update-lead.js';
import { setOutreachPolicyTool } from './set-outreach-policy.js';
import { startDispatchTool } from './start-dispatch.js';
import { updateMeetingTool } from './update-meeting.js';

/** Every tool the server offers, in the order tools/list shows them. */
export const allTools: ToolDefinition<any, any>[] = [
  getStatus,
  ingestLeadsTool,
  jobStatus,
  queryLeadsTool,
  updateLeadTool,
  decideChannelTool,
  dryRunDispatchTool,
  sendMessageTool,
  startDispatchTool,
  controlDispatchTool,
  manageSuppressionTool,
  handleReplyTool,
  listRepliesTool,
  reportTool,
  listEventsTool,
  manageWebhooksTool,
  setOutreachPolicyTool,
  manageTemplatesTool,
  proposeSlotsTool,
  scheduleMeetingTool,
  updateMeetingTool,
  sendRemindersTool,
  generateBriefingTool,
  lgpdRequestTool,
];
