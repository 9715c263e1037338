import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import type { StagedRow, Stager } from '../core/ingest/pipeline.js';
import type pg from 'pg';
import type { Db } from './connect.js';
import { APP_ROLE } from './roles.js';

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
          // ANALYZE needs the table's owner: the login user, for this transaction only.
          if (refreshStats()) await asOwner(client, 'analyze leads, lead_telefones, lead_emails');
          // COPY FROM refuses a table with row-level security, so the rows land in a session temp
          // table first and move with one INSERT … SELECT that the tenant policy checks. Everything
          // here runs as the app role, inside the tenant's scope.
          await client.query('begin');
          try {
            await client.query(`select set_config('role', $1, true), set_config('app.tenant_id', $2, true)`, [APP_ROLE, tenantId]);
            await client.query('create temp table if not exists ingest_linhas_entrada (like ingest_linhas including defaults) on commit delete rows');
            const stream = client.query(copyStreams.from(COPY_SQL.replace('ingest_linhas', 'ingest_linhas_entrada').replace('%SOURCE%', 'stdin')));
            await pipeline(Readable.from(csvLines(jobId, tenantId, rows)), stream);
            await client.query(`insert into ingest_linhas (${COLUMNS.join(', ')}) select ${COLUMNS.join(', ')} from ingest_linhas_entrada`);
            await client.query('commit');
          } catch (err) {
            await client.query('rollback').catch(() => {});
            throw err;
          }
          // Fresh rows have no statistics; without them the merge's joins plan as nested loops over
          // the whole chunk (minutes instead of milliseconds). Two ANALYZEs of one table at the same
          // time can fail with "tuple concurrently updated": stale statistics are fine then.
          await asOwner(client, 'analyze ingest_linhas');
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
      // COPY from a (virtual) file needs PGlite's own superuser, which also bypasses row-level
      // security: the role is reset for this transaction only; the rows carry the job's tenant.
      await kysely.connection().execute(async () => {
        await pglite.query('begin');
        try {
          await pglite.query('set local role none');
          if (refreshStats()) await pglite.query('analyze leads, lead_telefones, lead_emails');
          await pglite.query(COPY_SQL.replace('%SOURCE%', `'/dev/blob'`), [], { blob });
          await pglite.query('analyze ingest_linhas');
          await pglite.query('commit');
        } catch (err) {
          await pglite.query('rollback').catch(() => {});
          throw err;
        }
      });
    },
  };
}

/** Runs one maintenance statement as the login user (the owner), for one transaction; errors ignored. */
async function asOwner(client: pg.PoolClient, statement: string): Promise<void> {
  try {
    await client.query('begin');
    await client.query('set local role none');
    await client.query(statement);
    await client.query('commit');
  } catch {
    await client.query('rollback').catch(() => {});
  }
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
