import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** A raw HTTP/1.1 connection: we decide exactly which bytes go out, and when; every byte back is kept. */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Bytes we wrote. */
  sent(): number;
  write(data: string | Buffer): boolean;
  /** Resolves with the status line's code once a response head arrived (rejects if closed first). */
  status(): Promise<number>;
  /** Resolves when the server closed the connection, with the time since connect in ms. */
  closed: Promise<number>;
}

export function rawConnect(url: string): Promise<RawConnection> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(u.port), u.hostname);
    let data = '';
    let sent = 0;
    const waiters: Array<() => void> = [];
    socket.on('data', (d) => {
      data += d.toString('latin1');
      waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => {}); // EPIPE/ECONNRESET once the server closed: shown by `closed`
    const closed = new Promise<number>((r) => socket.once('close', () => r(performance.now() - started)));
    closed.then(() => waiters.splice(0).forEach((w) => w()));
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => data,
        sent: () => sent,
        write: (chunk) => {
          if (socket.destroyed) return false;
          sent += Buffer.byteLength(chunk);
          return socket.write(chunk);
        },
        status: () =>
          new Promise((res, rej) => {
            const check = () => {
              const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
              if (m && data.includes('\r\n\r\n')) return res(Number(m[1]));
              if (socket.destroyed) return rej(new Error(`closed without a response; got ${JSON.stringify(data)}`));
              waiters.push(check);
            };
            check();
          }),
        closed,
      }),
    );
    socket.once('error', reject);
  });
}

/** The head of a POST /mcp request. */
export function postHead(url: string, headers: Record<string, string | number>): string {
  const u = new URL(url);
  const lines = Object.entries({
    host: u.host,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return `POST ${u.pathname} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Resident set size of a process now (VmRSS) or at its peak (VmHWM), in MB, from /proc (Linux). */
export function rssMb(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const kb = Number(new RegExp(`${which}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}
