import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMcpConfig } from '../../src/channels/config.js';
import { createSecretsManagerSource } from '../../src/secrets/aws-sm.js';
import { resolveEnvRefs, SecretRefs } from '../../src/secrets/refs.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws.js';

const WA = '/alquimista/dev/disparo-agenda/mcp-whatsapp';
const MAIL = '/alquimista/dev/disparo-agenda/mcp-email';
const DB = '/alquimista/dev/disparo-agenda/db-credentials';
const WA_TOKEN = 'wa-token-9f8e7d-SECRET';
const MAIL_KEY = 're_mailkey_5c4b3a-SECRET';
const DB_PASSWORD = 'db-pass-1a2b3c-SECRET';

describe('secrets by reference: ${env:…}, ${file:…}, ${aws-sm:…} (real SDK client, fake Secrets Manager)', () => {
  let aws: FakeAws;
  let dir: string;
  const client = () =>
    new SecretsManagerClient({
      endpoint: aws.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
      maxAttempts: 1,
    });
  const refs = (env: Record<string, string> = {}) =>
    new SecretRefs({ env, store: createSecretsManagerSource(client()) });

  beforeAll(async () => {
    aws = await startFakeAws();
    aws.secrets.set(WA, JSON.stringify({ TWILIO_AUTH_TOKEN: WA_TOKEN, TWILIO_ACCOUNT_SID: 'AC123' }));
    aws.secrets.set(MAIL, MAIL_KEY);
    aws.secrets.set(DB, JSON.stringify({ username: 'app', password: DB_PASSWORD, host: 'db', port: 5432 }));
    aws.deniedSecrets.add('/alquimista/dev/disparo-agenda/other-team');
    dir = mkdtempSync(join(tmpdir(), 'secret-refs-'));
  });
  afterAll(() => aws.close());

  it('resolves each kind: env, file (one trailing newline removed), aws-sm whole and #field', async () => {
    writeFileSync(join(dir, 'smtp_password'), 'file-secret-value\n');
    const r = refs({ SMTP_USER: 'alice' });
    await r.preload([`\${aws-sm:${WA}#TWILIO_AUTH_TOKEN} \${aws-sm:${MAIL}}`], 'test');
    expect(r.expand('${env:SMTP_USER}', 'x')).toBe('alice');
    expect(r.expand(`\${file:${join(dir, 'smtp_password')}}`, 'x')).toBe('file-secret-value');
    expect(r.expand(`Bearer \${aws-sm:${MAIL}}`, 'x')).toBe(`Bearer ${MAIL_KEY}`);
    expect(r.expand(`\${aws-sm:${WA}#TWILIO_AUTH_TOKEN}`, 'x')).toBe(WA_TOKEN);
    expect(r.expand(`\${aws-sm:${WA}#TWILIO_ACCOUNT_SID}`, 'x')).toBe('AC123'); // fetched once, both fields
    expect(aws.calls.filter((c) => c.endsWith(WA))).toHaveLength(1);
  });

  it('a missing reference fails naming it and where it is used, never a value', async () => {
    const r = refs({});
    const fail = async (p: Promise<unknown> | (() => unknown)) => {
      try {
        await (typeof p === 'function' ? p() : p);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('did not fail');
    };
    const missing = await fail(r.preload([`\${aws-sm:/alquimista/dev/disparo-agenda/nao-existe#x}`], 'mcp.json (/m)'));
    expect(missing).toContain('/alquimista/dev/disparo-agenda/nao-existe');
    expect(missing).toContain('does not exist in Secrets Manager');
    expect(missing).toContain('mcp.json (/m)');
    const denied = await fail(r.preload(['${aws-sm:/alquimista/dev/disparo-agenda/other-team}'], 'env'));
    expect(denied).toMatch(/denied: grant secretsmanager:GetSecretValue/);
    expect(await fail(() => r.expand('${env:NOPE_NOT_SET}', 'environment variable X'))).toBe(
      'environment variable X uses ${env:NOPE_NOT_SET} but NOPE_NOT_SET is not set',
    );
    expect(await fail(() => r.expand(`\${file:${join(dir, 'absent')}}`, 'w'))).toContain('no such file');
    expect(await fail(() => r.expand('${file:relative/path}', 'w'))).toContain('must be absolute');
    await r.preload([`\${aws-sm:${WA}}`], 'w');
    const noField = await fail(() => r.expand(`\${aws-sm:${WA}#NOPE}`, 'w'));
    expect(noField).toContain('has no field "NOPE" (its fields: TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID)');
    expect(noField).not.toContain(WA_TOKEN);
    const notLoaded = await fail(() => r.expand(`\${aws-sm:${MAIL}}`, 'w'));
    expect(notLoaded).toContain('not loaded at start');
  });

  it('mcp.json: references in servers and channels resolve; the old ${VAR} keeps working', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(join(dir, 'key'), 'from-a-file\n');
    writeFileSync(
      path,
      JSON.stringify({
        mcpServers: {
          wa: {
            command: 'node',
            args: ['${AGENTE_HOME}/x.js'],
            env: { TWILIO_AUTH_TOKEN: `\${aws-sm:${WA}#TWILIO_AUTH_TOKEN}`, EXTRA: `\${file:${join(dir, 'key')}}` },
          },
          mail: { url: 'https://mail.example/mcp', headers: { authorization: `Bearer \${aws-sm:${MAIL}}` } },
        },
        channels: { whatsapp: { server: 'wa', arguments: { from: '${env:WA_FROM}' } } },
      }),
    );
    const r = refs({ WA_FROM: '+5511999990000' });
    await r.preload([JSON.stringify({ a: `\${aws-sm:${WA}} \${aws-sm:${MAIL}}` })], 'mcp.json');
    const mcp = loadMcpConfig(path, { AGENTE_HOME: '/opt/app' }, r);
    const wa = mcp.mcpServers.wa as { args: string[]; env: Record<string, string> };
    expect(wa.args).toEqual(['/opt/app/x.js']);
    expect(wa.env).toEqual({ TWILIO_AUTH_TOKEN: WA_TOKEN, EXTRA: 'from-a-file' });
    expect((mcp.mcpServers.mail as { headers: Record<string, string> }).headers.authorization).toBe(
      `Bearer ${MAIL_KEY}`,
    );
    expect(mcp.channels.whatsapp?.arguments).toEqual({ from: '+5511999990000' });
  });

  it('the environment: DATABASE_URL built from a Secrets Manager secret, other variables untouched', async () => {
    const env: Record<string, string | undefined> = {
      DATABASE_URL: `postgres://\${aws-sm:${DB}#username}:\${aws-sm:${DB}#password}@db:5432/agente`,
      AGENTE_TENANT: 'acme',
    };
    const names = await resolveEnvRefs(env, refs());
    expect(names).toEqual(['DATABASE_URL']);
    expect(env.DATABASE_URL).toBe(`postgres://app:${DB_PASSWORD}@db:5432/agente`);
    expect(env.AGENTE_TENANT).toBe('acme');
  });
});
