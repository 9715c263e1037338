import {
  manageSuppression,
  manageSuppressionInput,
  manageSuppressionOutput,
} from '../core/outreach/manage-suppression.js';
import type { Infer } from '../core/schemas.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const manageSuppressionTool = defineTool({
  name: 'manage_suppression',
  title: 'Suppression list and opt-out',
  description:
    "Do-not-contact list, checked before every send. opt_out_lead: suppress a lead's document, phones " +
    "and e-mails (terminal); add/remove a value; list; confirm_destination: a shared phone/e-mail is this lead's " +
    '(audited); import_registry: an opt-out registry file (SP Não Me Ligue).',
  toolset: 'dispatch',
  access: 'write',
  input: manageSuppressionInput,
  output: manageSuppressionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const d = await manageSuppression(scope, args);
    const r = d.registries?.[0];
    const text =
      d.action === 'list'
        ? listText(d, args.limit)
        : d.action === 'import_registry' && r
          ? `Registry ${r.source}: ${r.numbers} numbers (in force from ${r.effective_from ?? '-'}), ${r.replaced} replaced, ` +
            `${r.problems?.length ?? 0} problem(s).`
          : d.action === 'opt_out_lead'
            ? `Lead ${args.lead_id} is opt_out; ${d.changed} value(s) added to the suppression list.`
            : d.action === 'confirm_destination'
              ? `Destination ${d.changed ? 'confirmed' : 'already confirmed'} as lead ${args.lead_id}'s.`
              : d.changed
                ? `${d.action === 'add' ? 'Added' : 'Removed'} ${args.kind}.`
                : `Nothing changed (${d.action === 'add' ? 'already listed' : 'not listed'}).`;
    return { data: d, text };
  },
});

/** The entries and the registries as tables; a full page says how to see more. */
function listText(d: { entries: Entry[]; registries?: Registry[] }, limit: number): string {
  const head =
    `${d.entries.length} suppression entr${d.entries.length === 1 ? 'y' : 'ies'}` +
    (d.entries.length >= limit ? ` (the newest ${limit}; more: call again with a larger limit, ≤500)` : '');
  const entries = d.entries.length
    ? `:\n${table(
        ['kind', 'value', 'reason', 'source', 'lead_id', 'created_at'],
        d.entries.map((e) => [e.kind, e.value, e.reason, e.source, e.lead_id, e.created_at]),
      )}`
    : '.';
  const regs = d.registries ?? [];
  return (
    head +
    entries +
    `\n${regs.length} registr${regs.length === 1 ? 'y' : 'ies'}` +
    (regs.length
      ? `:\n${table(
          ['source', 'numbers', 'effective_from'],
          regs.map((r) => [r.source, r.numbers, r.effective_from]),
        )}`
      : '.')
  );
}

type Output = Infer<typeof manageSuppressionOutput>;
type Entry = Output['entries'][number];
type Registry = NonNullable<Output['registries']>[number];
