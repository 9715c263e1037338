/**
 * The rows our pipeline stages, built ahead of a timed COPY (the baseline): the file read with our
 * reader, mapped, normalised and grouped per chunk exactly as ingestRows does, then encoded as the
 * CSV the staging table ingest_linhas takes (17 columns, every text quoted), for the baseline's COPY.
 */
import { detectHeader, HEADER_SCAN_ROWS, mapRow, type SheetRow } from '../../src/core/ingest/columns.js';
import { groupRows } from '../../src/core/ingest/group.js';
import { normalizeRow, type NormalizedRow } from '../../src/core/ingest/normalize-row.js';
import { readRows } from '../../src/files/spreadsheet.js';

export const STAGING_COLUMNS = [
  'job_id',
  'tenant_id',
  'seq',
  'linha',
  'aba',
  'nome',
  'nome_chave',
  'contato_nome',
  'documento',
  'documento_tipo',
  'documento_valido',
  'timezone',
  'lead_id_externo',
  'dados_extras',
  'telefones',
  'emails',
  'grupo',
] as const;

type Staged = NormalizedRow & { seq: number; grupo: number };

export interface StagedFile {
  /** CSV text in 500-row pieces, as the stager streams it. */
  chunks: string[];
  rows: number;
  /** Leads the file should give: distinct valid documents + rows without one (generated names are unique). */
  expectedLeads: number;
  prepareSeconds: number;
  encodeSeconds: number;
}

export async function buildStagedCsv(
  path: string,
  jobId: string,
  tenantId: string,
  chunkSize = 5000,
): Promise<StagedFile> {
  const t0 = performance.now();
  let chunk: Staged[] = [];
  let seq = 0;
  const docs = new Set<string>();
  let withoutDoc = 0;
  const head: SheetRow[] = [];
  let mapping: ReturnType<typeof detectHeader> = null;
  const take = (row: SheetRow) => {
    const raw = mapping && mapRow(mapping, row);
    const n = raw && normalizeRow(raw).row;
    if (!n) return;
    if (n.documento_valido && n.documento) docs.add(n.documento);
    else withoutDoc++;
    chunk.push({ ...n, seq: ++seq, grupo: 0 });
    if (chunk.length >= chunkSize) flush();
  };
  const chunks: string[] = [];
  let encodeMs = 0;
  const flush = () => {
    const groups = groupRows(chunk);
    chunk.forEach((r, i) => (r.grupo = groups[i]));
    const t = performance.now();
    chunks.push(...csvLines(jobId, tenantId, chunk)); // encoded at once: 1M row objects would take GBs
    encodeMs += performance.now() - t;
    chunk = [];
  };
  const settle = () => {
    mapping = detectHeader(head);
    if (!mapping) throw new Error(`no header found in ${path}`);
    head.forEach(take); // mapRow skips the rows at or above the header
  };
  for await (const row of readRows({ path, filename: path.split('/').pop()! })) {
    if (mapping) take(row);
    else if (head.push(row) >= HEADER_SCAN_ROWS) settle();
  }
  if (!mapping) settle();
  if (chunk.length) flush();
  const total = performance.now() - t0;
  return {
    chunks,
    rows: seq,
    expectedLeads: docs.size + withoutDoc,
    prepareSeconds: (total - encodeMs) / 1000,
    encodeSeconds: encodeMs / 1000,
  };
}

function* csvLines(jobId: string, tenantId: string, rows: Staged[]): Generator<string> {
  const batch: string[] = [];
  for (const r of rows) {
    batch.push(
      [
        jobId,
        tenantId,
        String(r.seq),
        String(r.linha),
        q(r.aba),
        q(r.nome),
        q(r.nome_chave),
        q(r.contato_nome),
        q(r.documento),
        q(r.documento_tipo),
        r.documento_valido ? 't' : 'f',
        q(r.timezone),
        q(r.lead_id_externo),
        q(JSON.stringify(r.dados_extras)),
        q(JSON.stringify(r.telefones)),
        q(JSON.stringify(r.emails)),
        String(r.grupo),
      ].join(',') + '\n',
    );
    if (batch.length === 500) yield batch.splice(0).join('');
  }
  if (batch.length) yield batch.join('');
}

function q(v: string | null | undefined): string {
  return v === null || v === undefined ? '' : `"${v.replace(/"/g, '""')}"`;
}
