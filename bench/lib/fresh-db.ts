import { sql } from 'kysely';
import pg from 'pg';
import { openDb, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

/** A new, migrated database `name` on the server of `admin` (dropped first if a run left it). */
export async function freshDb(admin: string, name: string): Promise<{ db: Db; url: string }> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`drop database if exists ${name}`);
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: u.toString() });
  await migrate(db);
  return { db, url: u.toString() };
}

/** The outbox's triggers (migrations 038, 055): the benches measure a campaign with them off and on. */
const OUTBOX_TRIGGERS = [
  ['leads', 'leads_eventos'],
  ['disparos', 'disparos_eventos_ins'],
  ['disparos', 'disparos_eventos_upd'],
  ['campanhas', 'campanhas_eventos_ins'],
  ['campanhas', 'campanhas_eventos_upd'],
] as const;

export async function disableOutboxTriggers(db: Db): Promise<void> {
  for (const [t, g] of OUTBOX_TRIGGERS) await sql.raw(`alter table ${t} disable trigger ${g}`).execute(db.kysely);
}
