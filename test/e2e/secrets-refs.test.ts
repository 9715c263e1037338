import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws.js';
import { cleanEnv, MAIN, ROOT, runMain, tempDir } from '../helpers/spawn.js';

/*
 * Secrets by reference in a real server process: DATABASE_URL from Secrets Manager (the seed's
 * db-credentials), AGENTE_TENANT from a mounted file, mcp.json's downstream credentials from Secrets
 * Manager, a file and the environment — all through the real SDK's standard chain
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER points it at a loopback fake that answers like AWS). The values
 * never reach stderr, even at debug level; a missing one stops the start, named.
 */
const PREFIX = '/alquimista/dev/disparo-agenda';
const VALUES = {
  wa: 'twilio-token-e2e-7c1d-SECRET',
  mail: 're_e2e_key_88aa-SECRET',
  db: 'db-password-e2e-31f0-SECRET',
  file: 'smtp-pass-from-file-5e5e-SECRET',
  env: 'calendar-token-env-4b4b-SECRET',
};

describe('secrets by reference: ${env:}, ${file:}, ${aws-sm:} at start', () => {
  let aws: FakeAws;
  let dir: string;
  let dbUrl: string;
  let drop: () => Promise<void>;
  let mcpPath: string;
  const env = () =>
    cleanEnv({
      AGENTE_LOG_LEVEL: 'debug',
      AWS_REGION: 'sa-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      DATABASE_URL: `\${aws-sm:${PREFIX}/db-credentials#url}`,
      AGENTE_TENANT: `\${file:${join(dir, 'tenant')}}`,
      CAL_TOKEN: VALUES.env,
      AGENTE_MCP_CONFIG: mcpPath,
      AGENTE_DATA_DIR: dir,
    });

  beforeAll(async () => {
    aws = await startFakeAws();
    dir = tempDir('secrets-');
    const db = await createPgDatabase();
    drop = db.drop;
    const url = new URL(db.url);
    url.password = VALUES.db; // trust authentication ignores it; it must still never be printed
    dbUrl = url.toString();
    aws.secrets.set(`${PREFIX}/mcp-whatsapp`, JSON.stringify({ TWILIO_AUTH_TOKEN: VALUES.wa }));
    aws.secrets.set(`${PREFIX}/mcp-email`, JSON.stringify({ api_key: VALUES.mail }));
    aws.secrets.set(`${PREFIX}/db-credentials`, JSON.stringify({ url: dbUrl, username: 'postgres' }));
    writeFileSync(join(dir, 'tenant'), 'cliente-segredo\n');
    writeFileSync(join(dir, 'smtp_pass'), `${VALUES.file}\n`);
    const mcp = JSON.parse(readFileSync(join(ROOT, 'mcp.json'), 'utf8'));
    Object.assign(mcp.mcpServers['sandbox-whatsapp'].env, {
      TWILIO_AUTH_TOKEN: `\${aws-sm:${PREFIX}/mcp-whatsapp#TWILIO_AUTH_TOKEN}`,
    });
    Object.assign(mcp.mcpServers['sandbox-email'].env, {
      RESEND_API_KEY: `\${aws-sm:${PREFIX}/mcp-email#api_key}`,
      SMTP_PASS: `\${file:${join(dir, 'smtp_pass')}}`,
    });
    Object.assign(mcp.mcpServers['sandbox-calendar'].env, { CAL_TOKEN: '${env:CAL_TOKEN}' });
    mcpPath = join(dir, 'mcp.json');
    writeFileSync(mcpPath, JSON.stringify(mcp, null, 2));
  });
  afterAll(async () => {
    await aws?.close();
    await drop?.();
  });

  it('each kind resolved at start; get_status shows their effect; no value in stderr', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN],
      env: env() as Record<string, string>,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'e2e-secrets', version: '1.0.0' });
    await client.connect(transport);
    try {
      const status = (await client.callTool({ name: 'get_status', arguments: {} })) as any;
      const s = status.structuredContent;
      expect(s.tenant.slug).toBe('cliente-segredo'); // ${file:…}, trailing newline removed
      expect(s.database.kind).toBe('postgres'); // DATABASE_URL from ${aws-sm:…#url}
      expect(s.database.label).toContain(new URL(dbUrl).pathname);
      expect(s.channels.map((c: any) => `${c.channel}:${c.state}`)).toEqual([
        'whatsapp:configured',
        'email:configured',
        'calendar:configured',
      ]);
      expect(JSON.stringify(status)).not.toMatch(/SECRET/);
      // Each secret fetched once at start (the two mcp.json ones and the database's).
      expect(aws.calls.filter((c) => c.startsWith('secretsmanager.GetSecretValue')).sort()).toEqual([
        `secretsmanager.GetSecretValue ${PREFIX}/db-credentials`,
        `secretsmanager.GetSecretValue ${PREFIX}/mcp-email`,
        `secretsmanager.GetSecretValue ${PREFIX}/mcp-whatsapp`,
      ]);
    } finally {
      await client.close();
    }
    expect(stderr.length).toBeGreaterThan(0); // debug logging was on
    for (const v of Object.values(VALUES)) expect(stderr).not.toContain(v);
  });

  it('a missing secret stops the start, naming it and never a value', async () => {
    aws.secrets.delete(`${PREFIX}/mcp-email`);
    try {
      const run = await runMain(['serve'], env(), { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`uses \${aws-sm:${PREFIX}/mcp-email…}`);
      expect(run.stderr).toContain(`secret ${PREFIX}/mcp-email does not exist in Secrets Manager`);
      for (const v of Object.values(VALUES)) expect(run.stderr).not.toContain(v);
      expect(run.stdout).toBe('');
    } finally {
      aws.secrets.set(`${PREFIX}/mcp-email`, JSON.stringify({ api_key: VALUES.mail }));
    }
    const noFile = await runMain(
      ['serve'],
      { ...env(), AGENTE_TENANT: '${file:/run/secrets/nao-existe}' },
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(
      'environment variable AGENTE_TENANT uses ${file:/run/secrets/nao-existe}: no such file',
    );
    for (const v of Object.values(VALUES)) expect(noFile.stderr).not.toContain(v);
  });
});
