import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withTenant } from '../../db/tenant.js';
import { loadPolicy, type OutreachPolicy } from '../outreach/policy.js';

/** How long a tenant's policy is reused: a changed send window applies within this. */
const TTL_MS = 5000;

/**
 * Tenants' outreach policies for an executor, re-read at most every 5 s of real time. The age is
 * measured with performance.now(), not the injected clock: it bounds how stale a cached policy is,
 * whatever time a test's clock says (a fixed clock would otherwise keep a policy for ever).
 */
export class PolicyCache {
  private readonly entries = new Map<string, { at: number; policy: Promise<OutreachPolicy> }>();

  constructor(private readonly db: Kysely<Database>) {}

  get(tenantId: string): Promise<OutreachPolicy> {
    const cached = this.entries.get(tenantId);
    if (cached && performance.now() - cached.at < TTL_MS) return cached.policy;
    const policy = withTenant(this.db, tenantId, async (tx) => {
      const t = await tx
        .selectFrom('tenants')
        .select(['tenant_id', 'nome'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return loadPolicy(tx, t);
    });
    this.entries.set(tenantId, { at: performance.now(), policy });
    policy.catch(() => this.entries.delete(tenantId));
    return policy;
  }
}
