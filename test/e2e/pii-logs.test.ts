import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_ROWS } from '../../src/demo/sample-leads.js';
import { cleanEnv, runMain, tempDir } from '../helpers/spawn.js';

/*
 * The whole `demo` (import, decisions, dry run, real sends to the sandbox servers, replies) with
 * debug logging: neither the servers' logs (the demo keeps their stderr in server-stderr.log) nor
 * the demo's own stderr may hold any phone, e-mail or CPF/CNPJ of the sample leads, in any of the
 * forms they take on the way (as typed, digits, E.164, the old 8-digit WhatsApp form, formatted).
 * The demo's stdout is the narrative shown to the person running it and is not a log.
 */

/** Every form a value of the sample can take in a log line. */
function piiForms(): string[] {
  const forms = new Set<string>();
  for (const [cells] of DEMO_ROWS) {
    const [, , doc, tel1, tel2, email] = cells;
    for (const tel of [tel1, tel2]) {
      for (const piece of String(tel ?? '').split('/')) {
        const digits = piece.replace(/\D/g, '');
        if (digits.length < 10 || digits.startsWith('0')) continue; // "-", "0800 …", "(00) …" are not phones
        const ddd = digits.slice(0, 2);
        const local = digits.slice(2);
        const nine = local.length === 8 && /^[6-9]/.test(local) ? `9${local}` : local; // repaired old mobile
        forms.add(piece.trim());
        forms.add(digits);
        forms.add(`+55${ddd}${nine}`);
        forms.add(`55${ddd}${nine}`);
        forms.add(`${ddd}${nine}`);
        if (nine.length === 9) forms.add(`55${ddd}${nine.slice(1)}`); // WhatsApp's 8-digit id
        forms.add(`${nine.slice(0, -4)}-${nine.slice(-4)}`);
      }
    }
    const mail = typeof email === 'object' && email !== null ? (email as { text: string }).text : String(email ?? '');
    if (mail.includes('@') && !mail.includes('@@')) forms.add(mail.toLowerCase());
    const d = String(doc ?? '').replace(/\D/g, '');
    if (d.length >= 11) {
      const full = d.length > 11 ? d.padStart(14, '0') : d;
      forms.add(String(doc));
      forms.add(full);
      if (full.length === 14)
        forms.add(`${full.slice(0, 2)}.${full.slice(2, 5)}.${full.slice(5, 8)}/${full.slice(8, 12)}-${full.slice(12)}`);
      if (full.length === 14 && full.startsWith('0')) forms.add(full.slice(1));
      if (full.length === 11) forms.add(`${full.slice(0, 3)}.${full.slice(3, 6)}.${full.slice(6, 9)}-${full.slice(9)}`);
    }
  }
  return [...forms].filter((f) => f.length >= 8);
}

describe('personal data in logs', () => {
  it(
    'a whole demo run at debug level logs no phone, e-mail or document of the sample leads',
    { timeout: 240_000 },
    async () => {
      const tmp = tempDir('pii-');
      const run = await runMain(['demo'], cleanEnv({ AGENTE_LOG_LEVEL: 'debug', TMPDIR: tmp }));
      expect(run.code, run.stdout.slice(-3000)).toBe(0);
      const dataDir = run.stdout.match(/data in (\S+)/)![1];
      const serverLog = readFileSync(join(dataDir, 'server-stderr.log'), 'utf8');
      const logs = `${serverLog}\n${run.stderr}`;
      // The log is really at debug level and really covers the run.
      expect(logs).toMatch(/"level":20/);
      expect(logs.split('\n').length).toBeGreaterThan(10);
      const forms = piiForms();
      expect(forms).toEqual(
        expect.arrayContaining(['+5511987654321', '04567890000179', 'contato@paoquente.com.br', '12345678909']),
      );
      // The narrative does show them (so the forms are right), the logs must not.
      expect(forms.filter((f) => run.stdout.includes(f)).length).toBeGreaterThan(5);
      const hits = forms
        .map((f) => ({ f, line: logs.split('\n').find((l) => l.toLowerCase().includes(f.toLowerCase())) }))
        .filter((h) => h.line)
        .map((h) => `${h.f} in: ${h.line!.slice(0, 400)}`);
      expect(hits, hits.join('\n')).toEqual([]);
    },
  );
});
