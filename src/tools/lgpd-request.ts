import { lgpdRequest, lgpdRequestInput, lgpdRequestOutput } from '../core/lgpd/lgpd-request.js';
import { defineTool } from './define-tool.js';

export const lgpdRequestTool = defineTool({
  name: 'lgpd_request',
  title: 'LGPD requests',
  description:
    'LGPD data subject requests (due in 15 days), by CPF/CNPJ, phone or e-mail: open; list; export (data: rows by ' +
    'table); erase (needs an open erasure request; keeps hashes so they stay blocked); complete; refuse.',
  toolset: 'leads',
  access: 'admin',
  input: lgpdRequestInput,
  output: lgpdRequestOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  handler: async (args, { scope }) => {
    const d = await lgpdRequest(scope, args);
    const r = d.requests[0];
    const text =
      d.action === 'list'
        ? `${d.requests.length} LGPD request(s); ${d.requests.filter((q) => q.overdue).length} overdue.`
        : d.action === 'export'
          ? `Exported ${Object.values(d.data ?? {}).reduce((n, rows) => n + rows.length, 0)} row(s) from ` +
            `${Object.values(d.data ?? {}).filter((rows) => rows.length).length} table(s)` +
            (d.truncated?.length ? `; cut at 200 rows in ${d.truncated.join(', ')} (use the CLI: lgpd export).` : '.')
          : d.action === 'erase'
            ? `Erased: ${Object.entries(d.changed ?? {})
                .map(([t, n]) => `${t} ${n}`)
                .join(', ')}. Request ${r.request_id} done.`
            : `Request ${r.request_id} (${r.type}) is ${r.status}; due ${r.due_at}.`;
    return { data: d, text };
  },
});
