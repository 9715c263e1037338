import { z } from 'zod';
import { ingestLeads } from '../app/ingest.js';
import type { JobView } from '../core/jobs.js';
import { defineTool } from './define-tool.js';
import { JobSchema } from './schemas.js';

const LeadFieldSchema = z.enum(['nome', 'contato_nome', 'documento', 'telefone', 'email', 'lead_id_externo']);

export const ingestLeadsTool = defineTool({
  name: 'ingest_leads',
  title: 'Import leads from a spreadsheet',
  description:
    'Imports an .xlsx/.csv of Brazilian leads: finds the header, normalises phones, e-mails and CPF/CNPJ, merges ' +
    'duplicates (re-importing creates nothing new). Returns the job; while status is "processando", poll job_status.',
  toolset: 'leads',
  access: 'write',
  input: {
    file_path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Absolute path of a file in a folder that get_status lists (ingest.folders)'),
    content_base64: z.string().max(28_000_000).optional().describe('Or the file, base64 (≤20 MB), with filename'),
    filename: z.string().min(1).max(255).optional().describe('e.g. "leads.xlsx"'),
    sheet: z.string().min(1).max(200).optional().describe('Only this sheet (default: all with lead columns)'),
    column_map: z
      .record(z.string().min(1).max(200), LeadFieldSchema)
      .optional()
      .describe('Header → field, e.g. {"Fone Comercial": "telefone"}'),
    validate_only: z.boolean().default(false).describe('Check and report only; write no leads'),
    source_label: z.string().max(200).optional(),
  },
  output: { job: JobSchema },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps, progress }) => {
    const waitMs = Number(process.env.AGENTE_INGEST_WAIT_MS ?? 25_000);
    const job = await ingestLeads(deps, args, progress, waitMs);
    return { data: { job }, text: summarize(job) };
  },
});

function summarize(j: JobView): string {
  const c = j.counts;
  if (j.status === 'falhou') return `Import ${j.job_id} of ${j.file} failed: ${j.error}`;
  if (j.status !== 'concluido') {
    return `Import ${j.job_id} of ${j.file} is still running (${j.progress_pct ?? 0}%, ${c.linhas_lidas} rows so far). Poll job_status with this job_id.`;
  }
  const problems = j.problems_total
    ? ` ${j.problems_total} problem(s), e.g. ${j.problems_sample
        .slice(0, 3)
        .map((p) => `row ${p.row}: ${p.reason}`)
        .join('; ')}.`
    : ' No problems.';
  return (
    noChannelWarning(c) +
    `Imported ${j.file}${j.validate_only ? ' (validate only: nothing written)' : ''}: ${c.linhas_lidas} rows → ` +
    `${c.leads_criados} new leads, ${c.duplicados} duplicates merged, ${c.leads_atualizados} existing leads updated, ` +
    `${c.linhas_invalidas} rows unusable; phones ${c.telefones_validos} WhatsApp-valid / ${c.telefones_invalidos} not; ` +
    `e-mails ${c.emails_validos} valid / ${c.emails_invalidos} not.${problems}`
  );
}

/** First thing in the text when rows reach no one: a file of names without contacts is not a success. */
function noChannelWarning(c: Record<string, number>): string {
  const without = c.rows_without_channel ?? 0;
  if (!without) return '';
  const contacts = c.telefones_validos + c.telefones_invalidos + c.emails_validos + c.emails_invalidos;
  if (contacts === 0)
    return (
      `WARNING: no row of this file has a phone or an e-mail, so none of its ${without} lead rows can be contacted. ` +
      'Check that the phone/e-mail columns were recognised (or map them with column_map) before any dispatch.\n'
    );
  return `WARNING: ${without} of ${c.linhas_lidas} rows have no WhatsApp mobile and no valid e-mail: no channel reaches those leads.\n`;
}
