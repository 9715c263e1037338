import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import pLimit from 'p-limit';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { Claimed, Destination, Outcome } from '../core/events/deliveries.js';

/**
 * One webhook delivery per event, signed as Standard Webhooks: `webhook-id` (the event id, the same on
 * every retry: the receiver's dedupe key), `webhook-timestamp` (seconds), `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per secret in force, space-separated). The body is
 * the CloudEvent (structured mode). Bounded: request body ≤ MAX_BODY, response read ≤ 4 KB, a timeout,
 * no redirects followed. Requests go through one undici Agent (keep-alive, at most `concurrency`
 * connections per origin): its `request` is ≈ 4× the rate of fetch() on the same machine (bench/events).
 */
export interface WebhookTransportOptions {
  timeoutMs: number;
  concurrency: number;
  /** AGENTE_EVENTS_ALLOW_PRIVATE_URLS=true: loopback and private addresses allowed (tests, a private network). */
  allowPrivate: boolean;
}

export const MAX_BODY = 64 * 1024;

export function signatures(secrets: readonly string[], id: string, at: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ');
}

export function makeWebhookTransport(o: WebhookTransportOptions) {
  const limit = pLimit(o.concurrency);
  const agent = new Agent({
    connections: o.concurrency,
    keepAliveTimeout: 10_000,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });
  const signers = new Map<string, Webhook>();
  const sign = (secrets: readonly string[], id: string, at: Date, body: string) =>
    secrets
      .map((s) => {
        let w = signers.get(s);
        if (!w) signers.set(s, (w = new Webhook(s)));
        return w.sign(id, at, body);
      })
      .join(' ');
  const hostChecks = new Map<string, { ok: boolean; at: number }>();
  const hostAllowed = async (host: string): Promise<boolean> => {
    if (o.allowPrivate) return true;
    const c = hostChecks.get(host);
    if (c && Date.now() - c.at < 60_000) return c.ok;
    const bare = host.replace(/^\[|\]$/g, '');
    const addrs = isIP(bare) ? [bare] : (await lookup(bare, { all: true }).catch(() => [])).map((a) => a.address);
    const ok = addrs.length > 0 && addrs.every((a) => !isPrivateAddress(a));
    hostChecks.set(host, { ok, at: Date.now() });
    return ok;
  };
  const transport = async (items: readonly Claimed[], dests: Map<string, Destination>): Promise<Outcome[]> => {
    if (signers.size > 1000) signers.clear();
    return Promise.all(
      items.map((c) =>
        limit(async (): Promise<Outcome> => {
          const d = dests.get(c.destino_id);
          const base = {
            entrega_id: c.entrega_id,
            destino_id: c.destino_id,
            evento_id: c.event.id,
            tentativa: c.tentativa,
          };
          if (!d?.url) return { ...base, ok: false, erro: 'destino_removido', duracao_ms: 0 };
          const url = new URL(d.url);
          if (!(await hostAllowed(url.hostname)))
            return {
              ...base,
              ok: false,
              erro: 'endereco_privado',
              disable: 'private or unresolvable address refused',
              duracao_ms: 0,
            };
          return post(agent, sign, d, c, o.timeoutMs).then((r) => ({ ...base, ...r }));
        }),
      ),
    );
  };
  return Object.assign(transport, { close: () => agent.close() });
}

async function post(
  agent: Agent,
  sign: typeof signatures,
  d: Destination,
  c: Claimed,
  timeoutMs: number,
): Promise<Omit<Outcome, 'entrega_id' | 'destino_id' | 'evento_id' | 'tentativa'>> {
  const body = JSON.stringify(c.event);
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  if (Buffer.byteLength(body) > MAX_BODY) return { ok: false, erro: 'corpo_grande_demais', duracao_ms: 0 };
  const at = new Date();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await request(d.url!, {
      dispatcher: agent,
      method: 'POST',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'agente-disparo-agenda-webhooks/1',
        'webhook-id': c.event.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': sign(d.segredos, c.event.id, at, body),
      },
      body,
    });
    await drain(res.body);
    const s = res.statusCode;
    if (s >= 200 && s < 300) return { ok: true, http_status: s, duracao_ms: ms() };
    const ra = res.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(ra) ? (ra[0] ?? null) : (ra ?? null));
    if (s === 410)
      return {
        ok: false,
        http_status: s,
        erro: 'http_410',
        disable: 'HTTP 410 Gone from the endpoint',
        duracao_ms: ms(),
      };
    if (s === 429)
      return {
        ok: false,
        http_status: s,
        erro: 'http_429',
        retryAfterMs,
        pauseMs: retryAfterMs ?? 5000,
        duracao_ms: ms(),
      };
    return {
      ok: false,
      http_status: s,
      erro: `http_${s}`,
      retryAfterMs: s >= 500 ? retryAfterMs : undefined,
      duracao_ms: ms(),
    };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    const timedOut = signal.aborted || e.name === 'TimeoutError' || /Timeout/.test(e.code ?? '');
    const erro = timedOut ? 'timeout' : (e.cause?.code ?? e.code ?? e.name ?? 'erro').toString().slice(0, 60);
    return { ok: false, erro, duracao_ms: ms() };
  }
}

/** Reads at most 4 KB of the answer and drops the rest (a receiver cannot make us buffer a large body). */
async function drain(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<void> {
  let n = 0;
  try {
    for await (const chunk of body) {
      n += chunk.byteLength;
      if (n >= 4096) break;
    }
  } catch {
    /* the status is what counts */
  } finally {
    if (n >= 4096) body.destroy();
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d{1,9}$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/** Loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified and metadata addresses. */
export function isPrivateAddress(a: string): boolean {
  if (a.includes(':')) {
    const l = a.toLowerCase();
    if (l.startsWith('::ffff:')) return isPrivateAddress(l.slice(7));
    return l === '::1' || l === '::' || /^f[cd]/.test(l) || /^fe[89ab]/.test(l);
  }
  const [x, y] = a.split('.').map(Number);
  return (
    x === 10 ||
    x === 127 ||
    x === 0 ||
    (x === 169 && y === 254) ||
    (x === 172 && y >= 16 && y <= 31) ||
    (x === 192 && y === 168) ||
    (x === 100 && y >= 64 && y <= 127)
  );
}
