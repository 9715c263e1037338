import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Kysely } from 'kysely';
import type { OAuthConfig } from '../config.js';
import type { Database } from '../db/schema.js';
import { ensureTenant, withSystem, type Tenant } from '../db/tenant.js';
import type { Principal, Scope } from './tokens.js';

/** What checking one access token gave: who it is (until when), or why it is refused. */
export type Checked =
  { principal: Principal; until?: number } | { refused: 'invalid_token' | 'insufficient_scope'; description: string };

/** A JWT: three base64url parts. Anything else is not one of ours and is never parsed. */
export const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}$/;
const MAX_JWT_LENGTH = 8192;
/** Signed with a key pair only: the keys come from a public JWKS, so a shared-secret (HS*) JWT is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const TENANT_SLUG = /^[a-z0-9][a-z0-9_.-]{0,62}$/i;

/**
 * OAuth 2.1 access tokens (JWTs, RFC 9068) from the configured authorization server: the signature
 * against the issuer's JWKS (fetched, cached and refreshed on an unknown key id by jose), `iss` equal to
 * the issuer, `aud` naming this server, `exp` present and not past; then the scopes named in the scope
 * claim mapped to ours (read, dispatch, admin) and the tenant named in the tenant claim — which must
 * exist, unless AGENTE_OAUTH_CREATE_TENANTS says to create it (README, "OAuth").
 */
export class OAuthTokens {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private discovering?: Promise<ReturnType<typeof createRemoteJWKSet>>;
  private readonly tenants = new Map<string, Tenant>();

  constructor(
    private readonly cfg: OAuthConfig,
    private readonly db: Kysely<Database>,
  ) {}

  matches(token: string): boolean {
    return token.length <= MAX_JWT_LENGTH && JWT_SHAPE.test(token);
  }

  async check(token: string): Promise<Checked> {
    const jwks = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.cfg.clockToleranceS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      return { refused: 'invalid_token', description: refusal(err) };
    }
    const granted = scopesOf(payload, this.cfg.scopeClaim)
      .map((s) => this.cfg.scopeMap[s])
      .filter((s): s is Scope => !!s);
    if (!granted.length) {
      return {
        refused: 'insufficient_scope',
        description: `the token grants none of this server's scopes (${Object.keys(this.cfg.scopeMap).join(', ')})`,
      };
    }
    const slug = payload[this.cfg.tenantClaim];
    if (typeof slug !== 'string' || !TENANT_SLUG.test(slug)) {
      return {
        refused: 'invalid_token',
        description: `the token has no usable ${this.cfg.tenantClaim} claim (the tenant)`,
      };
    }
    const tenant = await this.tenant(slug);
    if (!tenant) return { refused: 'invalid_token', description: `tenant ${slug} does not exist on this server` };
    const client = [payload.client_id, payload.azp].find((v): v is string => typeof v === 'string');
    return {
      principal: {
        token_id: `oauth:${payload.sub}`.slice(0, 200),
        name: client?.slice(0, 100) ?? null,
        tenant,
        scopes: [...new Set(granted)],
        source: 'oauth',
      },
      until: payload.exp! * 1000,
    };
  }

  /** The issuer's key set: AGENTE_OAUTH_JWKS_URL, or the jwks_uri of its metadata (RFC 8414, then OpenID). */
  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    this.discovering ??= (async () => {
      const url = this.cfg.jwksUrl ?? (await discoverJwksUri(this.cfg.issuer));
      return createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    })();
    try {
      this.jwks = await this.discovering;
      return this.jwks;
    } finally {
      this.discovering = undefined;
    }
  }

  /** The tenant a token names, cached once found (tenants are never deleted while the server runs). */
  private async tenant(slug: string): Promise<Tenant | undefined> {
    const cached = this.tenants.get(slug);
    if (cached) return cached;
    const found = this.cfg.createTenants
      ? await ensureTenant(this.db, slug)
      : await withSystem(this.db, (tx) =>
          tx.selectFrom('tenants').select(['tenant_id', 'slug', 'nome']).where('slug', '=', slug).executeTakeFirst(),
        );
    if (found) {
      if (this.tenants.size >= 10_000) this.tenants.clear();
      this.tenants.set(slug, found);
    }
    return found;
  }
}

/** The scopes of a token: a space-separated string (RFC 9068 "scope") or an array ("scp"). */
function scopesOf(payload: JWTPayload, claim: string): string[] {
  const v = payload[claim] ?? (claim === 'scope' ? payload.scp : undefined);
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return [];
}

/** Why a JWT was refused, in words a client can act on (never the token itself). */
function refusal(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'the token is not for this server (audience)';
    if (err.claim === 'iss') return 'the token is not from the configured issuer';
    return `the token's ${err.claim} claim is not acceptable`;
  }
  if (err instanceof errors.JWKSNoMatchingKey) return "the token is not signed with one of the issuer's keys";
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (err instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm this server does not accept';
  if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) throw err; // the issuer is unreachable: not the client's fault
  return 'the token is not a valid access token';
}

/** The jwks_uri of an authorization server, from its RFC 8414 metadata or, failing that, its OpenID configuration. */
async function discoverJwksUri(issuer: string): Promise<string> {
  const base = issuer.replace(/\/$/, '');
  const u = new URL(base);
  const candidates = [
    `${u.origin}/.well-known/oauth-authorization-server${u.pathname === '/' ? '' : u.pathname}`,
    `${base}/.well-known/openid-configuration`,
  ];
  for (const url of candidates) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
      if (!res.ok) continue;
      const meta = (await res.json()) as { jwks_uri?: unknown };
      if (typeof meta.jwks_uri === 'string') return meta.jwks_uri;
    } catch {
      // try the next one
    }
  }
  throw new Error(`cannot find the JWKS of ${issuer}: set AGENTE_OAUTH_JWKS_URL`);
}
