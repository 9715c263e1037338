import type { OAuthConfig } from '../config.js';
import type { OAuthRefusal } from './verifier.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 Protected Resource Metadata: which authorization server issues tokens for this server and
 * which scopes it understands. A client that gets our 401 reads `resource_metadata` from the
 * WWW-Authenticate header, fetches this, and asks that issuer for a token with `resource` as audience.
 */
export function protectedResourceMetadata(cfg: OAuthConfig): Record<string, unknown> {
  return {
    resource: cfg.resource,
    authorization_servers: [cfg.issuer],
    scopes_supported: Object.keys(cfg.scopeMap),
    bearer_methods_supported: ['header'],
    resource_name: 'agente-disparo-agenda',
  };
}

/** Where the metadata is served: `/.well-known/oauth-protected-resource` plus the resource's path (RFC 9728 §3.1). */
export function metadataUrl(cfg: OAuthConfig): string {
  const u = new URL(cfg.resource);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}${WELL_KNOWN}${path}`;
}

/** The request paths that answer with the metadata: the RFC 9728 one for our resource, and the bare one. */
export function metadataPaths(cfg: OAuthConfig): Set<string> {
  return new Set([WELL_KNOWN, new URL(metadataUrl(cfg)).pathname]);
}

/**
 * The WWW-Authenticate challenge of a refusal (RFC 6750 §3): with OAuth configured it names the
 * metadata (`resource_metadata`, RFC 9728 §5.1) so a client can find the issuer; for a token without
 * the scopes it needs, `insufficient_scope` and the scope to ask for.
 */
export function bearerChallenge(
  cfg: OAuthConfig | undefined,
  refusal?: { error?: OAuthRefusal; description?: string },
): string {
  const params = ['realm="agente-disparo-agenda"'];
  if (cfg) params.push(`resource_metadata="${metadataUrl(cfg)}"`);
  if (refusal?.error) params.push(`error="${refusal.error}"`);
  if (refusal?.description) params.push(`error_description="${refusal.description.replace(/["\\]/g, '')}"`);
  if (refusal?.error === 'insufficient_scope' && cfg) {
    const read = Object.entries(cfg.scopeMap).find(([, ours]) => ours === 'read')?.[0];
    if (read) params.push(`scope="${read}"`);
  }
  return `Bearer ${params.join(', ')}`;
}
