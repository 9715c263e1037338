import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { WITH_NEXT } from './deferred-begin.js';
import { prepared } from './prepared.js';
import { APP_ROLE, SYSTEM_ROLE } from './roles.js';
import type { Database } from './schema.js';

export type Tx = Transaction<Database>;

/** readOnly: a `read only` transaction (PostgreSQL refuses writes in it); its finalRead statement takes the commit along. */
export interface TxOptions {
  readOnly?: boolean;
  /**
   * The transaction's prepared statements (db/prepared.ts) run with their generic plan from the first
   * call on (plan_cache_mode = force_generic_plan, for this transaction only): with a real tenant's
   * statistics PostgreSQL judges the decision statement's generic plan dearer than a custom one and
   * then plans it on every call (15–25 ms), while the generic plan runs a one-lead decision in ~1 ms
   * (index lookups per targeted lead). Only for transactions whose statements are all meant for it.
   */
  genericPlans?: boolean;
  /**
   * `repeatable read`: one snapshot for the whole transaction, which pg_export_snapshot() can hand to
   * another transaction (`snapshot`), so that several connections read the same data (PostgreSQL only).
   */
  repeatableRead?: boolean;
  /** A snapshot exported by another open transaction (pg_export_snapshot()): this one reads the same data. */
  snapshot?: string;
}

/** A snapshot id as pg_export_snapshot() returns it (it is written into the statement's text). */
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+-[0-9]+$/;

/**
 * Runs fn in a transaction scoped to one tenant: `app.tenant_id` is set for the transaction only
 * (set_config(..., true) = SET LOCAL), and the row-level security policies of migration 017 let the
 * transaction see and write that tenant's rows only. The role is set to the app role for the
 * transaction too, so this holds even on a connection that somehow kept the owner's role.
 * Every access to tenant data goes through here.
 */
export async function withTenant<T>(
  db: Kysely<Database>,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  opts: TxOptions = {},
): Promise<T> {
  let begin = opts.readOnly ? db.transaction().setAccessMode('read only') : db.transaction();
  if (opts.repeatableRead || opts.snapshot !== undefined) begin = begin.setIsolationLevel('repeatable read');
  if (opts.snapshot !== undefined && !SNAPSHOT_ID.test(opts.snapshot))
    throw new Error(`Not a snapshot id: ${JSON.stringify(opts.snapshot)}`);
  return begin.execute(async (tx) => {
    // Before any other statement of the transaction, as PostgreSQL requires.
    if (opts.snapshot !== undefined) await sql.raw(`set transaction snapshot '${opts.snapshot}'`).execute(tx);
    await tenantScopeStatement(tenantId, !!opts.genericPlans).execute(tx);
    return fn(tx);
  });
}

/**
 * Runs fn as the system role (SET LOCAL ROLE), for the few reads that must look across tenants:
 * token lookup, tenants by slug, which tenants have due or expired sends, orphaned imports. Policies
 * let that role read those tables only (and create tenants); writes go through withTenant.
 */
export async function withSystem<T>(db: Kysely<Database>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    // Without parameters: on PostgreSQL it travels with the transaction's begin (db/deferred-begin.ts).
    await sql.raw(`${WITH_NEXT} set local role ${SYSTEM_ROLE}`).execute(tx);
    return fn(tx);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The statement that scopes a transaction to a tenant. A tenant id is a uuid (the column's type), so
 * it is written into the text: a statement without parameters travels with the transaction's begin
 * on PostgreSQL (db/deferred-begin.ts), one round trip less on every call. It is written as `set local`
 * commands (the same settings as set_config(…, true)): a utility command is not planned and answers no
 * row, where `select set_config(…)` was a query to plan, execute and send back. decide_channel's call in
 * process on PostgreSQL (one connection, interleaved A/B, 2026-12-06): node 257 → 216 µs, PostgreSQL
 * 302 → 278 µs per call. Anything else is bound as a parameter (and then fails like any id that names
 * no tenant).
 */
function tenantScopeStatement(tenantId: string, genericPlans: boolean) {
  if (UUID.test(tenantId)) {
    let text = SCOPE_TEXTS.get(tenantId);
    if (!text) {
      if (SCOPE_TEXTS.size >= MAX_SCOPE_TEXTS) SCOPE_TEXTS.clear();
      const scope = `${WITH_NEXT} set local role ${APP_ROLE}; set local app.tenant_id = '${tenantId}'`;
      text = [scope, `${scope}; set local plan_cache_mode = force_generic_plan`] as const;
      SCOPE_TEXTS.set(tenantId, text);
    }
    return sql.raw(text[genericPlans ? 1 : 0]);
  }
  const plans = genericPlans ? sql.raw(`, set_config('plan_cache_mode', 'force_generic_plan', true)`) : sql.raw('');
  return prepared(
    sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)${plans}`,
  );
}

/** The scope statements' texts by tenant id (without, with generic plans): built once, not on every call. */
const SCOPE_TEXTS = new Map<string, readonly [string, string]>();
const MAX_SCOPE_TEXTS = 10_000;

export interface Tenant {
  tenant_id: string;
  slug: string;
  nome: string;
}

/** Finds a tenant by slug, creating it on first use (the stdio default tenant). */
export async function ensureTenant(db: Kysely<Database>, slug: string): Promise<Tenant> {
  return withSystem(db, async (tx) => {
    await tx
      .insertInto('tenants')
      .values({ tenant_id: randomUUID(), slug, nome: slug })
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
    return tx
      .selectFrom('tenants')
      .select(['tenant_id', 'slug', 'nome'])
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
  });
}
