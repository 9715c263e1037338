import type { ToolDefinition } from './define-tool.js';
import { getStatus } from './get-status.js';
import { jobStatus } from './job-status.js';

/** Every tool the server offers, in the order tools/list shows them. */
export const allTools: ToolDefinition<any, any>[] = [getStatus, jobStatus];
