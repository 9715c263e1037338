import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time: number;
}

/**
 * A loopback fake of the EventBridge endpoint: answers PutEvents as the service does (JSON 1.1), after
 * checking the request's shape — POST /, X-Amz-Target AWSEvents.PutEvents, Content-Type
 * application/x-amz-json-1.1, a SigV4 Authorization header, 1–10 entries each with Source, DetailType,
 * Detail (a JSON object as text), EventBusName and Time (epoch seconds) — or a 400 ValidationException.
 * `fail(entry)` returns an ErrorCode to fail that entry alone (FailedEntryCount counts them).
 */
export async function startEventBridgeFake(fail: (e: PutEntry) => string | undefined = () => undefined) {
  const calls: { entries: PutEntry[]; failed: number }[] = [];
  const rejected: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const invalid = (m: string) => {
        rejected.push(m);
        res
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ __type: 'ValidationException', message: m }));
      };
      if (req.method !== 'POST' || req.url !== '/') return invalid(`${req.method} ${req.url}`);
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents')
        return invalid(`target ${req.headers['x-amz-target']}`);
      if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
        return invalid(`content-type ${req.headers['content-type']}`);
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=')) return invalid('unsigned');
      let body: { Entries?: PutEntry[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return invalid('body is not JSON');
      }
      const entries = body.Entries ?? [];
      if (entries.length < 1 || entries.length > 10) return invalid(`${entries.length} entries`);
      for (const e of entries) {
        if (typeof e.Source !== 'string' || typeof e.DetailType !== 'string' || typeof e.EventBusName !== 'string')
          return invalid('Source, DetailType and EventBusName are strings');
        if (typeof e.Time !== 'number') return invalid('Time is epoch seconds');
        try {
          if (typeof JSON.parse(e.Detail) !== 'object') return invalid('Detail is a JSON object');
        } catch {
          return invalid('Detail is not JSON');
        }
      }
      const out = entries.map((e) => {
        const code = fail(e);
        return code ? { ErrorCode: code, ErrorMessage: `fake ${code}` } : { EventId: randomUUID() };
      });
      const failed = out.filter((o) => 'ErrorCode' in o).length;
      calls.push({ entries, failed });
      res
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ FailedEntryCount: failed, Entries: out }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    rejected,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
