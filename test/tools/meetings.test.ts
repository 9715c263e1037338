/**
 * schedule_meeting / update_meeting / propose_slots through a real MCP client, against the real
 * sandbox calendar (and WhatsApp) server processes, on a fixed clock: Monday 2026-11-23 13:00 UTC (in the past, so the executor never waits for a send slot)
 * (10:00 in São Paulo, 09:00 in Manaus, 08:00 in Rio Branco, 11:00 in Fernando de Noronha).
 */
import { asOwner } from '../helpers/tenant-seed.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../../src/core/time/index.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';

const NOW = '2026-11-23T13:00:00Z';

describe(`meetings (${testDbKind()})`, () => {
  let db: TestDb;
  const envs: MeetingsEnv[] = [];
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    for (const e of envs) await e.close();
    await db?.destroy();
  });
  const setup = async (o: Partial<Parameters<typeof meetingsEnv>[1]> = {}) => {
    const e = await meetingsEnv(db, { now: NOW, ...o });
    envs.push(e);
    return e;
  };
  const agendamento = (id: string) =>
    asOwner(db.kysely, (tx) =>
      tx.selectFrom('agendamentos').selectAll().where('agendamento_id', '=', id).executeTakeFirstOrThrow(),
    );
  const leadStatus = async (id: string) =>
    (
      await asOwner(db.kysely, (tx) =>
        tx.selectFrom('leads').select('status').where('lead_id', '=', id).executeTakeFirstOrThrow(),
      )
    ).status;
  const call = (e: MeetingsEnv, name: string, args: Record<string, unknown>) =>
    e.client.callTool({ name, arguments: args });

  it('schedule: a local time in Manaus becomes an event in the sandbox calendar, an agendado row and an agendado lead', async () => {
    const e = await setup();
    const lead = await e.lead({ nome: 'Mercadinho Rio Negro', phone: '+5592991234567' });
    const res = await call(e, 'schedule_meeting', {
      lead_id: lead,
      start: '2026-11-24T10:00',
      duration_minutes: 45,
      location: 'https://meet.exemplo.com/abc',
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent as any;
    expect(out).toMatchObject({ mode: 'real', lead_status: 'agendado' });
    expect(out.agendamento).toMatchObject({
      status: 'agendado',
      start: '2026-11-24T14:00:00.000Z',
      end: '2026-11-24T14:45:00.000Z',
      start_local: '2026-11-24T10:00:00-04:00',
      label: 'terça, 24/11 às 10:00 (horário de Manaus)',
      timezone: 'America/Manaus',
      title: 'Reunião: Mercadinho Rio Negro',
      location: 'https://meet.exemplo.com/abc',
      calendar_event_id: expect.any(String),
      error: null,
      reminder_sent_at: null,
    });
    const created = e.record('calendar').filter((l) => l.tool === 'create_event');
    expect(created).toHaveLength(1);
    expect(created[0].args).toMatchObject({
      title: 'Reunião: Mercadinho Rio Negro',
      start: '2026-11-24T10:00:00-04:00',
      end: '2026-11-24T10:45:00-04:00',
      timeZone: 'America/Manaus',
      location: 'https://meet.exemplo.com/abc',
    });
    expect(created[0].idempotency_key).toBe(`ag:${out.agendamento.agendamento_id}`);
    const row = await agendamento(out.agendamento.agendamento_id);
    expect(row).toMatchObject({ status: 'agendado', evento_id_externo: created[0].message_id, erro: null });
    expect(await leadStatus(lead)).toBe('agendado');
    const ev = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('lead_eventos')
        .select(['status_de', 'status_para'])
        .where('lead_id', '=', lead)
        .where('tipo', '=', 'transicao')
        .execute(),
    );
    expect(ev).toEqual([{ status_de: 'respondeu', status_para: 'agendado' }]);
    // query_leads names the next meeting; lead:// lists the meetings.
    const detail = await call(e, 'query_leads', { lead_id: lead });
    expect(textOf(detail)).toContain('1 meeting(s), next terça, 24/11 às 10:00 (horário de Manaus) (agendado)');
    const resource = JSON.parse(
      ((await e.client.readResource({ uri: `lead://${lead}` })).contents[0] as { text: string }).text,
    );
    expect(resource.agendamentos).toEqual([
      {
        agendamento_id: out.agendamento.agendamento_id,
        status: 'agendado',
        start: '2026-11-24T14:00:00.000Z',
        label: 'terça, 24/11 às 10:00 (horário de Manaus)',
      },
    ]);
  });

  it('refuses double booking for the lead and for the organiser; another organiser is free', async () => {
    const e = await setup();
    const a = await e.lead({ nome: 'Padaria A' });
    const b = await e.lead({ nome: 'Padaria B' });
    const first = await call(e, 'schedule_meeting', {
      lead_id: a,
      start: '2026-11-24T10:00:00-03:00',
      duration_minutes: 60,
      organizer: 'vendas@cobra.com.br',
    });
    expect(first.isError, textOf(first)).toBeFalsy();
    const sameLead = await call(e, 'schedule_meeting', {
      lead_id: a,
      start: '2026-11-24T10:30:00-03:00',
      organizer: 'outra@cobra.com.br',
    });
    expect(sameLead.isError).toBe(true);
    expect(textOf(sameLead)).toMatch(/^conflict: Double booking.*same lead/);
    const sameOrganiser = await call(e, 'schedule_meeting', {
      lead_id: b,
      start: '2026-11-24T10:45',
      organizer: 'Vendas@Cobra.com.br',
    });
    expect(sameOrganiser.isError).toBe(true);
    expect(textOf(sameOrganiser)).toMatch(/same organiser/);
    const otherOrganiser = await call(e, 'schedule_meeting', {
      lead_id: b,
      start: '2026-11-24T10:45',
      organizer: 'suporte@cobra.com.br',
    });
    expect(otherOrganiser.isError, textOf(otherOrganiser)).toBeFalsy();
    // Back to back is not an overlap.
    const after = await call(e, 'schedule_meeting', {
      lead_id: a,
      start: '2026-11-24T11:00',
      organizer: 'vendas@cobra.com.br',
    });
    expect(after.isError, textOf(after)).toBeFalsy();
    expect(e.record('calendar').filter((l) => l.tool === 'create_event')).toHaveLength(3);
  });

  it('concurrent bookings of the same slot: exactly one wins', async () => {
    const e = await setup();
    const a = await e.lead({ nome: 'Concorrente A' });
    const b = await e.lead({ nome: 'Concorrente B' });
    const results = await Promise.all(
      [a, b, a, b].map((lead) => call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-25T15:00' })),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(results.filter((r) => r.isError).every((r) => /Double booking/.test(textOf(r)))).toBe(true);
    expect(e.record('calendar').filter((l) => l.tool === 'create_event')).toHaveLength(1);
  });

  it('refuses the past, Sunday and after-hours starts; force books after hours but never the past', async () => {
    const e = await setup();
    const lead = await e.lead({ nome: 'Oficina Noturna' });
    const past = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-23T09:00' });
    expect(textOf(past)).toMatch(/^invalid_argument: .*in the past/);
    const sunday = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-29T10:00' });
    expect(textOf(sunday)).toMatch(/Outside business hours.*domingo/);
    const late = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T19:45', duration_minutes: 30 });
    expect(textOf(late)).toMatch(/Outside business hours.*08:00–20:00/);
    const holiday = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-12-25T10:00' });
    expect(textOf(holiday)).toMatch(/feriado \(Natal\)/);
    expect(e.record('calendar')).toHaveLength(0);
    const forced = await call(e, 'schedule_meeting', {
      lead_id: lead,
      start: '2026-11-24T19:45',
      duration_minutes: 30,
      force: true,
    });
    expect(forced.isError, textOf(forced)).toBeFalsy();
    const forcedPast = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-23T09:00', force: true });
    expect(forcedPast.isError).toBe(true);
    expect(
      await asOwner(db.kysely, (tx) =>
        tx.selectFrom('agendamentos').select('status').where('lead_id', '=', lead).execute(),
      ),
    ).toEqual([{ status: 'agendado' }]);
  });

  it('reschedule moves the event in the sandbox; confirm; cancel deletes it and the lead goes back to respondeu', async () => {
    const e = await setup();
    const lead = await e.lead({ nome: 'Farmácia Acre', timezone: 'America/Rio_Branco' });
    const other = await e.lead({ nome: 'Bloqueio' });
    const s = (await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T09:00' }))
      .structuredContent as any;
    const id = s.agendamento.agendamento_id;
    const eventId = s.agendamento.calendar_event_id;
    await call(e, 'schedule_meeting', { lead_id: other, start: '2026-11-26T11:00:00-03:00' }); // 09:00 in Rio Branco

    const confirm = await call(e, 'update_meeting', { agendamento_id: id, action: 'confirm' });
    expect(confirm.structuredContent).toMatchObject({
      previous_status: 'agendado',
      lead_status: 'confirmado',
      agendamento: { status: 'confirmado' },
    });

    const clash = await call(e, 'update_meeting', {
      agendamento_id: id,
      action: 'reschedule',
      start: '2026-11-26T09:00',
    });
    expect(textOf(clash)).toMatch(/Double booking/);
    const moved = await call(e, 'update_meeting', {
      agendamento_id: id,
      action: 'reschedule',
      start: '2026-11-26T14:00',
      duration_minutes: 60,
    });
    expect(moved.isError, textOf(moved)).toBeFalsy();
    expect(moved.structuredContent).toMatchObject({
      previous_status: 'confirmado',
      lead_status: 'agendado',
      agendamento: {
        status: 'agendado',
        start: '2026-11-26T19:00:00.000Z',
        end: '2026-11-26T20:00:00.000Z',
        start_local: '2026-11-26T14:00:00-05:00',
        error: null,
        calendar_event_id: eventId,
      },
    });
    const upd = e.record('calendar').filter((l) => l.tool === 'update_event');
    expect(upd).toHaveLength(1);
    expect(upd[0].args).toMatchObject({
      event_id: eventId,
      start: '2026-11-26T14:00:00-05:00',
      end: '2026-11-26T15:00:00-05:00',
    });
    const listed = await e.pool.call(
      'cal',
      'list_events',
      { from: '2026-11-24T00:00:00Z', to: '2026-11-28T00:00:00Z' },
      { timeoutMs: 10_000 },
    );
    expect((listed.structuredContent as any).events.find((x: any) => x.event_id === eventId)).toMatchObject({
      start: '2026-11-26T14:00:00-05:00',
    });

    const cancel = await call(e, 'update_meeting', { agendamento_id: id, action: 'cancel', reason: 'cliente pediu' });
    expect(cancel.isError, textOf(cancel)).toBeFalsy();
    expect(cancel.structuredContent).toMatchObject({
      previous_status: 'agendado',
      lead_status: 'respondeu',
      agendamento: { status: 'cancelado' },
    });
    expect(
      e
        .record('calendar')
        .filter((l) => l.tool === 'delete_event')
        .map((l) => l.args.event_id),
    ).toEqual([eventId]);
    const after = await e.pool.call(
      'cal',
      'list_events',
      { from: '2026-11-24T00:00:00Z', to: '2026-11-28T00:00:00Z' },
      { timeoutMs: 10_000 },
    );
    expect((after.structuredContent as any).events.map((x: any) => x.event_id)).not.toContain(eventId);
    expect(await leadStatus(lead)).toBe('respondeu');
    const again = await call(e, 'update_meeting', { agendamento_id: id, action: 'cancel' });
    expect(textOf(again)).toMatch(/^failed_precondition: .*cancelado/);
    // Its events, read through list_events: a reschedule is not a new booking.
    const evs = (await call(e, 'list_events', { limit: 500 })).structuredContent as any;
    expect(
      evs.events.filter((x: any) => x.subject === id).map((x: any) => x.type.replace('br.com.alquimista.', '')),
    ).toEqual(['meeting.booked', 'meeting.confirmed', 'meeting.rescheduled', 'meeting.cancelled']);
    // The freed slot can be booked again.
    const rebook = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-26T14:00' });
    expect(rebook.isError, textOf(rebook)).toBeFalsy();
  });

  it('complete and no_show only after the meeting started; the lead follows', async () => {
    const e = await setup();
    const a = await e.lead({ nome: 'Reunião Feita' });
    const b = await e.lead({ nome: 'Faltou' });
    const ma = (await call(e, 'schedule_meeting', { lead_id: a, start: '2026-11-23T14:00' })).structuredContent as any;
    const mb = (await call(e, 'schedule_meeting', { lead_id: b, start: '2026-11-23T15:00' })).structuredContent as any;
    const early = await call(e, 'update_meeting', {
      agendamento_id: ma.agendamento.agendamento_id,
      action: 'complete',
    });
    expect(textOf(early)).toMatch(/cannot be marked realizado before it starts/);
    e.clock.set('2026-11-23T19:00:00Z');
    const done = await call(e, 'update_meeting', { agendamento_id: ma.agendamento.agendamento_id, action: 'complete' });
    expect(done.structuredContent).toMatchObject({ agendamento: { status: 'realizado' }, lead_status: 'realizado' });
    const missed = await call(e, 'update_meeting', {
      agendamento_id: mb.agendamento.agendamento_id,
      action: 'no_show',
      reason: 'não entrou na chamada',
    });
    expect(missed.structuredContent).toMatchObject({
      agendamento: { status: 'nao_compareceu' },
      lead_status: 'respondeu',
    });
    // A pendente row left by a crash would say what it is waiting for; these were answered, so no note.
    expect((await agendamento(ma.agendamento.agendamento_id)).erro).toBeNull();
  });

  it('a calendar that refuses (503): the row is falhou with the error, the result isError, the lead unchanged, the slot free', async () => {
    const e = await setup({ calendarEnv: { SANDBOX_FAIL_FIRST: '1' } });
    const lead = await e.lead({ nome: 'Loja Falha' });
    const res = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /Meeting NOT booked: o calendário recusou o evento: 503 Service Unavailable.*recorded as falhou/,
    );
    const rows = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('agendamentos').selectAll().where('lead_id', '=', lead).execute(),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'falhou', evento_id_externo: null });
    expect(rows[0].erro).toContain('503');
    expect(await leadStatus(lead)).toBe('respondeu');
    const retry = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' });
    expect(retry.isError, textOf(retry)).toBeFalsy();
  });

  it('cancel and reschedule that the calendar refuses: nothing changes here, the error is recorded', async () => {
    const e = await setup({ calendarEnv: { SANDBOX_FAIL_FIRST: '0' } });
    const lead = await e.lead({ nome: 'Loja Evento Sumido' });
    const s = (await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' }))
      .structuredContent as any;
    // Someone deleted the event in the calendar by hand: update answers 404.
    await e.pool.call('cal', 'delete_event', { event_id: s.agendamento.calendar_event_id }, { timeoutMs: 10_000 });
    const moved = await call(e, 'update_meeting', {
      agendamento_id: s.agendamento.agendamento_id,
      action: 'reschedule',
      start: '2026-11-25T10:00',
    });
    expect(moved.isError).toBe(true);
    expect(textOf(moved)).toMatch(/NOT rescheduled: o calendário recusou a remarcação .*404 event not found/);
    const row = await agendamento(s.agendamento.agendamento_id);
    expect(row).toMatchObject({ status: 'agendado' });
    expect(new Date(row.inicio).toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(row.erro).toMatch(/404/);
    // Cancelling an event that is already gone from the calendar is a cancel.
    const cancel = await call(e, 'update_meeting', { agendamento_id: s.agendamento.agendamento_id, action: 'cancel' });
    expect(cancel.structuredContent).toMatchObject({ agendamento: { status: 'cancelado' }, lead_status: 'respondeu' });
  });

  it('an unanswered move makes the meeting incerto at its old time; a second reschedule from incerto settles it', async () => {
    // The second accepted call (the move) is recorded by the calendar, which dies before answering.
    const e = await setup({ calendarEnv: { SANDBOX_CRASH_AFTER: '1' } });
    const lead = await e.lead({ nome: 'Loja Remarcada' });
    const s = (await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' }))
      .structuredContent as any;
    const id = s.agendamento.agendamento_id;
    await call(e, 'update_meeting', { agendamento_id: id, action: 'confirm' });
    const lost = await call(e, 'update_meeting', {
      agendamento_id: id,
      action: 'reschedule',
      start: '2026-11-25T10:00',
    });
    expect(lost.isError).toBe(true);
    expect(textOf(lost)).toMatch(/NOT rescheduled: resultado desconhecido ao mover o evento .*now incerto/);
    const row = await agendamento(id);
    expect(row.status).toBe('incerto');
    expect(new Date(row.inicio).toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(row.erro).toMatch(/^resultado desconhecido ao mover o evento para 2026-11-25T10:00:00-03:00/);
    // incerto holds its slot, takes only cancel or reschedule, and the lead stays as it was.
    const confirm = await call(e, 'update_meeting', { agendamento_id: id, action: 'confirm' });
    expect(textOf(confirm)).toBe(
      `failed_precondition: Agendamento ${id} is incerto: it cannot be confirmed. Possible actions: cancel, reschedule.`,
    );
    expect(await leadStatus(lead)).toBe('confirmado');
    const again = await call(e, 'update_meeting', {
      agendamento_id: id,
      action: 'reschedule',
      start: '2026-11-25T10:00',
    });
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(again.structuredContent).toMatchObject({
      previous_status: 'incerto',
      lead_status: 'agendado',
      agendamento: { status: 'agendado', start_local: '2026-11-25T10:00:00-03:00', error: null },
    });
    expect(
      e
        .record('calendar')
        .filter((l) => l.tool === 'update_event')
        .map((l) => l.args.start),
    ).toEqual(['2026-11-25T10:00:00-03:00', '2026-11-25T10:00:00-03:00']);
  });

  it('an unanswered create is retried with the same key when the calendar honours idempotency: one event', async () => {
    // The sandbox records the event and dies before answering; the pool reconnects and the replay answers.
    const e = await setup({ calendarEnv: { SANDBOX_CRASH_AFTER: '0' } });
    const lead = await e.lead({ nome: 'Loja Queda' });
    const res = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' });
    expect(res.isError, textOf(res)).toBeFalsy();
    const created = e.record('calendar').filter((l) => l.tool === 'create_event');
    expect(created).toHaveLength(1);
    expect((res.structuredContent as any).agendamento).toMatchObject({
      status: 'agendado',
      calendar_event_id: created[0].message_id,
    });
  });

  it('an unanswered create on a calendar without idempotency is recorded as incerto, not retried, and holds the slot', async () => {
    const e = await setup({ calendarEnv: { SANDBOX_CRASH_AFTER: '0' }, calendarProfile: { idempotent: false } });
    const lead = await e.lead({ nome: 'Loja Incerta' });
    const res = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/resultado desconhecido.*recorded as incerto/);
    expect(e.record('calendar').filter((l) => l.tool === 'create_event')).toHaveLength(1);
    const [row] = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('agendamentos').selectAll().where('lead_id', '=', lead).execute(),
    );
    expect(row.status).toBe('incerto');
    expect(row.erro).toMatch(/^resultado desconhecido/);
    const again = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:15' });
    expect(textOf(again)).toMatch(/Double booking.*incerto/);
    // Without an event id, cancel asks for a check by hand first.
    const cancel = await call(e, 'update_meeting', { agendamento_id: row.agendamento_id, action: 'cancel' });
    expect(textOf(cancel)).toMatch(/no calendar event id.*skip_calendar/);
    const cancelled = await call(e, 'update_meeting', {
      agendamento_id: row.agendamento_id,
      action: 'cancel',
      skip_calendar: true,
    });
    expect(cancelled.structuredContent).toMatchObject({ agendamento: { status: 'cancelado' } });
  });

  it('a calendar profile without a delete tool: cancel says so, the row marks it, skip_calendar cancels here only', async () => {
    // A profile naming a delete tool the server does not have: verify() drops that operation and says so.
    const e = await setup({
      calendarProfile: { operations: { delete: { tool: 'remove_event', arguments: { id: '{{eventId}}' } } } },
    });
    expect(e.channels.calendarOperations()).toMatchObject({ available: true, update: true, delete: false, list: true });
    expect(e.channels.status().find((c) => c.channel === 'calendar')!.detail).toBe(
      'verified cal/create_event + update, list; operations unavailable: delete (no tool "remove_event")',
    );
    const lead = await e.lead({ nome: 'Loja Sem Delete' });
    const s = (await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' }))
      .structuredContent as any;
    const res = await call(e, 'update_meeting', { agendamento_id: s.agendamento.agendamento_id, action: 'cancel' });
    expect(textOf(res)).toMatch(/this calendar profile has no delete tool; cancel event \S+ in the calendar by hand/);
    expect(await agendamento(s.agendamento.agendamento_id)).toMatchObject({
      status: 'agendado',
      erro: expect.stringMatching(/sem|no delete tool/),
    });
    const forced = await call(e, 'update_meeting', {
      agendamento_id: s.agendamento.agendamento_id,
      action: 'cancel',
      skip_calendar: true,
    });
    expect(forced.structuredContent).toMatchObject({
      agendamento: { status: 'cancelado', error: expect.stringMatching(/removido do calendário manualmente/) },
    });
    expect(e.record('calendar').filter((l) => l.tool === 'delete_event')).toHaveLength(0);
  });

  it("send_confirmation queues the pt-BR confirmation in the lead's time and the executor sends it to the sandbox", async () => {
    const e = await setup();
    const lead = await e.lead({ nome: 'Mercado Manaus', phone: '+5592998887766', timezone: 'America/Manaus' });
    const res = await call(e, 'schedule_meeting', {
      lead_id: lead,
      start: '2026-11-24T15:30',
      send_confirmation: true,
      location: 'Av. Eduardo Ribeiro, 520',
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const conf = (res.structuredContent as any).confirmation;
    expect(conf).toMatchObject({
      status: 'enfileirado',
      channel: 'whatsapp',
      destination: '+5592 9****-7766',
      template: 'confirmacao_reuniao_whatsapp_v1',
      scheduled_for: null,
    });
    expect(conf.message).toContain('terça-feira, 24/11/2026, às 15:30 (horário de Manaus)');
    await e.drain();
    const sent = e.record('whatsapp');
    expect(sent).toHaveLength(1);
    expect(sent[0].args).toMatchObject({ to: '+5592998887766', template: 'confirmacao_reuniao_whatsapp_v1' });
    expect(String(sent[0].args.text)).toContain('Av. Eduardo Ribeiro, 520');
    const d = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['status', 'agendamento_id'])
        .where('disparo_id', '=', conf.disparo_id)
        .executeTakeFirstOrThrow(),
    );
    expect(d).toEqual({ status: 'enviado', agendamento_id: (res.structuredContent as any).agendamento.agendamento_id });
    expect(await leadStatus(lead)).toBe('agendado');
  });

  it('a confirmation deferred to the send window is dropped when the meeting is cancelled before it leaves', async () => {
    const e = await setup({ now: '2026-11-23T10:30:00Z' }); // 07:30 in São Paulo: window closed
    const lead = await e.lead({ nome: 'Loja Madrugada', phone: '+5511987654000' });
    const s = (await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-23T14:00', send_confirmation: true }))
      .structuredContent as any;
    expect(s.confirmation).toMatchObject({ status: 'adiado', scheduled_for: '2026-11-23T11:00:00.000Z' });
    await call(e, 'update_meeting', { agendamento_id: s.agendamento.agendamento_id, action: 'cancel' });
    e.clock.set('2026-11-23T11:30:00Z');
    await e.drain();
    expect(e.record('whatsapp')).toEqual([]);
    const d = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['status', 'motivo'])
        .where('disparo_id', '=', s.confirmation.disparo_id)
        .executeTakeFirstOrThrow(),
    );
    expect(d).toEqual({ status: 'cancelado', motivo: 'reunião cancelada' });
  });

  it('a WhatsApp number refused for good: the confirmation falls back to the e-mail version of the same message', async () => {
    const e = await setup({ whatsappEnv: { SANDBOX_FAIL_RECIPIENTS: '+5511987654111' } });
    // The fallback row is due at the database's now() (wall time), so the clock moves to wall time for
    // its send; an all-day send window keeps the wall clock from deferring it.
    await call(e, 'set_outreach_policy', {
      send_window: { days: Array(7).fill({ start: '00:00', end: '24:00' }), respect_holidays: false },
    });
    const lead = await e.lead({ nome: 'Loja Sem Zap', phone: '+5511987654111', email: 'ana@semzap.com.br' });
    const s = (await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T11:00', send_confirmation: true }))
      .structuredContent as any;
    expect(s.confirmation).toMatchObject({ channel: 'whatsapp', status: 'enfileirado' });
    await e.drain();
    e.clock.set(new Date(Date.now() + 1000).toISOString());
    await e.drain();
    expect(e.record('whatsapp')).toEqual([]);
    const mails = e.record('email');
    expect(mails).toHaveLength(1);
    expect(mails[0].args).toMatchObject({ to: 'ana@semzap.com.br' });
    expect(String(mails[0].args.subject)).toMatch(/^Reunião confirmada com .*: terça-feira, 24\/11\/2026, às 11:00$/);
    const rows = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['canal', 'status', 'template', 'agendamento_id'])
        .where('lead_id', '=', lead)
        .orderBy('created_at')
        .execute(),
    );
    expect(rows).toEqual([
      {
        canal: 'whatsapp',
        status: 'falhou',
        template: 'confirmacao_reuniao_whatsapp_v1',
        agendamento_id: s.agendamento.agendamento_id,
      },
      {
        canal: 'email',
        status: 'enviado',
        template: 'confirmacao_reuniao_email_v1',
        agendamento_id: s.agendamento.agendamento_id,
      },
    ]);
    expect(await leadStatus(lead)).toBe('agendado');
  });

  it('propose_slots: four time zones, every slot inside local business hours, avoiding meetings and calendar events', async () => {
    const e = await setup();
    const zones = ['America/Manaus', 'America/Rio_Branco', 'America/Noronha', 'America/Sao_Paulo'];
    // Somebody's event straight in the calendar (not ours): Tuesday 13:00–15:00 UTC.
    const busy = await e.pool.call(
      'cal',
      'create_event',
      { title: 'Outro compromisso', start: '2026-11-24T13:00:00Z', end: '2026-11-24T15:00:00Z', timeZone: 'UTC' },
      { timeoutMs: 10_000 },
    );
    expect(busy.isError).toBeFalsy();
    const booked = await e.lead({ nome: 'Já agendado' });
    await call(e, 'schedule_meeting', { lead_id: booked, start: '2026-11-25T15:00:00Z' });
    for (const tz of zones) {
      const lead = await e.lead({ nome: `Lead ${tz}`, timezone: tz });
      const res = await call(e, 'propose_slots', {
        lead_id: lead,
        days: 5,
        duration_minutes: 30,
        max_slots: 30,
        per_day: 10,
        step_minutes: 30,
      });
      expect(res.isError, textOf(res)).toBeFalsy();
      const out = res.structuredContent as any;
      expect(out.timezone).toBe(tz);
      expect(out.calendar).toMatchObject({ checked: true, reason: null });
      expect(out.calendar.busy_events).toBeGreaterThanOrEqual(2);
      expect(out.avoided_agendamentos).toBe(1);
      expect(out.slots.length).toBeGreaterThan(10);
      for (const s of out.slots) {
        const a = new Date(s.start);
        const b = new Date(s.end);
        const pa = localParts(a, tz);
        const pb = localParts(new Date(b.getTime() - 1), tz);
        expect(pa.weekday, s.label).toBeGreaterThanOrEqual(1); // no Sunday
        const close = pa.weekday === 6 ? 14 * 60 : 20 * 60;
        expect(pa.minutes, `${tz} ${s.start_local}`).toBeGreaterThanOrEqual(8 * 60);
        expect(pb.minutes + 1, `${tz} ${s.start_local}`).toBeLessThanOrEqual(close);
        expect(pb.date).toBe(pa.date);
        expect(a.getTime()).toBeGreaterThanOrEqual(new Date(NOW).getTime() + 60 * 60_000);
        // Neither the calendar's event nor our meeting.
        expect(a < new Date('2026-11-24T15:00:00Z') && b > new Date('2026-11-24T13:00:00Z'), s.start).toBe(false);
        expect(a < new Date('2026-11-25T15:30:00Z') && b > new Date('2026-11-25T15:00:00Z'), s.start).toBe(false);
        expect(s.label).toMatch(/^(segunda|terça|quarta|quinta|sexta|sábado), \d\d\/\d\d às \d\d:\d\d \(/);
      }
      // The first slot of the day in the lead's own clock is 08:00 (Tuesday is a full day for every zone).
      expect(out.slots.some((s: any) => s.start_local.startsWith('2026-11-25T08:00'))).toBe(true);
    }
    const manaus = await e.lead({ nome: 'Rótulo', timezone: 'America/Manaus' });
    const one = (await call(e, 'propose_slots', { lead_id: manaus, days: 3, per_day: 1, max_slots: 2 }))
      .structuredContent as any;
    expect(one.slots.map((s: any) => s.label)).toEqual([
      'segunda, 23/11 às 10:00 (horário de Manaus)',
      'terça, 24/11 às 08:00 (horário de Manaus)',
    ]);
  });

  it('a calendar profile that does not fit its server: schedule says so and stores nothing', async () => {
    const e = await setup({ calendarProfile: { tool: 'make_event' } });
    const lead = await e.lead({ nome: 'Loja Sem Agenda' });
    const res = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /^unavailable: Meeting NOT booked: the calendar channel is not available \(server "cal" has no tool "make_event"/,
    );
    expect(
      await asOwner(db.kysely, (tx) =>
        tx.selectFrom('agendamentos').select('agendamento_id').where('lead_id', '=', lead).execute(),
      ),
    ).toEqual([]);
    expect(await leadStatus(lead)).toBe('respondeu');
  });

  it('with sending off: schedule only validates (dry run), nothing is stored or booked', async () => {
    const e = await setup({ dispatchEnabled: false });
    const lead = await e.lead({ nome: 'Loja Ensaio' });
    const res = await call(e, 'schedule_meeting', { lead_id: lead, start: '2026-11-24T10:00' });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({
      mode: 'dry_run',
      agendamento: { status: 'dry_run', start_local: '2026-11-24T10:00:00-03:00' },
    });
    expect(textOf(res)).toMatch(/^NOT BOOKED/);
    expect(
      await asOwner(db.kysely, (tx) =>
        tx.selectFrom('agendamentos').select('agendamento_id').where('lead_id', '=', lead).execute(),
      ),
    ).toEqual([]);
    expect(e.record('calendar')).toEqual([]);
    const log = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('dry_run_log').select(['canal_decidido']).where('lead_id', '=', lead).execute(),
    );
    expect(log).toEqual([{ canal_decidido: 'calendar' }]);
  });
});
