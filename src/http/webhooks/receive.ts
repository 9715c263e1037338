import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../core/model/index.js';
import type { Logger } from '../../core/ports.js';
import type { Database } from '../../db/schema.js';
import { json, reject } from '../answers.js';
import { holdUntilAnswered, readBody, type ByteBudget } from '../body.js';
import { EndpointCache } from './endpoints.js';
import type { StoreBatcher } from './store-batcher.js';
import { verifyWebhook } from './verify.js';

/** What the webhook receiver needs, set up once per process. */
export interface WebhookContext {
  db: Kysely<Database>;
  logger: Logger;
  endpoints: EndpointCache;
  store: StoreBatcher;
  bodies: ByteBudget;
  maxBodyBytes: number;
  /** AGENTE_HTTP_PUBLIC_URL: its origin is the URL Twilio signed, behind a proxy. */
  publicUrl?: string;
  now: () => number;
  /** Called once the raw event is stored: processing happens after the answer. */
  stored: (tenantId: string) => void;
  counts: WebhookCounts;
}

/** Requests by outcome, per provider: what `get_status`/logs and tests read. */
export type WebhookCounts = Record<string, number>;

const count = (c: WebhookCounts, provider: string, outcome: string) => {
  const k = `${provider}.${outcome}`;
  c[k] = (c[k] ?? 0) + 1;
};

/**
 * /webhooks/{provider}/{endpoint}: a provider's delivery for one tenant's endpoint. The request is
 * verified on its raw bytes (verify.ts) before anything is parsed; a verified body is stored raw
 * (eventos_recebidos) and answered 200 at once, and processed after (InboundProcessor). Refusals —
 * unknown endpoint 404, unsigned 401, bad signature or stale 403, too large 413 — are counted and
 * never stored. A delivery already stored (a provider's retry, or a replay of it) is answered 200 and
 * not processed again. Meta's GET hub.challenge check is answered from the endpoint's verify token.
 * These paths need no bearer token: the provider's signature is the authentication.
 */
export async function serveWebhook(
  w: WebhookContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const [, , provider = '', endpointId = '', extra] = path.split('/');
  if (extra !== undefined || !(WEBHOOK_PROVIDERS as readonly string[]).includes(provider)) {
    count(w.counts, 'any', 'not_found');
    return reject(req, res, 404, `Not found: webhooks are /webhooks/{${WEBHOOK_PROVIDERS.join('|')}}/{endpoint id}`);
  }
  const p = provider as WebhookProvider;
  const ep = await w.endpoints.get(endpointId);
  if (!ep || ep.provedor !== p) {
    count(w.counts, p, 'not_found');
    return reject(req, res, 404, 'Not found: no such webhook endpoint');
  }
  if (req.method === 'GET' && p === 'whatsapp_cloud') return metaChallenge(w, req, res, ep.verify_token);
  if (req.method !== 'POST') return reject(req, res, 405, 'Method not allowed: POST');
  if (Number(req.headers['content-length'] ?? 0) > w.maxBodyBytes) {
    count(w.counts, p, 'too_large');
    return reject(req, res, 413, `Webhook body over ${w.maxBodyBytes} bytes (AGENTE_WEBHOOK_MAX_BODY_BYTES)`);
  }
  const hold = holdUntilAnswered(res, w.bodies);
  const body = await readBody(req, w.maxBodyBytes, w.bodies);
  hold(body.bytes);
  if (!body.ok) {
    count(w.counts, p, body.status === 413 ? 'too_large' : 'bad_body');
    return reject(req, res, body.status, body.message, -32000, body.retryAfterS);
  }
  const url = twilioUrl(w, req, ep.url_publica);
  const verdict = verifyWebhook(p, { headers: req.headers, raw: body.raw, url, secret: ep.segredo, now: w.now() });
  if (!verdict.ok) {
    count(w.counts, p, verdict.reason);
    w.logger.warn({ provider: p, endpoint: ep.endpoint_id, reason: verdict.reason }, 'webhook refused');
    return json(res, verdict.status, { error: verdict.reason });
  }
  const stored = await w.store.store(ep.tenant_id, {
    provider: p,
    endpointId: ep.endpoint_id,
    deliveryKey: verdict.deliveryKey,
    contentType: req.headers['content-type'] ?? null,
    body: body.text,
    receivedAt: new Date(w.now()),
  });
  count(w.counts, p, stored.duplicate ? 'duplicate' : 'accepted');
  json(res, 200, { ok: true, duplicate: stored.duplicate });
  if (!stored.duplicate) w.stored(ep.tenant_id);
}

/** Meta's subscription check: GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… → the challenge. */
function metaChallenge(w: WebhookContext, req: IncomingMessage, res: ServerResponse, token: string | null): void {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  if (q.get('hub.mode') === 'subscribe' && token && q.get('hub.verify_token') === token && q.get('hub.challenge')) {
    count(w.counts, 'whatsapp_cloud', 'verified');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(q.get('hub.challenge')!.slice(0, 200));
    return;
  }
  count(w.counts, 'whatsapp_cloud', 'bad_verify_token');
  json(res, 403, { error: 'bad_verify_token' });
}

/** The URL Twilio called and signed: the endpoint's public URL, else this request under AGENTE_HTTP_PUBLIC_URL's origin. */
function twilioUrl(w: WebhookContext, req: IncomingMessage, stored: string | null): string {
  if (stored) return stored;
  const origin = w.publicUrl ? new URL(w.publicUrl).origin : `http://${req.headers.host}`;
  return `${origin}${req.url ?? '/'}`;
}
