/**
 * A loopback fake of api.resend.com's POST /emails, answering as Resend does: 200 {"id": uuid}; errors
 * as {"statusCode", "message", "name"} with Resend's names and statuses; the Idempotency-Key header
 * honoured for 24 h (same key + same payload → the first answer again and no new e-mail; same key +
 * another payload → 409 invalid_idempotent_request; while the first is still in progress → 409
 * concurrent_idempotent_requests). resend-mcp reaches it through RESEND_BASE_URL,
 * which the Resend SDK reads.
 *
 * Behaviour by the recipient's local part: `ratelimit…` → 429 rate_limit_exceeded, `quota…` → 429
 * daily_quota_exceeded, `falha500…` → 500 internal_server_error, `invalido…` → 422 validation_error on
 * `to`, `devagar…` → success after SLOW_MS. A sender outside the verified domain → 403 validation_error;
 * a wrong API key → 401 validation_error "API key is invalid".
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SLOW_MS = 2_500;

export interface ResendEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
  idempotencyKey: string | null;
}

export interface FakeResend {
  url: string;
  requests: Array<{ status: number; idempotencyKey: string | null; body: Record<string, unknown> }>;
  /** E-mails accepted for delivery (idempotent replays not counted). */
  delivered: ResendEmail[];
  close(): Promise<void>;
}

const err = (statusCode: number, name: string, message: string) => ({
  status: statusCode,
  body: { statusCode, message, name },
});

export async function startFakeResend(opts: { apiKey: string; domain: string }): Promise<FakeResend> {
  const requests: FakeResend['requests'] = [];
  const delivered: ResendEmail[] = [];
  const keys = new Map<string, { payload: string; status: number; body: unknown }>();
  const inflight = new Set<string>();
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      /* answered below */
    }
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      requests.push({ status, idempotencyKey: key, body });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };
    if (req.method !== 'POST' || req.url !== '/emails')
      return answer(404, err(404, 'not_found', 'The requested endpoint does not exist.').body);
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`)
      return answer(401, err(401, 'validation_error', 'API key is invalid').body);
    if (key !== null) {
      const seen = keys.get(key);
      if (seen && seen.payload !== raw)
        return answer(
          409,
          err(
            409,
            'invalid_idempotent_request',
            'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
          ).body,
        );
      if (seen) return answer(seen.status, seen.body);
      if (inflight.has(key))
        return answer(
          409,
          err(
            409,
            'concurrent_idempotent_requests',
            'Same idempotency key used while original request is still in progress. Try the request again later.',
          ).body,
        );
    }
    const to = (Array.isArray(body.to) ? body.to : [body.to]).map(String);
    const local = to[0]?.split('@')[0] ?? '';
    const from = String(body.from ?? '');
    const fromDomain = /@([^>\s]+)>?$/.exec(from)?.[1] ?? '';
    const refusal = local.startsWith('ratelimit')
      ? err(
          429,
          'rate_limit_exceeded',
          'Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.',
        )
      : local.startsWith('quota')
        ? err(429, 'daily_quota_exceeded', 'You have reached your daily email sending quota.')
        : local.startsWith('falha500')
          ? err(500, 'internal_server_error', 'An unexpected error occurred.')
          : local.startsWith('invalido')
            ? err(
                422,
                'validation_error',
                'Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
              )
            : fromDomain !== opts.domain
              ? err(
                  403,
                  'validation_error',
                  `The ${fromDomain || 'sender'} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
                )
              : null;
    if (refusal)
      return answer(
        refusal.status,
        refusal.body,
        refusal.status === 429
          ? { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '1', 'retry-after': '1' }
          : {},
      );
    if (local.startsWith('devagar')) {
      if (key !== null) inflight.add(key);
      await new Promise((r) => setTimeout(r, SLOW_MS));
      if (key !== null) inflight.delete(key);
    }
    const id = randomUUID();
    delivered.push({
      id,
      from,
      to,
      subject: String(body.subject ?? ''),
      ...(typeof body.text === 'string' ? { text: body.text } : {}),
      ...(typeof body.html === 'string' ? { html: body.html } : {}),
      idempotencyKey: key,
    });
    if (key !== null) keys.set(key, { payload: raw, status: 200, body: { id } });
    answer(200, { id });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    delivered,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
