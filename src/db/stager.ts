import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import type { StagedRow, Stager } from '../core/ingest/pipeline.js';
import type { Db } from './connect.js';

const COLUMNS = [
  'job_id', 'tenant_id', 'seq', 'linha', 'aba', 'nome', 'nome_chave', 'contato_nome', 'documento',
  'documento_tipo', 'documento_valido', 'timezone', 'lead_id_externo', 'dados_extras', 'telefones', 'emails', 'grupo',
] as const;
const COPY_SQL = `copy ingest_linhas (${COLUMNS.join(', ')}) from %SOURCE% with (format csv)`;

/** Bulk-writes staged rows with COPY: FROM STDIN on PostgreSQL, FROM a blob on PGlite. */
export function createStager(db: Db): Stager {
  let calls = 0;
  // While an import grows leads from nothing, the planner's row counts lag far behind; refresh them
  // after chunks 1, 2, 4, 8, … so every later statement is planned on roughly the right sizes.
  const refreshStats = () => {
    calls++;
    return (calls & (calls - 1)) === 0;
  };
  if (db.kind === 'postgres') {
    const pool = db.pool!;
    return {
      async stage(jobId, tenantId, rows) {
        const client = await pool.connect();
        try {
          if (refreshStats()) await client.query('analyze leads, lead_telefones, lead_emails').catch(() => {});
          const stream = client.query(copyStreams.from(COPY_SQL.replace('%SOURCE%', 'stdin')));
          await pipeline(Readable.from(csvLines(jobId, tenantId, rows)), stream);
          // Fresh rows have no statistics; without them the merge's joins plan as nested loops over
          // the whole chunk (minutes instead of milliseconds). Two ANALYZEs of one table at the same
          // time can fail with "tuple concurrently updated": stale statistics are fine then.
          await client.query('analyze ingest_linhas').catch(() => {});
        } finally {
          client.release();
        }
      },
    };
  }
  const pglite = db.pglite!;
  const kysely = db.kysely;
  return {
    async stage(jobId, tenantId, rows) {
      const blob = new Blob([...csvLines(jobId, tenantId, rows)]);
      // Through kysely's connection queue, so the COPY never lands inside another caller's transaction.
      await kysely.connection().execute(async () => {
        if (refreshStats()) await pglite.query('analyze leads, lead_telefones, lead_emails');
        await pglite.query(COPY_SQL.replace('%SOURCE%', `'/dev/blob'`), [], { blob });
        await pglite.query('analyze ingest_linhas');
      });
    },
  };
}

function* csvLines(jobId: string, tenantId: string, rows: StagedRow[]): Generator<string> {
  const batch: string[] = [];
  for (const r of rows) {
    batch.push(
      [
        jobId, tenantId, String(r.seq), String(r.linha), q(r.aba), q(r.nome), q(r.nome_chave), q(r.contato_nome),
        q(r.documento), q(r.documento_tipo), r.documento_valido ? 't' : 'f', q(r.timezone), q(r.lead_id_externo),
        q(json(r.dados_extras)), q(json(r.telefones)), q(json(r.emails)), String(r.grupo),
      ].join(',') + '\n',
    );
    if (batch.length === 500) yield batch.splice(0).join('');
  }
  if (batch.length) yield batch.join('');
}

// jsonb rejects the \u0000 escape JSON.stringify would write for a NUL character.
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? x.replace(/\u0000/g, '') : x));

// CSV: NULL is an unquoted empty field, any text is quoted (so '' stays an empty string). PostgreSQL
// text cannot hold NUL, which a hostile file may contain: it is dropped.
function q(v: string | null | undefined): string {
  if (v === null || v === undefined) return '';
  return `"${v.replace(/\u0000/g, '').replace(/"/g, '""')}"`;
}
