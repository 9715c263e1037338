import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { records } from '../../src/demo/helpers.js';
import { cleanEnv, runMain, tempDir } from '../helpers/spawn.js';

/*
 * The README's quick start (`demo`) at any hour, on a clock we choose: libfaketime makes the demo and
 * every process it spawns (server, sandbox channel servers; PGlite runs inside the server) see that
 * time. A collection message keeps the hours the law allows in the lead's state (SP Lei 15.426/2014 by
 * default: Mon–Fri 08–20, Sat 08–14, never Sundays or holidays) even though the demo opens the tenant's
 * window all week, so:
 * - on a Wednesday at noon in São Paulo the campaign sends the collection notice;
 * - on a Sunday the dry run defers the collections (fora_do_horario_cobranca) and the campaign sends the
 *   sales-contact opener instead, with no debt in any message, and the demo still ends well.
 * CI installs libfaketime (.ci/run); without it this test fails rather than skips.
 */
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

async function demoAt(utc: string) {
  expect(existsSync(FAKETIME_LIB), `${FAKETIME_LIB} missing: apt-get install faketime`).toBe(true);
  const run = await runMain(
    ['demo'],
    cleanEnv({ LD_PRELOAD: FAKETIME_LIB, FAKETIME: `@${utc}`, TZ: 'UTC', TMPDIR: tempDir('clock-') }),
  );
  expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`).toBe(0);
  const dataDir = run.stdout.match(/data in (\S+)/)![1];
  const sent = [...records(dataDir, 'whatsapp'), ...records(dataDir, 'email')];
  return { stdout: run.stdout, sent, texts: sent.map((r) => String(r.args.text)) };
}

describe('the demo on any clock: collection hours by law', () => {
  it(
    'Wednesday 12:00 in São Paulo: the campaign sends the collection notice, creditor and debt included',
    { timeout: 120_000 },
    async () => {
      const d = await demoAt('2026-12-09 15:00:00');
      expect(d.stdout).toMatch(/inside the hours the law allows for collection messages/);
      expect(d.stdout).toMatch(/Campaign concluido: enviado 9, adiado 0/);
      expect(d.sent).toHaveLength(9);
      for (const t of d.texts) expect(t).toContain('AlquimistaAI Cobranças Ltda'); // the creditor, CDC art. 42-A
      expect(d.texts.filter((t) => /Consta em aberto/.test(t)).length).toBeGreaterThan(0);
    },
  );

  it(
    'Sunday: collections wait for Monday 08:00 by law, the demo sends the sales-contact opener and ends well',
    { timeout: 120_000 },
    async () => {
      const d = await demoAt('2026-12-06 15:00:00');
      // Session 1's dry run: the collection messages are deferred by the state's law, to Monday.
      expect(d.stdout).toMatch(/fora_do_horario_cobranca \d+/);
      expect(d.stdout).toMatch(/próximo horário: segunda 07\/12 às 08:00 — horário de cobrança por lei/);
      expect(d.stdout).toMatch(/sends the sales-contact opener instead/);
      expect(d.stdout).toMatch(/Campaign concluido: enviado 9, adiado 0/);
      expect(d.sent).toHaveLength(9);
      for (const t of d.texts) {
        expect(t).not.toMatch(/Consta em aberto|R\$|vencimento|CNPJ/);
        expect(t).toMatch(/Gostaríamos de conversar|Podemos falar/);
      }
    },
  );
});
