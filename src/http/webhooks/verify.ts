import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import twilio from 'twilio';
import type { WebhookProvider } from '../../core/model/index.js';

export type Verdict =
  { ok: true; deliveryKey: string } | { ok: false; status: 401 | 403; reason: 'unsigned' | 'bad_signature' | 'stale' };

export interface VerifyInput {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** The full URL the provider called (Twilio signs it). */
  url: string;
  secret: string;
  now: number;
}

/** How old a request that carries its sending time may be (WAHA's X-Webhook-Timestamp). */
export const MAX_AGE_MS = 5 * 60_000;

/**
 * Checks a webhook request the way its provider signs it, on the raw bytes, in constant time:
 * - WhatsApp Cloud API: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`;
 * - Twilio: `X-Twilio-Signature`: base64 HMAC-SHA1(auth token, full URL + sorted form params), checked
 *   by the `twilio` package's validateRequest;
 * - WAHA: `X-Webhook-Hmac: <hex HMAC-SHA512(key, body)>`, and `X-Webhook-Timestamp` (ms) within 5 min;
 * - Evolution API: no signature exists — the `apikey` header must equal the instance's key.
 * Missing → 401, wrong or stale → 403. The delivery key says which deliveries are the same one.
 */
export function verifyWebhook(provider: WebhookProvider, v: VerifyInput): Verdict {
  const h = (name: string) => {
    const x = v.headers[name];
    return Array.isArray(x) ? x[0] : x;
  };
  const digest = createHash('sha256').update(v.raw).digest('hex');
  switch (provider) {
    case 'whatsapp_cloud': {
      const sig = h('x-hub-signature-256');
      if (!sig) return { ok: false, status: 401, reason: 'unsigned' };
      const want = `sha256=${createHmac('sha256', v.secret).update(v.raw).digest('hex')}`;
      return same(sig, want) ? { ok: true, deliveryKey: digest } : { ok: false, status: 403, reason: 'bad_signature' };
    }
    case 'twilio': {
      const sig = h('x-twilio-signature');
      if (!sig) return { ok: false, status: 401, reason: 'unsigned' };
      const params = Object.fromEntries(new URLSearchParams(v.raw.toString('utf8')));
      return twilio.validateRequest(v.secret, sig, v.url, params)
        ? { ok: true, deliveryKey: digest }
        : { ok: false, status: 403, reason: 'bad_signature' };
    }
    case 'waha': {
      const sig = h('x-webhook-hmac');
      if (!sig) return { ok: false, status: 401, reason: 'unsigned' };
      const want = createHmac('sha512', v.secret).update(v.raw).digest('hex');
      if (!same(sig.toLowerCase(), want)) return { ok: false, status: 403, reason: 'bad_signature' };
      const ts = Number(h('x-webhook-timestamp'));
      if (h('x-webhook-timestamp') !== undefined && (!Number.isFinite(ts) || Math.abs(v.now - ts) > MAX_AGE_MS))
        return { ok: false, status: 403, reason: 'stale' };
      return { ok: true, deliveryKey: wahaEventId(v.raw) ?? digest };
    }
    case 'evolution': {
      const key = h('apikey');
      if (!key) return { ok: false, status: 401, reason: 'unsigned' };
      return same(key, v.secret)
        ? { ok: true, deliveryKey: digest }
        : { ok: false, status: 403, reason: 'bad_signature' };
    }
  }
}

/** WAHA's envelope id (`evt_…`), the same on every retry of one delivery. */
function wahaEventId(raw: Buffer): string | null {
  try {
    const id = (JSON.parse(raw.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= 200 ? `waha:${id}` : null;
  } catch {
    return null;
  }
}

/** Constant-time equality of two strings (different lengths are simply unequal). */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
