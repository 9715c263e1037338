/**
 * The second ingest baseline (mode baseline-final): the rows our pipeline left in the real tables,
 * exported from the database it wrote (COPY … TO, to CSV files on disk, not timed) and loaded into a
 * fresh migrated database with one COPY … FROM per table, in foreign-key order, in one transaction.
 *
 * Which tables: every table with a tenant_id column that holds rows of the (only) tenant after the
 * pipeline, except the import's own bookkeeping (EXCLUDED). The tenant's row itself is copied into
 * the fresh database beforehand (not timed): the tables reference it.
 */
import { createReadStream, createWriteStream, openAsBlob, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as pipe } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type { Db } from '../../src/db/connect.js';

/**
 * Tenant tables left out: the job row and its problem rows are the import's record of itself, not
 * the imported data; ingest_linhas is staging scratch (empty after a run; the bench checks that).
 */
export const EXCLUDED = ['ingest_jobs', 'ingest_problemas', 'ingest_linhas'];

export interface ExportedTable {
  table: string;
  columns: string[];
  rows: number;
  file: string;
  bytes: number;
}

export interface FinalRows {
  tenantId: string;
  /** The tenants row (loaded before the timed part). */
  tenant: ExportedTable;
  /** In foreign-key order (referenced tables first). */
  tables: ExportedTable[];
  /** Rows of the tenant in the tables left out, by table. */
  excluded: Record<string, number>;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function query<R>(db: Db, text: string, params: unknown[] = []): Promise<R[]> {
  if (db.kind === 'postgres') return (await db.pool!.query(text, params)).rows as R[];
  return (await db.pglite!.query<R>(text, params)).rows;
}

async function columnsOf(db: Db, table: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `select attname as name from pg_attribute
      where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
    [table],
  );
  return rows.map((r) => r.name);
}

/** Exports the pipeline's final rows of the database's only tenant into CSV files under dir. */
export async function exportFinalRows(db: Db, dir: string): Promise<FinalRows> {
  const tenants = await query<{ tenant_id: string }>(db, 'select tenant_id::text from tenants');
  if (tenants.length !== 1)
    throw new Error(`baseline-final expects one tenant in the pipeline's database, found ${tenants.length}`);
  const tenantId = tenants[0].tenant_id;
  if (!/^[0-9a-f-]{36}$/.test(tenantId)) throw new Error(`unexpected tenant id ${tenantId}`);

  const candidates = await query<{ name: string }>(
    db,
    `select c.relname as name from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'tenants'
      order by 1`,
  );
  const withRows: string[] = [];
  const excluded: Record<string, number> = {};
  const counts = new Map<string, number>();
  for (const { name } of candidates) {
    const [{ n }] = await query<{ n: number }>(
      db,
      `select count(*)::int as n from ${ident(name)} where tenant_id = $1`,
      [tenantId],
    );
    if (EXCLUDED.includes(name)) excluded[name] = n;
    else if (n > 0) {
      withRows.push(name);
      counts.set(name, n);
    }
  }

  // Foreign-key order: a table comes after every other chosen table it references.
  const fks = await query<{ child: string; parent: string }>(
    db,
    `select c.relname as child, p.relname as parent from pg_constraint k
       join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
      where k.contype = 'f'`,
  );
  const ordered: string[] = [];
  const pending = new Set(withRows);
  while (pending.size) {
    const ready = [...pending].filter((t) =>
      fks.every((fk) => fk.child !== t || fk.parent === t || !pending.has(fk.parent)),
    );
    if (!ready.length) throw new Error(`foreign-key cycle among ${[...pending].join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      pending.delete(t);
    }
  }

  const dump = async (table: string, where: string, rows: number): Promise<ExportedTable> => {
    const columns = await columnsOf(db, table);
    const file = join(dir, `${table}.csv`);
    const sql = (dest: string) =>
      `copy (select ${columns.map(ident).join(', ')} from ${ident(table)} where ${where}) to ${dest} with (format csv)`;
    if (db.kind === 'postgres') {
      const client = await db.pool!.connect();
      try {
        await pipe(client.query(copyStreams.to(sql('stdout'))), createWriteStream(file));
      } finally {
        client.release();
      }
    } else {
      // PGlite hands the whole CSV back as one Blob (it runs in this process's memory anyway).
      const r = await db.pglite!.query(sql(`'/dev/blob'`));
      await writeFile(file, Buffer.from(await r.blob!.arrayBuffer()));
    }
    return { table, columns, rows, file, bytes: statSync(file).size };
  };
  const tenant = await dump('tenants', `tenant_id = '${tenantId}'`, 1);
  const tables: ExportedTable[] = [];
  for (const t of ordered) tables.push(await dump(t, `tenant_id = '${tenantId}'`, counts.get(t)!));
  return { tenantId, tenant, tables, excluded };
}

/**
 * Loads exported tables into db: one transaction, one COPY … FROM per table in the given order, as
 * the connection's own user (row-level security does not apply to a superuser or a BYPASSRLS role;
 * COPY FROM into a table with row-level security fails for anyone else).
 */
export async function copyFinalRows(db: Db, tables: ExportedTable[]): Promise<void> {
  const sql = (t: ExportedTable, src: string) =>
    `copy ${ident(t.table)} (${t.columns.map(ident).join(', ')}) from ${src} with (format csv)`;
  if (db.kind === 'postgres') {
    const client = await db.pool!.connect();
    let failed: Error | undefined;
    try {
      await client.query('begin');
      for (const t of tables) await pipe(createReadStream(t.file), client.query(copyStreams.from(sql(t, 'stdin'))));
      await client.query('commit');
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(failed); // a connection that failed mid-COPY is closed, not reused
    }
  } else {
    await db.pglite!.transaction(async (tx) => {
      for (const t of tables) await tx.query(sql(t, `'/dev/blob'`), [], { blob: await openAsBlob(t.file) });
    });
  }
}

/** Whether the connection's user bypasses row-level security (superuser or BYPASSRLS), and its name. */
export async function copyUser(db: Db): Promise<{ user: string; superuser: boolean; bypassRls: boolean }> {
  const [r] = await query<{ user: string; superuser: boolean; bypass: boolean }>(
    db,
    'select current_user as user, rolsuper as superuser, rolbypassrls as bypass from pg_roles where rolname = current_user',
  );
  return { user: r.user, superuser: r.superuser, bypassRls: r.bypass };
}

/** Rows of each table for the tenant in db. */
export async function countRows(db: Db, tables: string[], tenantId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [{ n }] = await query<{ n: number }>(db, `select count(*)::int as n from ${ident(t)} where tenant_id = $1`, [
      tenantId,
    ]);
    out[t] = n;
  }
  return out;
}
