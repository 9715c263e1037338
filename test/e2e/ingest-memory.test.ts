import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { cleanEnv, MAIN, tempDir } from '../helpers/spawn.js';
import { bombDeflate, makeXlsx, makeZip, xlsxParts } from '../helpers/zip.js';

/*
 * The hostile files of test/tools/ingest-hostile.test.ts fed to a real server process over stdio
 * (on PostgreSQL, so the figure is the reader's and not PGlite's ~400 MB), then the process's peak
 * resident memory (VmHWM) is read from /proc: it must stay bounded whatever the file claims.
 * The server runs with a 256 MB V8 heap cap, so an import that needed memory in proportion to what the
 * file claims would die of OOM here, and the peak is the memory the work needs rather than how lazily V8
 * collects (uncapped, the same files peaked anywhere between 450 and 690 MB from run to run). Measured
 * with the cap (three runs): baseline ~105–119 MB, ~185 MB after the lying bomb, ~330–341 MB after 16k
 * columns × 50 rows and after ten 3 MB rows.
 */
const PEAK_LIMIT_MB = 450;
const HEAP_CAP_MB = 256;

const mb = () => randomBytes(512 * 1024).toString('hex');

function peakMb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  return Number(m![1]) / 1024;
}

describe('hostile spreadsheets in a real server process: alive, memory bounded', () => {
  let drop: (() => Promise<void>) | undefined;
  let client: Client | undefined;
  afterAll(async () => {
    await client?.close();
    await drop?.();
  });

  it(
    `zip bombs, 16k columns and 1 MB cells: each answered, peak RSS under ${PEAK_LIMIT_MB} MB`,
    { timeout: 240_000 },
    async () => {
      const db = await createPgDatabase();
      drop = db.drop;
      const dir = tempDir('ingest-mem-');
      const transport = new StdioClientTransport({
        command: process.execPath,
        // A heap cap makes the figure the memory the work needs, not how lazily V8 collects garbage
        // (uncapped, the same run peaked anywhere from 450 to 690 MB): the import must finish within it.
        args: [`--max-old-space-size=${HEAP_CAP_MB}`, MAIN],
        cwd: dir,
        env: cleanEnv({ DATABASE_URL: db.url, AGENTE_INGEST_DIRS: dir }) as Record<string, string>,
        stderr: 'pipe',
      });
      client = new Client({ name: 'e2e-memory', version: '1.0.0' });
      await client.connect(transport);
      const pid = transport.pid!;
      const baseline = peakMb(pid);

      const head =
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Empresa</t></is></c></row>';
      const honest = bombDeflate(
        head,
        '<row/>'.repeat((1024 * 1024) / 8) + ' '.repeat(256 * 1024),
        2048,
        '</sheetData></worksheet>',
      );
      const liar = bombDeflate(head, ' '.repeat(1024 * 1024), 4096, '</sheetData></worksheet>');
      const width = 16_384;
      const files: Array<[string, Buffer, RegExp]> = [
        ['bomba.xlsx', makeZip(xlsxParts(honest)), /zip bomb/],
        // Declares 63 MB (under the ratio check's floor), inflates to 4 GB of whitespace.
        [
          'mentirosa.xlsx',
          makeZip(xlsxParts({ deflated: liar.deflated, size: 63 * 1024 * 1024 })),
          /expands past its declared size/,
        ],
        [
          'larga.xlsx',
          makeXlsx([
            Array.from({ length: width }, (_, i) => (i === 0 ? 'Empresa' : i === 1 ? 'Celular' : `Coluna ${i}`)),
            ...Array.from({ length: 50 }, (_, r) =>
              Array.from({ length: width }, (_, i) =>
                i === 0 ? `Larga ${r}` : i === 1 ? `(11) 98000-${String(r).padStart(4, '0')}` : `v${i}`,
              ),
            ),
          ]),
          /^$/,
        ],
        [
          'celulas.xlsx',
          makeXlsx([
            ['Empresa', 'Celular', 'Observações', 'E-mail'],
            // Random text: a million repeats of one letter compresses 1000× and is refused as a bomb.
            ...Array.from({ length: 10 }, (_, r) => [
              `Empresa ${r} ${mb()}`,
              `(11) 98111-${String(r).padStart(4, '0')}`,
              mb(),
              `${mb()}@x.com.br`,
            ]),
          ]),
          /^$/,
        ],
      ];
      const report: string[] = [];
      for (const [name, buf, expected] of files) {
        writeFileSync(join(dir, name), buf);
        const res = await client.callTool(
          { name: 'ingest_leads', arguments: { file_path: join(dir, name) } },
          { timeout: 120_000 },
        );
        expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
        const job = (res.structuredContent as { job: { status: string; error: string | null } }).job;
        if (expected.source === '^$') expect(job.status, job.error ?? '').toBe('concluido');
        else {
          expect(job.status).toBe('falhou');
          expect(job.error).toMatch(expected);
        }
        report.push(
          `${name} (${(buf.length / 1024 / 1024).toFixed(1)} MB): ${job.status}, peak ${peakMb(pid).toFixed(0)} MB`,
        );
        expect(await client.ping()).toBeDefined();
      }
      const peak = peakMb(pid);
      process.stdout.write(`ingest-memory: baseline ${baseline.toFixed(0)} MB; ${report.join('; ')}\n`);
      expect(peak).toBeLessThan(PEAK_LIMIT_MB);
    },
  );
});
