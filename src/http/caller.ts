/** Who is calling over HTTP: the bearer-token check, the answer when it fails, and the deps of the caller's server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { addressKey } from '../auth/attempt-limiter.js';
import { bearerChallenge } from '../auth/protected-resource.js';
import type { Principal } from '../auth/tokens.js';
import type { TokenVerifier, Verdict } from '../auth/verifier.js';
import type { OAuthConfig } from '../config.js';
import type { ServerDeps } from '../deps.js';
import { reject } from './answers.js';

export interface CallerOptions {
  /** 'token': every request needs a bearer token (the default). 'none': loopback only, default tenant. */
  auth: 'token' | 'none';
}

export async function authenticate(
  req: IncomingMessage,
  deps: Omit<ServerDeps, 'transport'>,
  opts: CallerOptions,
  verifier: TokenVerifier,
): Promise<Verdict> {
  if (opts.auth === 'none')
    return {
      ok: true,
      principal: {
        token_id: 'none',
        name: null,
        tenant: deps.tenant,
        scopes: ['read', 'dispatch', 'admin'],
        source: 'none',
      },
    };
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return verifier.verify(bearer, addressKey(req.socket.remoteAddress));
}

/** Answers a refused caller: 429 after a tarpit when its address failed too often, else 401 or 403 with a challenge. */
export async function refuseCaller(
  req: IncomingMessage,
  res: ServerResponse,
  refusal: Extract<Verdict, { ok: false }>,
  oauth: OAuthConfig | undefined,
  failDelayMs: number,
): Promise<void> {
  if (refusal.reason === 'rate_limited') {
    await tarpit(res, failDelayMs);
    if (res.destroyed) return;
    return reject(
      req,
      res,
      429,
      'Too many failed authentications from this address; retry later with a valid bearer token.',
      -32000,
      Math.ceil(refusal.retryAfterMs / 1000),
    );
  }
  res.setHeader('WWW-Authenticate', bearerChallenge(oauth, refusal));
  if (refusal.error === 'insufficient_scope') {
    return reject(req, res, 403, `Forbidden: ${refusal.description ?? 'the token lacks the scope this needs'}`);
  }
  return reject(
    req,
    res,
    401,
    refusal.description
      ? `Invalid bearer token: ${refusal.description}`
      : 'Missing or invalid bearer token (create one with: agente-disparo-agenda token create --tenant SLUG)',
  );
}

/**
 * depsFor, kept per principal object: the verifier (auth/verifier.ts) hands out the same Principal for
 * a token while its check is fresh and a new object once it checked again, so a caller whose scopes or
 * tenant changed gets new deps, and one no longer verified is forgotten with its principal (WeakMap).
 * Copying the process's deps costs ~10 µs of every HTTP request otherwise.
 */
export function callerDeps(deps: Omit<ServerDeps, 'transport'>, opts: CallerOptions): (p: Principal) => ServerDeps {
  const kept = new WeakMap<Principal, ServerDeps>();
  return (p) => {
    let d = kept.get(p);
    if (!d) kept.set(p, (d = depsFor(deps, p, opts)));
    return d;
  };
}

/** The dependencies of the server built for one caller: its tenant, its scopes, and who acts in audits. */
export function depsFor(deps: Omit<ServerDeps, 'transport'>, p: Principal, opts: CallerOptions): ServerDeps {
  return {
    ...deps,
    tenant: p.tenant,
    scopes: p.scopes,
    transport: 'http',
    actor:
      opts.auth === 'none'
        ? { kind: 'stdio', tenantSlug: deps.tenant.slug }
        : { kind: 'token', tokenId: p.token_id, name: p.name },
  };
}

/** Waits before a refusal (the client's connection stays idle meanwhile); returns early if the client leaves. */
function tarpit(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}
