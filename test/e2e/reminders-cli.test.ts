/**
 * `agente-disparo-agenda reminders` as cron runs it: real processes on one PostgreSQL, the real
 * sandbox WhatsApp server, the system clock. Two runs started at the same moment send one reminder
 * per meeting; with sending off the command is a dry run.
 */
import { plantingFixtures } from '../helpers/transition-guard.js';
import { asOwner } from '../helpers/tenant-seed.js';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { openDb, type Db } from '../../src/db/connect.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { createPgDatabase } from '../helpers/db.js';
import { sandboxSends, writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';
import { insertLead } from '../helpers/fixtures.js';
import { cleanEnv, runMain, tempDir } from '../helpers/spawn.js';

describe('reminders command (PostgreSQL, cron-style)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  async function seed(slug: string): Promise<{ db: Db; url: string; ids: string[] }> {
    const { url, drop } = await createPgDatabase();
    const db = await openDb({ databaseUrl: url });
    cleanup.push(async () => {
      await db.close();
      await drop();
    });
    const tenant = await ensureTenant(db.kysely, slug);
    // Open all day every day, so the wall clock of the test run cannot defer the reminders.
    await withTenant(db.kysely, tenant.tenant_id, (tx) =>
      savePolicy(tx, tenant.tenant_id, {
        remetente: 'Alquimista Cobranças', // a reminder names its sender; never the tenant's slug
        janela: { dias: Array(7).fill({ inicio: '00:00', fim: '24:00' }), respeitar_feriados: false },
      }),
    );
    const ids: string[] = [];
    for (const [i, tz] of ['America/Sao_Paulo', 'America/Manaus'].entries()) {
      const lead = await insertLead(db.kysely, tenant.tenant_id, {
        nome: `Cron ${i}`,
        status: 'agendado',
        timezone: tz,
        phones: [{ e164: `+551198765300${i}` }],
      });
      const { rows } = await db.kysely.transaction().execute(async (tx) => {
        await plantingFixtures(tx);
        return sql<{ agendamento_id: string }>`
          insert into agendamentos (tenant_id, lead_id, inicio, fim, timezone, titulo, status, evento_id_externo)
          values (${tenant.tenant_id}, ${lead}, now() + interval '3 hours', now() + interval '3 hours 30 minutes', ${tz}, 'Reunião', 'agendado', ${`ev-${i}`})
          returning agendamento_id`.execute(tx);
      });
      ids.push(rows[0].agendamento_id);
    }
    return { db, url, ids };
  }

  it(
    'two runs at once: one reminder per meeting, sent to the sandbox; a third run finds nothing',
    { timeout: 120_000 },
    async () => {
      const { db, url, ids } = await seed('cron');
      const dir = tempDir('reminders-');
      const env = cleanEnv({
        DATABASE_URL: url,
        AGENTE_TENANT: 'cron',
        MICRO_AGENT_DISPARO_ENABLED: 'true',
        AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
      });
      const runs = await Promise.all([0, 1].map(() => runMain(['reminders', '--window-hours', '6'], env)));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const results = runs.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!));
      expect(results.reduce((n, r) => n + r.reminders, 0)).toBe(2);
      const sends = sandboxSends(dir).filter((s) => s.args.template === 'lembrete_reuniao_whatsapp_v1');
      expect(sends.map((s) => s.args.to).sort()).toEqual(['+5511987653000', '+5511987653001']);
      const rows = await asOwner(db.kysely, (tx) =>
        tx.selectFrom('disparos').select(['agendamento_id', 'status']).where('agendamento_id', 'in', ids).execute(),
      );
      expect(rows.map((r) => r.status)).toEqual(['enviado', 'enviado']);
      const third = await runMain(['reminders', '--window-hours', '6'], env);
      expect(JSON.parse(third.stdout.trim())).toMatchObject({ mode: 'real', found: 0, reminders: 0 });
      expect(sandboxSends(dir)).toHaveLength(2);
    },
  );

  it('with sending off: a dry run, nothing marked or sent', { timeout: 60_000 }, async () => {
    const { db, url, ids } = await seed('cron-off');
    const dir = tempDir('reminders-off-');
    const r = await runMain(
      ['reminders'],
      cleanEnv({ DATABASE_URL: url, AGENTE_TENANT: 'cron-off', AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir) }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^DRY RUN \(nothing sent\): 2 meeting\(s\)/m);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ mode: 'dry_run', reminders: 2 });
    const marked = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('agendamentos').select('lembrete_enviado_em').where('agendamento_id', 'in', ids).execute(),
    );
    expect(marked.every((m) => m.lembrete_enviado_em === null)).toBe(true);
    expect(sandboxSends(dir)).toEqual([]);
  });
});
