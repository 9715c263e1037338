import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connect.js';
import { MIN_FREE_BYTES } from '../../src/db/disk-space.js';
import { cleanEnv, MAIN, runMain, tempDir } from '../helpers/spawn.js';

/*
 * PGlite's disk fills up. A real small disk: a 160 MB tmpfs mounted for the test (needs root, as CI
 * runs; `mount` is the point, a fake would not show what PGlite does). Found here: when PGlite itself
 * hits ENOSPC the statement fails but the next query blocks the process for good, so the server keeps
 * MIN_FREE_BYTES free and stops before the disk is full (src/db/disk-space.ts). Shown: an import that
 * would fill the disk fails with "disco cheio" and what to do, the server keeps answering, a start on a
 * full disk is refused with the same advice, and once space is freed everything committed is there and
 * the database takes writes again.
 */
const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};
const csv = (prefix: string, n: number, from = 0) =>
  [
    'Empresa;Celular;Email',
    ...Array.from(
      { length: n },
      (_, i) =>
        `${prefix} ${from + i};(11) 9${String(80_000_000 + from + i)};${prefix.toLowerCase()}${from + i}@exemplo.com.br`,
    ),
  ].join('\n');

describe('PGlite on a disk that fills up', () => {
  let mnt = '';
  let client: Client | undefined;
  afterAll(async () => {
    await client?.close().catch(() => {});
    if (mnt) execFileSync('umount', ['-l', mnt]);
  });

  async function connect(env: NodeJS.ProcessEnv): Promise<Client> {
    const c = new Client({ name: 'disk-full', version: '1' });
    await c.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: env as Record<string, string>,
        stderr: 'pipe',
      }),
    );
    return c;
  }

  it(
    'an import that would fill the disk fails clearly, the server lives, committed data survives and writes resume once space is freed',
    { timeout: 300_000 },
    async () => {
      if (process.getuid?.() !== 0)
        throw new Error('this test mounts a tmpfs and must run as root (CI does); run it with sudo');
      const dir = tempDir('disk-full-');
      const inbox = join(dir, 'entrada');
      mkdirSync(inbox);
      mnt = join(dir, 'disco');
      mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mnt]);
      const dataDir = join(mnt, 'data');
      writeFileSync(join(inbox, 'primeiro.csv'), csv('Primeiro', 2_000));
      writeFileSync(join(inbox, 'grande.csv'), csv('Grande', 150_000));
      writeFileSync(join(inbox, 'depois.csv'), csv('Depois', 500));
      const env = cleanEnv({ AGENTE_DATA_DIR: dataDir, AGENTE_INGEST_DIRS: inbox, AGENTE_INGEST_WAIT_MS: '120000' });

      client = await connect(env);
      const first = await client.callTool({
        name: 'ingest_leads',
        arguments: { file_path: join(inbox, 'primeiro.csv') },
      });
      expect((first.structuredContent as any).job).toMatchObject({
        status: 'concluido',
        counts: { leads_created: 2_000 },
      });

      // Leave ~40 MB above the guard's floor: far less than 150k leads need.
      const filler = join(mnt, 'enchimento.bin');
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      while (free(mnt) > MIN_FREE_BYTES + 40 * 1024 * 1024) writeSync(fd, chunk);
      closeSync(fd);

      const big = await client.callTool(
        { name: 'ingest_leads', arguments: { file_path: join(inbox, 'grande.csv') } },
        { timeout: 150_000 },
      );
      const bigJob = (big.structuredContent as any).job;
      expect(bigJob.status).toBe('falhou');
      expect(bigJob.error).toMatch(/disco cheio.*Free space on that disk/);
      await client.ping();
      const refused = await client.callTool({
        name: 'ingest_leads',
        arguments: { file_path: join(inbox, 'depois.csv') },
      });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toMatch(/disco cheio/);
      expect((await client.callTool({ name: 'get_status', arguments: {} })).isError).toBeFalsy();
      // Every tool that may write refuses the same way; reads go on.
      const page = await client.callTool({ name: 'query_leads', arguments: { limit: 1 } });
      expect(page.isError).toBeFalsy();
      const leadId = (page.structuredContent as any).leads[0].lead_id;
      const write = await client.callTool({
        name: 'update_lead',
        arguments: { lead_id: leadId, status: 'perdido', reason: 'teste de disco cheio' },
      });
      expect(write.isError).toBe(true);
      expect(JSON.stringify(write.content)).toMatch(/^.*unavailable: No space left for the database \(disco cheio\)/);
      expect(
        (await client.callTool({ name: 'query_leads', arguments: { lead_id: leadId } })).structuredContent,
      ).toMatchObject({ leads: [{ status: 'novo' }] });
      await client.close();
      client = undefined;
      expect(existsSync(join(dataDir, 'agente.lock')), 'the server exited cleanly and released its lock').toBe(false);

      // A start on the full disk is refused with the same advice instead of hanging (the refused import above created no job).
      const fill2 = openSync(join(mnt, 'enchimento2.bin'), 'w');
      while (free(mnt) > MIN_FREE_BYTES / 2)
        writeSync(fill2, chunk.subarray(0, Math.min(chunk.length, free(mnt) - MIN_FREE_BYTES / 2 + 4096)));
      closeSync(fill2);
      const start = await runMain([], env, { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(start.code).toBe(1);
      expect(start.stderr).toMatch(/disco cheio.*at least 64\.0 MB free/);

      // Space freed: everything committed is there, and the database takes writes again.
      rmSync(filler);
      rmSync(join(mnt, 'enchimento2.bin'));
      execFileSync('mount', ['-o', 'remount,size=320m', mnt]); // and a bigger disk: the WAL of the failed import stays
      const db = await openDb({ dataDir });
      const { rows } = await sql<{ primeiro: number; grande: number; telefones: number; jobs: string }>`
      select (select count(*)::int from leads where nome like 'Primeiro %') as primeiro,
             (select count(*)::int from leads where nome like 'Grande %') as grande,
             (select count(*)::int from lead_telefones t join leads l using (lead_id) where l.nome like 'Primeiro %') as telefones,
             (select string_agg(status, ',' order by created_at) from ingest_jobs) as jobs`.execute(db.kysely);
      await db.close();
      expect(rows[0]).toMatchObject({ primeiro: 2_000, telefones: 2_000, jobs: 'concluido,falhou' });
      process.stdout.write(
        `disk-full: ${rows[0].grande} leads of the failed import were committed before the guard stopped it\n`,
      );

      client = await connect(env);
      const after = await client.callTool({
        name: 'ingest_leads',
        arguments: { file_path: join(inbox, 'depois.csv') },
      });
      expect((after.structuredContent as any).job).toMatchObject({
        status: 'concluido',
        counts: { leads_created: 500 },
      });
    },
  );
});
