import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** One request as the load balancer logged it. */
export interface LbRequest {
  /** The replica(s) nginx tried, in order ("127.0.0.1:4001, 127.0.0.1:4002" after a failed connect). */
  upstreams: string[];
  status: number;
  method: string;
  /** The 2025-11-25 session the request belonged to ('' for none: 2026-07-28 requests, initialize). */
  sessionId: string;
  /** The MCP method named by the 2026-07-28 routing header ('' for 2025-11-25 requests). */
  mcpMethod: string;
  /** When nginx finished it (epoch ms). */
  at: number;
}

export interface LoadBalancer {
  url: string;
  requests(): LbRequest[];
  stop(): Promise<void>;
}

/**
 * Debian's nginx as a plain round-robin load balancer in front of `upstreams` (127.0.0.1 ports), run
 * unprivileged-style from a throwaway config in `dir` (its own pid, logs and temp folders; the packaged
 * service is not involved). No stickiness of any kind: no ip_hash, no hash on a header, no cookie —
 * every request goes to the next replica. A replica that refuses connections is skipped (nginx tries
 * the next one, which is safe: the request never reached it). The access log records, per request,
 * the replica that answered, the status, and the session / routing headers.
 */
export async function startNginx(dir: string, port: number, upstreams: number[]): Promise<LoadBalancer> {
  if (!existsSync(NGINX))
    throw new Error(`nginx not found at ${NGINX}: run .ci/scale-out-setup.sh (apt-get install nginx)`);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const log = join(dir, 'access.log');
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${asRoot ? `user ${userInfo().username};\n` : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  log_format lb '$upstream_addr|$status|$request_method|$http_mcp_session_id|$http_mcp_method|$msec|$request_time|$connection';
  access_log ${log} lb;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream mcp {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 32;
    # Below the replicas' idle keep-alive (AGENTE_HTTP_KEEP_ALIVE_TIMEOUT_MS, 5 s): nginx must never
    # send a request on a connection the replica is closing (it would not retry a POST: 502).
    keepalive_timeout 3s;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 40m;
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) break;
    if (i > 100 || child.exitCode !== null)
      throw new Error(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    requests: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [up, status, method, sessionId, mcpMethod, at] = line.split('|');
          return {
            upstreams: up.split(/,\s*/).filter((u) => u && u !== '-'),
            status: Number(status),
            method,
            sessionId: sessionId === '-' ? '' : sessionId,
            mcpMethod: mcpMethod === '-' ? '' : mcpMethod,
            at: Number(at) * 1000,
          };
        }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGQUIT');
      }),
  };
}
