import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { WebhookProvider } from '../../core/model/index.js';
import type { Database, WebhookEndpointsTable } from '../../db/schema.js';
import { ensureTenant, withSystem, withTenant } from '../../db/tenant.js';

/** An endpoint as a webhook request needs it: its row, less the bookkeeping columns. */
export type WebhookEndpoint = Omit<Selectable<WebhookEndpointsTable>, 'ativo' | 'created_at'>;

/**
 * Endpoints by id, looked up across tenants (the URL names the endpoint, not the tenant) and kept
 * for a few seconds, so a flood of webhooks costs no lookup each — nor does a flood of unknown ids
 * (kept as "none", the map bounded).
 */
export class EndpointCache {
  private readonly map = new Map<string, { at: number; e: WebhookEndpoint | null }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 5000,
    private readonly max = 10_000,
  ) {}

  async get(id: string, now = Date.now()): Promise<WebhookEndpoint | null> {
    const hit = this.map.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.e;
    const e = /^[A-Za-z0-9_-]{16,64}$/.test(id)
      ? ((await withSystem(this.db, (tx) =>
          tx
            .selectFrom('webhook_endpoints')
            .select(['endpoint_id', 'tenant_id', 'provedor', 'segredo', 'verify_token', 'url_publica'])
            .where('endpoint_id', '=', id)
            .where('ativo', '=', true)
            .executeTakeFirst(),
        )) ?? null)
      : null;
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(id, { at: now, e });
    return e;
  }
}

/** `webhook create`: a new endpoint of a tenant for one provider; returns its id (the URL's last part). */
export async function createEndpoint(
  db: Kysely<Database>,
  o: { tenantSlug: string; provider: WebhookProvider; secret: string; verifyToken?: string; publicUrl?: string },
): Promise<{ endpoint_id: string; tenant_id: string }> {
  const tenant = await ensureTenant(db, o.tenantSlug);
  const id = randomBytes(18).toString('base64url');
  await withTenant(db, tenant.tenant_id, (tx) =>
    tx
      .insertInto('webhook_endpoints')
      .values({
        endpoint_id: id,
        tenant_id: tenant.tenant_id,
        provedor: o.provider,
        segredo: o.secret,
        verify_token: o.verifyToken ?? null,
        url_publica: o.publicUrl ?? null,
      })
      .execute(),
  );
  return { endpoint_id: id, tenant_id: tenant.tenant_id };
}
