import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Tx = Transaction<Database>;

/**
 * Runs fn in a transaction scoped to one tenant: `app.tenant_id` is set for the transaction only
 * (set_config(..., true) = SET LOCAL), so row-level security policies on app.tenant_id can be switched
 * on without touching any query. Every access to tenant data goes through here.
 */
export async function withTenant<T>(db: Kysely<Database>, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(tx);
    return fn(tx);
  });
}

export interface Tenant {
  tenant_id: string;
  slug: string;
  nome: string;
}

/** Finds a tenant by slug, creating it on first use (the stdio default tenant). */
export async function ensureTenant(db: Kysely<Database>, slug: string): Promise<Tenant> {
  await db
    .insertInto('tenants')
    .values({ slug, nome: slug })
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  return db.selectFrom('tenants').select(['tenant_id', 'slug', 'nome']).where('slug', '=', slug).executeTakeFirstOrThrow();
}
