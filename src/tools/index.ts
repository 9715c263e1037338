import type { ToolDefinition } from './define-tool.js';
import { getStatus } from './get-status.js';
import { ingestLeadsTool } from './ingest-leads.js';
import { jobStatus } from './job-status.js';
import { queryLeadsTool } from './query-leads.js';

/** Every tool the server offers, in the order tools/list shows them. */
export const allTools: ToolDefinition<any, any>[] = [getStatus, ingestLeadsTool, jobStatus, queryLeadsTool];
