/**
 * A loopback fake of api.twilio.com's Messages endpoint, answering as Twilio does: 201 with the full
 * Message resource (every field of the 2010-04-01 API, "error_code": null included), and Twilio's
 * error body {code, message, more_info, status} with the real HTTP status for each refusal. Only what
 * the real @twilio-alpha/mcp server calls is faked: POST /2010-04-01/Accounts/{AccountSid}/Messages.json
 * (form-encoded, HTTP Basic with an API key SK… and its secret).
 *
 * Behaviour is chosen by the destination number (like Twilio's own magic test numbers):
 *   +15005550001 → 400 21211 invalid 'To'     +15005550009 → 400 21614 not a mobile
 *   +5511900021610 → 400 21610 unsubscribed   +5511900063016 → 400 63016 outside the window (template)
 *   +5511900000429 → 429 20429                 +5511900000503 → 503 20503
 *   +5511900000500 → 500 20500                 +5511900000777 → success after SLOW_MS
 * A From that is not the registered sender → 400 63007; a wrong key or secret → 401 20003.
 *
 * With `window` (issue 16) it enforces WhatsApp's 24-hour window as Twilio does: a ContentSid that is
 * not one of `window.contents` → 400 21655; ContentVariables that are not JSON with exactly the
 * template's variables "1".."n" → 400 21656; a free Body to a number whose window is closed (not in
 * `window.open`) is accepted with 201 and then fails with 63016, reported to the message's
 * StatusCallback (form-encoded, as Twilio posts it) and kept in `failedLater`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioRequest {
  accountSid: string;
  auth: string | null;
  params: Record<string, string>;
  status: number;
}

export interface FakeTwilio {
  url: string;
  port: number;
  /** Every request received, answered or not. */
  requests: TwilioRequest[];
  /** Messages created (201). */
  created: Array<{ sid: string; to: string; from: string; body: string; contentSid?: string; variables?: string }>;
  /** Messages accepted and failed afterwards (the 24-hour window): their SID and error code. */
  failedLater: Array<{ sid: string; code: number }>;
  close(): Promise<void>;
}

export const SLOW_MS = 2_500;

const ERRORS: Record<string, { status: number; code: number; message: (to: string) => string }> = {
  '+15005550001': { status: 400, code: 21211, message: (to) => `Invalid 'To' Phone Number: ${to}` },
  '+15005550009': { status: 400, code: 21614, message: (to) => `'To' number ${to} is not a valid mobile number` },
  '+5511900021610': { status: 400, code: 21610, message: () => 'Attempt to send to unsubscribed recipient' },
  '+5511900063016': {
    status: 400,
    code: 63016,
    message: () =>
      'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  },
  '+5511900000429': { status: 429, code: 20429, message: () => 'Too Many Requests' },
  '+5511900000503': { status: 503, code: 20503, message: () => 'Service Unavailable' },
  '+5511900000500': { status: 500, code: 20500, message: () => 'Internal Server Error' },
};

const errorBody = (status: number, code: number, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status, ...extra });

async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

export interface WindowRules {
  /** Approved Content SIDs and how many variables each takes. */
  contents: Record<string, number>;
  /** Numbers (E.164) whose person wrote in the last 24 h. */
  open: Set<string>;
}

/** Twilio's refusal of a template send, or null when it is fine. */
function templateRefusal(w: WindowRules, params: Record<string, string>): { code: number; message: string } | null {
  const vars = w.contents[params.ContentSid!];
  if (vars === undefined) return { code: 21655, message: 'The ContentSid is Invalid' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(params.ContentVariables ?? '{}');
  } catch {
    parsed = null;
  }
  const keys = parsed && typeof parsed === 'object' ? Object.keys(parsed).sort() : null;
  const want = Array.from({ length: vars }, (_, i) => String(i + 1)).sort();
  if (!keys || keys.join() !== want.join())
    return { code: 21656, message: 'The ContentVariables Parameter is invalid' };
  return null;
}

/** Posts a failed status to the message's StatusCallback, as Twilio does (form-encoded). */
function callbackFailed(url: string | undefined, sid: string, to: string, from: string, code: number): void {
  if (!url) return;
  const body = new URLSearchParams({
    MessageSid: sid,
    MessageStatus: 'failed',
    ErrorCode: String(code),
    To: to,
    From: from,
  });
  void fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }).catch(
    () => {},
  );
}

export async function startFakeTwilio(opts: {
  apiKey: string;
  apiSecret: string;
  sender: string;
  window?: WindowRules;
}): Promise<FakeTwilio> {
  const requests: TwilioRequest[] = [];
  const failedLater: FakeTwilio['failedLater'] = [];
  const created: FakeTwilio['created'] = [];
  const expectedAuth = `Basic ${Buffer.from(`${opts.apiKey}:${opts.apiSecret}`).toString('base64')}`;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\.json$/.exec(req.url ?? '');
    const params = Object.fromEntries(new URLSearchParams(body));
    const send = (status: number, json: string) => {
      requests.push({ accountSid: m?.[1] ?? '', auth: req.headers.authorization ?? null, params, status });
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Twilio-Request-Id': `RQ${hex()}` });
      res.end(json);
    };
    if (req.method !== 'POST' || !m)
      return send(404, errorBody(404, 20404, `The requested resource ${req.url} was not found`));
    if (req.headers.authorization !== expectedAuth)
      return send(
        401,
        errorBody(401, 20003, 'Authentication Error - invalid username', {
          detail: 'Your AccountSid or AuthToken was incorrect.',
        }),
      );
    const to = params.To ?? '';
    const from = params.From ?? '';
    if (!to) return send(400, errorBody(400, 21604, "A 'To' phone number is required."));
    if (!params.Body && !params.ContentSid && !params.MediaUrl)
      return send(400, errorBody(400, 21619, 'A text message body or media urls must be specified.'));
    if (from !== `whatsapp:${opts.sender}`)
      return send(400, errorBody(400, 63007, 'Twilio could not find a Channel with the specified From address'));
    const number = to.replace(/^whatsapp:/, '');
    const err = ERRORS[number];
    if (err) return send(err.status, errorBody(err.status, err.code, err.message(to)));
    if (number === '+5511900000777') await new Promise((r) => setTimeout(r, SLOW_MS));
    const refused = opts.window && params.ContentSid ? templateRefusal(opts.window, params) : null;
    if (refused) return send(400, errorBody(400, refused.code, refused.message));
    const sid = `SM${hex()}`;
    // Since April 2025 a free Body outside the window is accepted, then fails with 63016.
    if (opts.window && !params.ContentSid && !opts.window.open.has(number)) {
      failedLater.push({ sid, code: 63016 });
      setTimeout(() => callbackFailed(params.StatusCallback, sid, to, from, 63016), 50);
    }
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const uri = `/2010-04-01/Accounts/${m[1]}/Messages/${sid}`;
    created.push({
      sid,
      to,
      from,
      body: params.Body ?? '',
      ...(params.ContentSid ? { contentSid: params.ContentSid, variables: params.ContentVariables } : {}),
    });
    send(
      201,
      JSON.stringify({
        account_sid: m[1],
        api_version: '2010-04-01',
        body: params.Body ?? '',
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        sid,
        status: 'queued',
        subresource_uris: { media: `${uri}/Media.json` },
        to,
        uri: `${uri}.json`,
      }),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    created,
    failedLater,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function hex(): string {
  return randomBytes(16).toString('hex');
}
