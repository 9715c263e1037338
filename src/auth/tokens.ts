import { hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { ensureTenant, withSystem, withTenant, type Tenant } from '../db/tenant.js';

export type Scope = 'read' | 'dispatch' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'dispatch', 'admin'];

const PREFIX = 'ada_';
/** How much of a token is stored in clear (api_tokens.prefixo) to name it in `token revoke`. */
export const TOKEN_PREFIX_LENGTH = 12;

/** sha256 of the token, hex. One-shot `hash()`: a quarter of createHash's cost, paid on every HTTP request. */
export const hashToken = (token: string) => hash('sha256', token, 'hex');

export interface CreatedToken {
  token: string;
  token_id: string;
  tenant: Tenant;
  scopes: Scope[];
}

/** Creates a bearer token bound to a tenant (created if new). Only the hash is stored. */
export async function createToken(
  db: Kysely<Database>,
  tenantSlug: string,
  opts: { name?: string; scopes?: Scope[] } = {},
): Promise<CreatedToken> {
  const scopes = opts.scopes ?? ['read', 'dispatch'];
  const tenant = await ensureTenant(db, tenantSlug);
  const token = PREFIX + randomBytes(32).toString('base64url');
  const row = await withTenant(db, tenant.tenant_id, (tx) =>
    tx
      .insertInto('api_tokens')
      .values({
        tenant_id: tenant.tenant_id,
        nome: opts.name ?? null,
        prefixo: token.slice(0, TOKEN_PREFIX_LENGTH),
        token_hash: hashToken(token),
        escopos: scopes,
      })
      .returning('token_id')
      .executeTakeFirstOrThrow(),
  );
  return { token, token_id: row.token_id, tenant, scopes };
}

/** Revokes by token id or by the token's visible prefix; returns how many were revoked. */
export async function revokeToken(db: Kysely<Database>, idOrPrefix: string): Promise<number> {
  const isUuid = /^[0-9a-f-]{36}$/i.test(idOrPrefix);
  // Found across tenants (the operator names a token, not a tenant), revoked inside its tenant.
  const found = await withSystem(db, (tx) =>
    tx
      .selectFrom('api_tokens')
      .select(['token_id', 'tenant_id'])
      .where(isUuid ? 'token_id' : 'prefixo', '=', isUuid ? idOrPrefix : idOrPrefix.slice(0, TOKEN_PREFIX_LENGTH))
      .where('revoked_at', 'is', null)
      .execute(),
  );
  let n = 0;
  for (const t of found) {
    const res = await withTenant(db, t.tenant_id, (tx) =>
      tx
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('token_id', '=', t.token_id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    n += Number(res.numUpdatedRows);
  }
  if (n === 0) throw new AppError('not_found', `No active token matches ${idOrPrefix}`);
  return n;
}

export interface Principal {
  token_id: string;
  /** The name given at `token create` (audit rows say who acted). */
  name: string | null;
  tenant: Tenant;
  scopes: Scope[];
  /** A static token (`token create`), an OAuth access token, or no authentication (--no-auth on loopback). */
  source?: 'token' | 'oauth' | 'none';
}

/** The tenant and scopes behind a bearer token, or null when unknown or revoked. */
export async function verifyToken(db: Kysely<Database>, token: string): Promise<Principal | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  // Which tenant a token belongs to is the one question asked before any tenant is known.
  const row = await withSystem(db, (tx) =>
    tx
      .selectFrom('api_tokens as k')
      .innerJoin('tenants as t', 't.tenant_id', 'k.tenant_id')
      .select(['k.token_id', 'k.nome as token_nome', 'k.escopos', 't.tenant_id', 't.slug', 't.nome'])
      .where('k.token_hash', '=', hashToken(token))
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst(),
  );
  if (!row) return null;
  return {
    token_id: row.token_id,
    name: row.token_nome,
    tenant: { tenant_id: row.tenant_id, slug: row.slug, nome: row.nome },
    scopes: row.escopos as Scope[],
    source: 'token',
  };
}
