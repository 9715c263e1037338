/**
 * A webhook receiver in its own process for bench/events.bench.ts: verifies every Standard Webhooks
 * signature with the secret it is given (argv[2]), answers 204, and records each event's first arrival
 * (receipt time − the event's `time` = its lag). The parent asks over IPC: 'reset' forgets what came,
 * 'report' answers { got, dup, bad, first, last, lags }.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

const wh = new Webhook(process.argv[2]!);
let seen = new Set<string>();
let lags: number[] = [];
let dup = 0;
let bad = 0;
let first = 0;
let last = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const e = wh.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as {
        id: string;
        time: string;
      };
      const now = Date.now();
      if (seen.has(e.id)) dup++;
      else {
        seen.add(e.id);
        if (e.time) lags.push(now - Date.parse(e.time));
        first ||= now;
        last = now;
      }
      res.writeHead(204).end();
    } catch {
      bad++;
      res.writeHead(400).end();
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('message', (m: string) => {
  if (m === 'reset') {
    seen = new Set();
    lags = [];
    dup = bad = first = last = 0;
    process.send!({ reset: true });
  } else if (m === 'report') process.send!({ got: seen.size, dup, bad, first, last, lags });
});
process.on('disconnect', () => process.exit(0));
