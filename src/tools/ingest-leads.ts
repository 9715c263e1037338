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
    'Imports an .xlsx or .csv of Brazilian leads (company, contact, CNPJ/CPF, phones, e-mails) into clean, deduplicated ' +
    'leads: finds the header row, normalises phones (WhatsApp-capable mobiles), e-mails and documents, merges duplicates ' +
    'within the file and with existing leads. Returns the job; if status is still "processando", poll job_status. ' +
    'Re-importing the same file creates nothing new. Use validate_only to check a file without writing leads.',
  toolset: 'leads',
  access: 'write',
  input: {
    file_path: z.string().min(1).max(4096).optional().describe('Path of the file on the server (under the allowed directories)'),
    content_base64: z.string().max(28_000_000).optional().describe('The file itself, base64 (up to 20 MB); needs filename'),
    filename: z.string().min(1).max(255).optional().describe('Name of the file sent in content_base64, e.g. "leads.xlsx"'),
    sheet: z.string().min(1).max(200).optional().describe('Only this sheet (default: every sheet that has lead columns)'),
    column_map: z
      .record(z.string().min(1).max(200), LeadFieldSchema)
      .optional()
      .describe('Override header detection: header text → field, e.g. {"Fone Comercial": "telefone"}'),
    validate_only: z.boolean().default(false).describe('Read and check the file, report counts and problems, write no leads'),
    source_label: z.string().max(200).optional().describe('A label for this import, e.g. "campanha novembro"'),
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
    ? ` ${j.problems_total} problem(s), e.g. ${j.problems_sample.slice(0, 3).map((p) => `row ${p.row}: ${p.reason}`).join('; ')}.`
    : ' No problems.';
  return (
    `Imported ${j.file}${j.validate_only ? ' (validate only: nothing written)' : ''}: ${c.linhas_lidas} rows → ` +
    `${c.leads_criados} new leads, ${c.duplicados} duplicates merged, ${c.leads_atualizados} existing leads updated, ` +
    `${c.linhas_invalidas} rows unusable; phones ${c.telefones_validos} WhatsApp-valid / ${c.telefones_invalidos} not; ` +
    `e-mails ${c.emails_validos} valid / ${c.emails_invalidos} not.${problems}`
  );
}
