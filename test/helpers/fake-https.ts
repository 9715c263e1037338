import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 / localhost (openssl), its files under `dir`. */
export function selfSignedCert(dir: string): { certPath: string; keyPath: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' }); // prettier-ignore
  return { certPath, keyPath };
}

export interface FakeFile {
  path?: string;
  body?: Buffer;
  contentType?: string;
  /** Serve byte ranges (206) — default true. */
  ranges?: boolean;
  /** Send no Content-Length (chunked). */
  noLength?: boolean;
  /** Redirect to this absolute URL instead. */
  redirect?: string;
}

/** A loopback HTTPS file server with the given certificate; `files` maps a path ("/a.csv") to a file. */
export async function startFakeHttps(cert: { certPath: string; keyPath: string }) {
  const files = new Map<string, FakeFile>();
  const requests: string[] = [];
  const server: Server = createServer(
    { cert: readFileSync(cert.certPath), key: readFileSync(cert.keyPath) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      requests.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
      const f = files.get(url.pathname);
      if (!f) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      if (f.redirect) return res.writeHead(302, { location: f.redirect }).end();
      const size = f.body ? f.body.length : statSync(f.path!).size;
      const headers: Record<string, string | number> = { 'content-type': f.contentType ?? 'application/octet-stream' };
      let [start, end] = [0, size - 1];
      const range = f.ranges === false ? null : /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (range) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(end, Number(range[2]));
        if (start >= size) return res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        headers['content-range'] = `bytes ${start}-${end}/${size}`;
        headers['accept-ranges'] = 'bytes';
      }
      if (!f.noLength) headers['content-length'] = end - start + 1;
      res.writeHead(range ? 206 : 200, headers);
      if (f.body) return res.end(f.body.subarray(start, end + 1));
      createReadStream(f.path!, { start, end }).pipe(res);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    files,
    requests,
    port,
    origin: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
