import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws.js';
import { selfSignedCert, startFakeHttps } from '../helpers/fake-https.js';
import { cnpjFor, leadsCsv, mobileFor } from '../helpers/leads-data.js';
import { cleanEnv, MAIN, tempDir } from '../helpers/spawn.js';
import { makeXlsx } from '../helpers/zip.js';

/*
 * Real server processes (PostgreSQL) importing from s3:// (a loopback fake that answers like S3) and
 * from https:// (a loopback server with a self-signed certificate, trusted only through
 * NODE_EXTRA_CA_CERTS). The 100k-row import's peak resident memory (VmHWM) from S3 is compared with
 * the same file imported from a local path by a twin process: streamed, the two match; a reader that
 * buffered the object would add the file's size (~39 MB) on top.
 */
const ROWS = 100_000;
const HEAP_CAP_MB = 256;
/** S3 vs local peak: allowed difference, well under the file's size. */
const FLAT_MARGIN_MB = 25;

const peakMb = (pid: number) =>
  Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function writeBigCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  const pad = 'Cliente desde 2019, prefere contato pela manhã; '.repeat(6);
  out.write('Empresa;Contato;CNPJ;Celular;Email;Observações\n');
  for (let i = 0; i < ROWS; i++) {
    const line = `Empresa ${i} Ltda;Contato ${i};${i % 2 ? '' : cnpjFor(i)};${mobileFor(i)};c${i}@empresa${i}.com.br;${pad}${i}\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

interface Started {
  client: Client;
  pid: number;
  stderr: () => string;
}

async function startServer(env: Record<string, string>): Promise<Started> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [`--max-old-space-size=${HEAP_CAP_MB}`, MAIN],
    env: cleanEnv({ AGENTE_LOG_LEVEL: 'info', ...env }) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr!.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'e2e-remote', version: '1.0.0' });
  await client.connect(transport);
  return { client, pid: transport.pid!, stderr: () => stderr };
}

/**
 * ingest_leads, then job_status until the job ends — within `deadlineMs`: a job that never ends fails
 * here with its last state and the server's stderr (an OOM or a stuck worker shows there), not as the
 * test's timeout with nothing to read.
 */
async function importAll(server: Started, file_path: string, deadlineMs = 240_000): Promise<any> {
  const t0 = Date.now();
  const res = (await server.client.callTool(
    { name: 'ingest_leads', arguments: { file_path } },
    { timeout: deadlineMs },
  )) as any;
  expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
  let job = res.structuredContent.job;
  while (job.status === 'processando' || job.status === 'pendente') {
    if (Date.now() - t0 > deadlineMs) {
      throw new Error(
        `import of ${file_path} still ${job.status} after ${deadlineMs / 1000} s: ${JSON.stringify(job).slice(0, 1500)}\n` +
          `server stderr (last 4 KB):\n${server.stderr().slice(-4096)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    const st = (await server.client.callTool({ name: 'job_status', arguments: { job_id: job.job_id } })) as any;
    job = st.structuredContent.jobs[0];
  }
  return job;
}

