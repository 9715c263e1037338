/**
 * A real Dovecot IMAP server (Debian's dovecot-imapd, installed by .ci/interop-setup.sh) started
 * unprivileged on a loopback port with a throwaway configuration: one passwd-file user, Maildir under
 * a temp dir, a Sent folder, no TLS. As root it runs as `nobody`; otherwise as the current user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const DOVECOT = '/usr/sbin/dovecot';
const LDA = '/usr/lib/dovecot/dovecot-lda';

export interface Dovecot {
  port: number;
  dir: string;
  /** Raw messages in a folder of the user's Maildir ('' = INBOX, 'Sent', ...). */
  messages(user: string, folder: string): string[];
  /** Delivers a raw message to the user's INBOX with dovecot-lda, as an MTA (Postfix) hands mail to Dovecot. */
  deliver(user: string, from: string, raw: Buffer): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export async function startDovecot(users: Record<string, string>): Promise<Dovecot> {
  if (!existsSync(DOVECOT))
    throw new Error(`${DOVECOT} is missing: run .ci/interop-setup.sh (apt-get install dovecot-imapd)`);
  const root = process.getuid?.() === 0;
  const user = root ? 'nobody' : userInfo().username;
  const group = root ? 'nogroup' : spawnSync('id', ['-gn']).stdout.toString().trim() || user;
  const dir = mkdtempSync(join(tmpdir(), 'agente-dovecot-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'mail'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'users'),
    Object.entries(users)
      .map(([u, p]) => `${u}:{PLAIN}${p}`)
      .join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${user}
default_internal_group = ${group}
default_login_user = ${user}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${user} gid=${group} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
`,
  );
  if (root) execFileSync('chown', ['-R', `${user}:${group}`, dir]);
  const cmd = root
    ? ['runuser', ['-u', user, '--', DOVECOT, '-c', join(dir, 'dovecot.conf')]]
    : [DOVECOT, ['-c', join(dir, 'dovecot.conf')]];
  // The master daemonises: its stdio must not be our pipes, or spawnSync waits for it forever.
  const started = spawnSync(cmd[0] as string, cmd[1] as string[], { stdio: 'ignore', timeout: 10_000 });
  if (started.status !== 0) throw new Error(`dovecot did not start (exit ${started.status}): ${readLog(dir)}`);
  // Bounded wait for the listener.
  const until = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) break;
    if (Date.now() > until) throw new Error(`dovecot is not listening on ${port}: ${readLog(dir)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dir,
    deliver(u, from, raw) {
      const args = ['-c', join(dir, 'dovecot.conf'), '-d', u, '-f', from];
      const r = root
        ? spawnSync('runuser', ['-u', user, '--', LDA, ...args], { input: raw, timeout: 10_000 })
        : spawnSync(LDA, args, { input: raw, timeout: 10_000 });
      if (r.status !== 0)
        throw new Error(`dovecot-lda failed (exit ${r.status}): ${r.stderr?.toString().slice(0, 500)}`);
    },
    messages(u, folder) {
      const base = join(dir, 'mail', u, folder ? `.${folder}` : '');
      const out: string[] = [];
      for (const sub of ['new', 'cur']) {
        const d = join(base, sub);
        if (existsSync(d)) for (const f of readdirSync(d)) out.push(readFileSync(join(d, f), 'utf8'));
      }
      return out;
    },
    async stop() {
      const pidFile = join(dir, 'run', 'master.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const end = Date.now() + 5_000;
        while (Date.now() < end) {
          try {
            process.kill(pid, 0);
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}
