import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws.js';
import { selfSignedCert, startFakeHttps } from '../helpers/fake-https.js';
import { leadsCsv } from '../helpers/leads-data.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';
import { makeXlsx } from '../helpers/zip.js';

/*
 * ingest_leads from s3:// (the real @aws-sdk/client-s3 against a loopback fake that answers like S3)
 * and the refusals of https:// URLs that need no network. The https download itself, which needs the
 * fake's CA trusted through NODE_EXTRA_CA_CERTS at process start, is test/e2e/ingest-remote.test.ts.
 */
const AWS_ENV = [
  'AWS_ENDPOINT_URL_S3',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AGENTE_S3_FORCE_PATH_STYLE',
];

describe(`ingest_leads from s3:// and https:// (${testDbKind()})`, () => {
  let db: TestDb;
  let aws: FakeAws;
  let client: Client & { closeAll(): Promise<void> };
  const saved = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
  const ingest = async (file_path: string) => {
    const res = (await client.callTool({ name: 'ingest_leads', arguments: { file_path } })) as any;
    return { res, text: textOf(res), job: res.structuredContent?.job };
  };

  beforeAll(async () => {
    aws = await startFakeAws();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: aws.endpoint,
      AWS_REGION: 'sa-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AGENTE_S3_FORCE_PATH_STYLE: 'true',
    });
    aws.buckets.add('leads-inbox');
    aws.buckets.add('outro-bucket');
    aws.objects.set('leads-inbox/planilhas/clientes.csv', {
      body: Buffer.from(leadsCsv(0, 40)),
      contentType: 'text/csv',
    });
    const rows = [
      ['Razão Social', 'CNPJ', 'Celular'],
      ['Padaria Sol Ltda', '11.222.333/0001-81', '(11) 98765-4321'],
    ];
    aws.objects.set('leads-inbox/planilhas/clientes.xlsx', { body: makeXlsx(rows) });
    aws.objects.set('leads-inbox/planilhas/segredo.csv', { body: Buffer.from('x') });
    aws.deniedObjects.add('leads-inbox/planilhas/segredo.csv');
    aws.objects.set('leads-inbox/planilhas/pagina.csv', {
      body: Buffer.from('<html></html>'),
      contentType: 'text/html',
    });
    aws.objects.set('leads-inbox/planilhas/enorme.csv', { body: Buffer.from('a;b\n1;2\n'), claimSize: 5 * 1024 ** 3 });
    aws.objects.set('outro-bucket/planilhas/x.csv', { body: Buffer.from('a;b\n1;2\n') });
    db = await openTestDb();
    const deps = await makeDeps(db, {
      config: { ingestS3: ['leads-inbox/planilhas'], ingestUrlHosts: ['files.example.com', '127.0.0.1:8443'] },
    });
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
    await aws?.close();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it('imports a CSV and an XLSX from an allowed bucket, in ranged GETs', async () => {
    const csv = await ingest('s3://leads-inbox/planilhas/clientes.csv');
    expect(csv.res.isError, csv.text).toBeFalsy();
    expect(csv.job.status, csv.job.error).toBe('concluido');
    expect(csv.job.file).toBe('clientes.csv');
    expect(csv.job.counts).toMatchObject({ rows_read: 40, leads_created: 40 });
    const xlsx = await ingest('s3://leads-inbox/planilhas/clientes.xlsx');
    expect(xlsx.job.status, xlsx.job.error).toBe('concluido');
    expect(xlsx.job.counts).toMatchObject({ rows_read: 1, leads_created: 1 });
    // Every read was a ranged GET (the xlsx's central directory, then its parts): nothing listed, nothing put.
    const xlsxCalls = aws.calls.filter((c) => c.includes('clientes.xlsx'));
    expect(xlsxCalls.length).toBeGreaterThan(1);
    expect(xlsxCalls.every((c) => /^GET leads-inbox\/planilhas\/clientes\.xlsx bytes=\d+-\d+$/.test(c))).toBe(true);
  });

  it('says what to do: no such key, access denied, no such bucket, too big, wrong type', async () => {
    const cases: Array<[string, RegExp]> = [
      ['s3://leads-inbox/planilhas/nao-existe.csv', /does not exist \(no such key\)\. Check the path and upload/],
      [
        's3://leads-inbox/planilhas/segredo.csv',
        /denied by S3\. The operator must grant .* s3:GetObject on arn:aws:s3:::leads-inbox\/planilhas\/segredo\.csv/,
      ],
      ['s3://leads-inbox/planilhas/enorme.csv', /has 5120\.0 MB, more than the 1024\.0 MB allowed\. Split it/],
      ['s3://leads-inbox/planilhas/pagina.csv', /is a web page .*Content-Type text\/html.*direct download link/],
    ];
    for (const [uri, message] of cases) {
      const r = await ingest(uri);
      expect(r.res.isError, uri).toBe(true);
      expect(r.text).toMatch(message);
    }
    aws.buckets.delete('leads-inbox');
    const gone = await ingest('s3://leads-inbox/planilhas/clientes.csv');
    aws.buckets.add('leads-inbox');
    expect(gone.text).toMatch(/bucket leads-inbox does not exist/);
  });

  it('refuses buckets and prefixes off the list before asking S3 anything', async () => {
    const before = aws.calls.length;
    for (const uri of [
      's3://outro-bucket/planilhas/x.csv',
      's3://leads-inbox/outra-pasta/x.csv',
      's3://leads-inbox/planilhas/../x.csv',
    ]) {
      const r = await ingest(uri);
      expect(r.res.isError).toBe(true);
      expect(r.text).toContain('outside what this server may read from S3 (s3://leads-inbox/planilhas/)');
    }
    expect(aws.calls.length).toBe(before);
  });

  it('refuses a URL off the allow-list, http://, credentials in the URL — without a request', async () => {
    const dir = tempDir('remote-tls-');
    mkdirSync(dir, { recursive: true });
    const https = await startFakeHttps(selfSignedCert(dir));
    https.files.set('/leads.csv', { body: Buffer.from(leadsCsv(1, 3)) });
    try {
      const off = await ingest(`${https.origin}/leads.csv`); // 127.0.0.1 on another port than the listed one
      expect(off.res.isError).toBe(true);
      expect(off.text).toContain(`The host 127.0.0.1:${https.port} is not on this server's list of hosts`);
      expect(off.text).toContain('AGENTE_INGEST_URL_HOSTS');
      const plain = await ingest('http://files.example.com/leads.csv');
      expect(plain.text).toContain('Only https:// URLs (or s3://) can be imported');
      const creds = await ingest('https://user:pw@files.example.com/leads.csv');
      expect(creds.text).toContain('carries a user name or password');
      expect(https.requests).toEqual([]);
    } finally {
      await https.close();
    }
  });
});
