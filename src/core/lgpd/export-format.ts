import { stringify } from 'csv-stringify/sync';
import type { Scope } from '../scope.js';
import { collectRows, findSubject } from './find.js';
import { subjectOf, type SubjectInput } from './subject.js';

/** Rows per table a full export (the CLI's) holds at most; past it the export says which tables were cut. */
export const FULL_EXPORT_LIMIT = 100_000;

export interface FullExport {
  /** LGPD art. 18 II/V: every row about the person, by table, with when the export was made. */
  json: string;
  /** The same as CSV, one line per value: tabela, id, coluna, valor (JSON values as JSON text). */
  csv: string;
  rows: number;
  truncated: string[];
}

/** Everything about one person, as JSON and CSV (for `agente-disparo-agenda lgpd export`). */
export async function fullExport(scope: Scope, ids: SubjectInput): Promise<FullExport> {
  const t = scope.tenant.tenant_id;
  const { tables, truncated } = await scope.tx(async (tx) =>
    collectRows(tx, t, await findSubject(tx, t, subjectOf(ids)), FULL_EXPORT_LIMIT),
  );
  const made = scope.clock.now().toISOString();
  const json = JSON.stringify(
    { exportado_em: made, base: 'LGPD art. 18, II e V', tabelas: tables, truncadas: truncated },
    null,
    2,
  );
  const lines: string[][] = [];
  let rows = 0;
  for (const [table, list] of Object.entries(tables)) {
    for (const r of list) {
      rows++;
      const id = String(Object.values(r)[0] ?? '');
      for (const [col, v] of Object.entries(r)) {
        if (v === null || v === undefined) continue;
        lines.push([table, id, col, typeof v === 'string' ? v : JSON.stringify(v)]);
      }
    }
  }
  const csv = stringify(lines, { header: true, columns: ['tabela', 'id', 'coluna', 'valor'] });
  return { json, csv, rows, truncated };
}