describe('ingest_leads from s3:// and https:// in a real server process', () => {
  let aws: FakeAws;
  let dir: string;
  const cleanup: Array<() => Promise<unknown>> = [];
  const awsEnv = () => ({
    AWS_ENDPOINT_URL_S3: aws.endpoint,
    AWS_REGION: 'sa-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AGENTE_S3_FORCE_PATH_STYLE: 'true',
    AGENTE_INGEST_S3: 'leads-inbox',
  });

  beforeAll(async () => {
    dir = tempDir('remote-e2e-');
    aws = await startFakeAws();
    aws.buckets.add('leads-inbox');
    cleanup.push(() => aws.close());
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => {});
  });

  it(
    `a ${ROWS / 1000}k-row file from S3: imported, peak memory as from a local file`,
    { timeout: 600_000 },
    async () => {
      const file = join(dir, 'grande.csv');
      await writeBigCsv(file);
      const sizeMb = statSync(file).size / 1024 / 1024;
      aws.objects.set('leads-inbox/grande.csv', { path: file, contentType: 'text/csv' });
      const peaks: Record<string, number> = {};
      for (const from of ['local', 's3'] as const) {
        const db = await createPgDatabase();
        cleanup.push(db.drop);
        const server = await startServer({ DATABASE_URL: db.url, AGENTE_INGEST_DIRS: dir, ...awsEnv() });
        cleanup.push(() => server.client.close());
        const job = await importAll(server, from === 'local' ? file : 's3://leads-inbox/grande.csv');
        expect(job.status, job.error).toBe('concluido');
        expect(job.counts).toMatchObject({ rows_read: ROWS, leads_created: ROWS });
        peaks[from] = peakMb(server.pid);
        await server.client.close();
      }
      const ranged = aws.calls.filter((c) => c.startsWith('GET leads-inbox/grande.csv'));
      expect(ranged.length).toBe(2); // the probe of the first 64 KB, then one streamed GET
      process.stdout.write(
        `ingest-remote: ${ROWS} rows, ${sizeMb.toFixed(1)} MB; peak RSS local ${peaks.local.toFixed(0)} MB, ` +
          `s3 ${peaks.s3.toFixed(0)} MB (heap cap ${HEAP_CAP_MB} MB)\n`,
      );
      expect(sizeMb).toBeGreaterThan(FLAT_MARGIN_MB);
      expect(peaks.s3).toBeLessThan(peaks.local + FLAT_MARGIN_MB);
    },
  );

  it('https: an allowed host read over TLS trusted by NODE_EXTRA_CA_CERTS; untrusted and off-list refused', async () => {
    const certA = selfSignedCert(tempDir('tls-a-'));
    const trusted = await startFakeHttps(certA);
    const untrusted = await startFakeHttps(selfSignedCert(tempDir('tls-b-')));
    cleanup.push(trusted.close, untrusted.close);
    trusted.files.set('/exports/leads.csv', { body: Buffer.from(leadsCsv(0, 25)), contentType: 'text/csv' });
    trusted.files.set('/exports/leads.xlsx', {
      body: makeXlsx([
        ['Empresa', 'Celular'],
        ['Padaria Lua Ltda', '(11) 98765-0000'],
      ]),
    });
    // Over 64 KB (past the first read), from a server that ignores Range: refused up front.
    const wide = Array.from({ length: 3000 }, (_, i) => [
      `Empresa ${i} ${randomBytes(40).toString('hex')}`,
      `(11) 9${String(i).padStart(8, '0')}`,
    ]);
    trusted.files.set('/exports/no-ranges.xlsx', { body: makeXlsx([['Empresa', 'Celular'], ...wide]), ranges: false });
    trusted.files.set('/exports/small-no-ranges.xlsx', {
      body: makeXlsx([
        ['Empresa', 'Celular'],
        ['Y Ltda', '(11) 98765-1111'],
      ]),
      ranges: false,
    });
    trusted.files.set('/go', { redirect: 'https://example.org/leads.csv' });
    untrusted.files.set('/leads.csv', { body: Buffer.from(leadsCsv(0, 5)) });
    const db = await createPgDatabase();
    cleanup.push(db.drop);
    const server = await startServer({
      DATABASE_URL: db.url,
      NODE_EXTRA_CA_CERTS: certA.certPath,
      AGENTE_INGEST_URL_HOSTS: `127.0.0.1:${trusted.port},127.0.0.1:${untrusted.port}`,
    });
    cleanup.push(() => server.client.close());
    const csv = await importAll(server, `${trusted.origin}/exports/leads.csv?X-Amz-Signature=abc123`);
    expect(csv.status, csv.error).toBe('concluido');
    expect(csv.file).toBe('leads.csv');
    expect(csv.counts).toMatchObject({ rows_read: 25, leads_created: 25 });
    const xlsx = await importAll(server, `${trusted.origin}/exports/leads.xlsx`);
    expect(xlsx.status, xlsx.error).toBe('concluido');
    expect(xlsx.counts).toMatchObject({ rows_read: 1, leads_created: 1 });

    const whole = await importAll(server, `${trusted.origin}/exports/small-no-ranges.xlsx`);
    expect(whole.status, whole.error).toBe('concluido'); // all of it came in the first read

    const refused = async (url: string) => {
      const r = (await server.client.callTool({ name: 'ingest_leads', arguments: { file_path: url } })) as any;
      const job = r.structuredContent?.job;
      return r.isError ? r.content.map((c: any) => c.text).join('\n') : `${job.status}: ${job.error}`;
    };
    expect(await refused(`${untrusted.origin}/leads.csv`)).toMatch(
      /TLS certificate is not trusted .*NODE_EXTRA_CA_CERTS/,
    );
    expect(await refused('https://example.org/leads.csv')).toContain("is not on this server's list of hosts");
    expect(await refused(`${trusted.origin}/go`)).toContain('redirects to https://example.org');
    expect(await refused(`${trusted.origin}/nada.csv`)).toContain('answered 404: there is no file there');
    expect(await refused(`${trusted.origin}/exports/no-ranges.xlsx`)).toContain('does not serve byte ranges');
    expect(untrusted.requests).toEqual([]); // the TLS handshake failed: no request was ever sent
    // The presigned URL's signature never reaches the log.
    expect(server.stderr()).not.toContain('abc123');
  });
});
