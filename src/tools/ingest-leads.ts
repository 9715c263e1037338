import { ingestLeads, ingestLeadsInput, ingestLeadsOutput } from '../core/ingest/ingest-leads.js';
import type { IngestJob } from '../core/jobs/job-schema.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const ingestLeadsTool = defineTool({
  name: 'ingest_leads',
  title: 'Import leads from a spreadsheet',
  description:
    'Imports an .xlsx/.csv of Brazilian leads: finds the header, normalises phones, e-mails and CPF/CNPJ, merges ' +
    'duplicates (re-import creates nothing). While the job is "processando", poll job_status.',
  toolset: 'leads',
  access: 'write',
  input: ingestLeadsInput,
  output: ingestLeadsOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope, progress }) => {
    const waitMs = Number(process.env.AGENTE_INGEST_WAIT_MS ?? 25_000);
    const data = await ingestLeads(scope, args, { waitMs, onProgress: progress });
    return { data, text: summarize(data.job) };
  },
});

function summarize(j: IngestJob): string {
  const c = j.counts;
  if (j.status === 'falhou') return `Import ${j.job_id} of ${j.file} failed: ${j.error}`;
  if (j.status !== 'concluido') {
    const sofar = `${j.progress_pct ?? 0}%, ${c.rows_read} rows so far`;
    return `Import ${j.job_id} of ${j.file} is still running (${sofar}). Poll job_status with this job_id.`;
  }
  const problems = j.problems_total
    ? ` ${j.problems_total} problem(s)${j.problems_total > j.problems_sample.length ? ` (all: job-problems://${j.job_id})` : ''}` +
      `:\n${problemsTable(j.problems_sample)}`
    : ' No problems.';
  return (
    noChannelWarning(c) +
    `Imported ${j.file}${j.validate_only ? ' (validate only: nothing written)' : ''}: ${c.rows_read} rows → ` +
    `${c.leads_created} new leads, ${c.duplicates} duplicates merged, ${c.leads_updated} existing leads updated, ` +
    `${c.invalid_rows} rows unusable; phones ${c.valid_phones} WhatsApp-valid / ${c.invalid_phones} not; ` +
    `e-mails ${c.valid_emails} valid / ${c.invalid_emails} not.${problems}`
  );
}

/** The rows of a file that had problems: row, sheet, column, value, reason. */
export const problemsTable = (problems: IngestJob['problems_sample']) =>
  table(
    ['row', 'sheet', 'column', 'value', 'reason'],
    problems.map((p) => [p.row, p.sheet, p.column, p.value, p.reason]),
  );

/** First thing in the text when rows reach no one: a file of names without contacts is not a success. */
function noChannelWarning(c: IngestJob['counts']): string {
  const without = c.rows_without_channel ?? 0;
  if (!without) return '';
  const contacts = c.valid_phones + c.invalid_phones + c.valid_emails + c.invalid_emails;
  if (contacts === 0)
    return (
      `WARNING: no row of this file has a phone or an e-mail, so none of its ${without} lead rows can be contacted. ` +
      'Check that the phone/e-mail columns were recognised (or map them with column_map) before any dispatch.\n'
    );
  return `WARNING: ${without} of ${c.rows_read} rows have no WhatsApp mobile and no valid e-mail: no channel reaches those leads.\n`;
}
