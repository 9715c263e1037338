/**
 * send_reminders through a real MCP client, with the real sandbox servers and the executor, on a
 * movable fixed clock (in the past, so the executor never waits for a send slot).
 */
import { asOwner } from '../helpers/tenant-seed.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';

describe(`send_reminders (${testDbKind()})`, () => {
  let db: TestDb;
  const envs: MeetingsEnv[] = [];
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    for (const e of envs) await e.close();
    await db?.destroy();
  });
  const setup = async (now: string, o: { dispatchEnabled?: boolean } = {}) => {
    const e = await meetingsEnv(db, { now, ...o });
    envs.push(e);
    return e;
  };
  const call = async (e: MeetingsEnv, name: string, args: Record<string, unknown>) => {
    const r = await e.client.callTool({ name, arguments: args });
    expect(r.isError, textOf(r)).toBeFalsy();
    return r.structuredContent as any;
  };
  const reminderSends = (e: MeetingsEnv) =>
    e.record('whatsapp').filter((l) => l.args.template === 'lembrete_reuniao_whatsapp_v1');

  it('exactly one reminder per meeting when send_reminders runs three times at once', async () => {
    const e = await setup('2026-11-23T13:00:00Z'); // Monday 10:00 in São Paulo
    const leads = [
      await e.lead({ nome: 'Loja SP', phone: '+5511987650001' }),
      await e.lead({ nome: 'Loja Manaus', phone: '+5592987650002' }),
      await e.lead({ nome: 'Loja Acre', phone: '+5568987650003' }),
    ];
    const ids: string[] = [];
    for (const [i, lead] of leads.entries()) {
      ids.push(
        (await call(e, 'schedule_meeting', { lead_id: lead, start: `2026-11-23T1${5 + i}:00` })).agendamento
          .agendamento_id,
      );
    }
    // One more far away (outside the 24 h window) and one cancelled: no reminder for either.
    const far = await e.lead({ nome: 'Loja Longe', phone: '+5511987650004' });
    await call(e, 'schedule_meeting', { lead_id: far, start: '2026-11-26T10:00' });
    const gone = await e.lead({ nome: 'Loja Cancelada', phone: '+5511987650005' });
    const g = await call(e, 'schedule_meeting', { lead_id: gone, start: '2026-11-24T15:00' });
    await call(e, 'update_meeting', { agendamento_id: g.agendamento.agendamento_id, action: 'cancel' });

    const runs = await Promise.all([0, 1, 2].map(() => call(e, 'send_reminders', { window_hours: 24 })));
    expect(runs.reduce((n, r) => n + r.reminders, 0)).toBe(3);
    for (const r of runs) expect(r.items.every((i: any) => ['lembrete', 'ja_enviado'].includes(i.result))).toBe(true);
    const queued = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['agendamento_id', 'template', 'status'])
        .where('tenant_id', '=', e.tenantId)
        .where('template', 'like', 'lembrete%')
        .execute(),
    );
    expect(queued.map((q) => q.agendamento_id).sort()).toEqual([...ids].sort());
    await e.drain();
    const sent = reminderSends(e);
    expect(sent.map((s) => s.args.to).sort()).toEqual(['+5511987650001', '+5568987650003', '+5592987650002']);
    expect(String(sent.find((s) => s.args.to === '+5592987650002')!.args.text)).toContain(
      'segunda-feira, 23/11/2026, às 16:00 (horário de Manaus)',
    );
    expect(String(sent.find((s) => s.args.to === '+5568987650003')!.args.text)).toContain('às 17:00 (horário do Acre)');
    const marked = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('agendamentos')
        .select(['agendamento_id', 'lembrete_enviado_em'])
        .where('agendamento_id', 'in', ids)
        .execute(),
    );
    expect(marked.every((m) => m.lembrete_enviado_em !== null)).toBe(true);
    // A later run (cron, a minute after) finds nothing to do.
    e.clock.set('2026-11-23T13:01:00Z');
    const again = await call(e, 'send_reminders', {});
    expect(again).toMatchObject({ found: 0, reminders: 0 });
    await e.drain();
    expect(reminderSends(e)).toHaveLength(3);
  });

  it('each zone gets its reminder only inside its own send window: Noronha, then São Paulo, Manaus, Rio Branco', async () => {
    // Monday 10:30 UTC = 08:30 in Noronha (open), 07:30 São Paulo, 06:30 Manaus, 05:30 Rio Branco (closed).
    const e = await setup('2026-11-23T10:30:00Z');
    const zones = [
      { tz: 'America/Noronha', phone: '+5581987651001' },
      { tz: 'America/Sao_Paulo', phone: '+5511987651002' },
      { tz: 'America/Manaus', phone: '+5592987651003' },
      { tz: 'America/Rio_Branco', phone: '+5568987651004' },
    ];
    const byPhone = new Map<string, string>();
    for (const z of zones) {
      const lead = await e.lead({ nome: `Loja ${z.tz}`, phone: z.phone, timezone: z.tz });
      const s = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-23T16:00' }); // 16:00 local, each in its zone
      expect(s.agendamento.timezone).toBe(z.tz);
      byPhone.set(z.phone, s.agendamento.agendamento_id);
    }
    const steps: Array<{ at: string; newly: string[]; deferred: Record<string, string> }> = [
      {
        at: '2026-11-23T10:30:00Z',
        newly: ['+5581987651001'],
        deferred: {
          '+5511987651002': '2026-11-23T11:00:00.000Z',
          '+5592987651003': '2026-11-23T12:00:00.000Z',
          '+5568987651004': '2026-11-23T13:00:00.000Z',
        },
      },
      {
        at: '2026-11-23T11:00:00Z',
        newly: ['+5511987651002'],
        deferred: { '+5592987651003': '2026-11-23T12:00:00.000Z', '+5568987651004': '2026-11-23T13:00:00.000Z' },
      },
      {
        at: '2026-11-23T12:00:00Z',
        newly: ['+5592987651003'],
        deferred: { '+5568987651004': '2026-11-23T13:00:00.000Z' },
      },
      { at: '2026-11-23T13:00:00Z', newly: ['+5568987651004'], deferred: {} },
    ];
    const seen: string[] = [];
    for (const step of steps) {
      e.clock.set(step.at);
      const r = await call(e, 'send_reminders', { window_hours: 24 });
      const idOf = (p: string) => byPhone.get(p)!;
      expect(r.items.filter((i: any) => i.result === 'lembrete').map((i: any) => i.agendamento_id)).toEqual(
        step.newly.map(idOf),
      );
      const deferred = Object.fromEntries(
        r.items.filter((i: any) => i.result === 'adiado').map((i: any) => [i.agendamento_id, i.scheduled_for]),
      );
      expect(deferred).toEqual(Object.fromEntries(Object.entries(step.deferred).map(([p, at]) => [idOf(p), at])));
      await e.drain();
      seen.push(...step.newly);
      expect(
        reminderSends(e)
          .map((s) => s.args.to)
          .sort(),
      ).toEqual([...seen].sort());
    }
    expect(String(reminderSends(e).find((s) => s.args.to === '+5581987651001')!.args.text)).toContain(
      'às 16:00 (horário de Fernando de Noronha)',
    );
  });

  it('a reminder held past the meeting start is cancelled at send time, never sent late', async () => {
    // Monday 11:10 UTC = 08:10 in São Paulo, the window open; the meeting is at 08:30.
    const e = await setup('2026-11-23T11:10:00Z');
    const lead = await e.lead({ nome: 'Loja Atrasada', phone: '+5511987652600' });
    const s = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-23T08:30', force: true });
    const r = await call(e, 'send_reminders', { window_hours: 24 });
    expect(r.items).toEqual([
      expect.objectContaining({ agendamento_id: s.agendamento.agendamento_id, result: 'lembrete' }),
    ]);
    // The reminder is queued, but the executor does not get to it before the meeting has begun (a
    // stopped worker, a backlog, retries).
    e.clock.set('2026-11-23T11:45:00Z');
    await e.drain();
    expect(reminderSends(e)).toEqual([]);
    const rows = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['status', 'motivo'])
        .where('tenant_id', '=', e.tenantId)
        .where('agendamento_id', '=', s.agendamento.agendamento_id)
        .where('template', 'like', 'lembrete%')
        .execute(),
    );
    expect(rows).toEqual([{ status: 'cancelado', motivo: 'reunião já começou antes do envio' }]);
  });

  it('a meeting before the send window opens gets no reminder, and says why', async () => {
    const e = await setup('2026-11-23T09:00:00Z'); // 06:00 in São Paulo
    const lead = await e.lead({ nome: 'Loja Cedo', phone: '+5511987652500' });
    const s = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-23T07:30', force: true });
    const r = await call(e, 'send_reminders', {});
    expect(r.items).toEqual([
      expect.objectContaining({
        agendamento_id: s.agendamento.agendamento_id,
        result: 'sem_horario',
        scheduled_for: '2026-11-23T11:00:00.000Z',
        reason: expect.stringMatching(/só abre depois do início da reunião$/),
      }),
    ]);
    expect(r.reminders).toBe(0);
    await e.drain();
    expect(reminderSends(e)).toEqual([]);
  });

  it('with sending off: a dry run — nothing queued, sent or marked; a dry_run_log row says what would go', async () => {
    const e = await setup('2026-11-23T13:00:00Z', { dispatchEnabled: false });
    const lead = await e.lead({ nome: 'Loja Ensaio', phone: '+5511987652001' });
    // With sending off nothing can be booked, so the meeting is inserted as if booked earlier.
    const { rows } = await asOwner(db.kysely, (tx) =>
      sql<{ agendamento_id: string }>`
      insert into agendamentos (tenant_id, lead_id, inicio, fim, timezone, titulo, status, evento_id_externo)
      values (${e.tenantId}, ${lead}, '2026-11-23T18:00:00Z', '2026-11-23T18:30:00Z', 'America/Sao_Paulo', 'Reunião', 'agendado', 'ev-1')
      returning agendamento_id`.execute(tx),
    );
    const r = await call(e, 'send_reminders', { window_hours: 24 });
    expect(r).toMatchObject({ mode: 'dry_run', window_hours: 24, found: 1, reminders: 1, deferred: 0 });
    expect(r.items[0]).toMatchObject({ start_local: '2026-11-23T15:00:00-03:00', result: 'lembrete' });
    expect(r.items[0].message).toMatchObject({
      status: 'dry_run',
      channel: 'whatsapp',
      template: 'lembrete_reuniao_whatsapp_v1',
      disparo_id: null,
    });
    expect(r.items[0].message.message).toContain('às 15:00 (horário de Brasília)');
    const ag = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('agendamentos')
        .select('lembrete_enviado_em')
        .where('agendamento_id', '=', rows[0].agendamento_id)
        .executeTakeFirstOrThrow(),
    );
    expect(ag.lembrete_enviado_em).toBeNull();
    expect(
      await asOwner(db.kysely, (tx) =>
        tx.selectFrom('disparos').select('disparo_id').where('tenant_id', '=', e.tenantId).execute(),
      ),
    ).toEqual([]);
    const log = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('dry_run_log')
        .select(['template_selecionado', 'disparo_seria_executado'])
        .where('lead_id', '=', lead)
        .execute(),
    );
    expect(log).toEqual([{ template_selecionado: 'lembrete_reuniao_whatsapp_v1', disparo_seria_executado: true }]);
    expect(e.record('whatsapp')).toEqual([]);
  });
});
