import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got: verified (or not) with the secrets of its path. */
export interface Received {
  path: string;
  id: string;
  signatures: string[];
  verified: boolean;
  event: {
    id: string;
    type: string;
    subject: string;
    source: string;
    sequence: string;
    time: string;
    data: Record<string, unknown>;
  };
  status: number;
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string> };

/**
 * A local webhook receiver that verifies Standard Webhooks signatures the way a customer would (the
 * `standardwebhooks` package's verify, timestamp tolerance included) with the secrets registered for
 * each path, and answers what `answer` says (200 by default).
 */
export async function startReceiver(
  answer: (r: Omit<Received, 'status' | 'at'>) => Answer | undefined = () => undefined,
  o: { delayMs?: number } = {},
) {
  let inFlight = 0;
  const secrets = new Map<string, string[]>();
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    inFlight++;
    req.on('end', async () => {
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      inFlight--;
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const verified = (secrets.get(path) ?? []).some((s) => verifies(s, body, req.headers));
      const event = JSON.parse(body) as Received['event'];
      const base = {
        path,
        id: String(req.headers['webhook-id']),
        signatures: String(req.headers['webhook-signature'] ?? '').split(' '),
        verified,
        event,
      };
      const a = verified ? (answer(base) ?? { status: 200 }) : { status: 401 };
      got.push({ ...base, status: a.status, at: Date.now() });
      res.writeHead(a.status, a.headers).end(a.status < 300 ? '' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    /** The secrets a path accepts (the receiver's secret store). */
    trust: (path: string, ...s: string[]) => secrets.set(path, s),
    got,
    inFlight: () => inFlight,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function verifies(secret: string, body: string, headers: IncomingHttpHeaders): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}
