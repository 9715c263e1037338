import { lgpdRequest, lgpdRequestInput, lgpdRequestOutput } from '../core/lgpd/lgpd-request.js';
import { defineTool } from './define-tool.js';
import { boundedTable, table } from './text-table.js';

export const lgpdRequestTool = defineTool({
  name: 'lgpd_request',
  title: 'LGPD requests',
  description:
    'LGPD data subject requests (due in 15 days), by CPF/CNPJ, phone or e-mail: open; list; export; erase ' +
    '(needs an open erasure request; keeps hashes so they stay blocked); complete; refuse.',
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
        ? `${d.requests.length} LGPD request(s); ${d.requests.filter((q) => q.overdue).length} overdue.\n` +
          table(
            ['request_id', 'type', 'status', 'received_at', 'due_at', 'overdue', 'completed_at'],
            d.requests.map((q) => [q.request_id, q.type, q.status, q.received_at, q.due_at, q.overdue, q.completed_at]),
          )
        : d.action === 'export'
          ? exportText(d.data ?? {}, d.truncated ?? [])
          : d.action === 'erase'
            ? `Erased: ${Object.entries(d.changed ?? {})
                .map(([t, n]) => `${t} ${n}`)
                .join(', ')}. Request ${r.request_id} done.`
            : `Request ${r.request_id} (${r.type}) is ${r.status}; due ${r.due_at}.`;
    return { data: d, text };
  },
});

/** Rows shown per table in the text of an export; all of them (≤200 a table) are in structuredContent.data. */
const EXPORT_TEXT_ROWS = 20;

/** An export: rows per table, then each table's rows (the first EXPORT_TEXT_ROWS), with where the rest are. */
function exportText(data: Record<string, Record<string, unknown>[]>, truncated: string[]): string {
  const tables = Object.entries(data).filter(([, rows]) => rows.length);
  const total = tables.reduce((n, [, rows]) => n + rows.length, 0);
  const parts = [
    `Exported ${total} row(s) from ${tables.length} table(s)` +
      (truncated.length ? `; cut at 200 rows in ${truncated.join(', ')} (all of them: the CLI, lgpd export).` : '.'),
  ];
  for (const [name, rows] of tables) {
    parts.push(
      `${name} (${rows.length}):\n` +
        boundedTable(
          Object.keys(rows[0]),
          rows.map((r) => Object.values(r)),
          'in structuredContent.data, or all of them with the CLI (lgpd export)',
          EXPORT_TEXT_ROWS,
        ),
    );
  }
  return parts.join('\n');
}
