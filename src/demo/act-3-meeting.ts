import { check, closeSession, indent, records, say, step } from './helpers.js';
import { McpSession } from './session.js';
import type { DemoRun } from './run.js';

/** Act 3a: the Manaus lead answers "tenho interesse". Returns the lead. */
export async function reply(run: DemoRun, s2: McpSession): Promise<any> {
  // ── Conversation and meeting: a reply, slots, a booking, a reminder, a briefing ────────────────
  const [amazonas] = (await s2.call('query_leads', { text: 'Amazonas', limit: 1 })).data.leads;
  check(!!amazonas?.whatsapp, 'the Manaus lead has no WhatsApp');

  await step('4. handle_reply — the Manaus lead answers "tenho interesse"', async () => {
    const r = await s2.call('handle_reply', {
      channel: 'whatsapp',
      from: '(92) 99123-4567',
      text: 'Boa tarde! Tenho interesse sim, podemos conversar essa semana?',
      received_at: new Date().toISOString(),
      message_id: 'demo-wamid-1',
    });
    say(r.text);
    check(
      r.data.lead_id === amazonas.lead_id && r.data.class === 'interesse',
      `expected interesse from ${amazonas.name}, got ${r.data.class}`,
    );
  });
  return amazonas;
}

/** Act 3b: free slots in the lead's own time zone, and a meeting booked in the sandbox calendar. */
export async function proposeAndBook(run: DemoRun, s2: McpSession, amazonas: any): Promise<any> {
  const slot = await step("propose_slots — business hours in the lead's own time zone (Manaus, UTC-4)", async () => {
    await s2.call('set_outreach_policy', {
      send_window: {
        days: [null, ...Array(5).fill({ start: '08:00', end: '20:00' }), { start: '08:00', end: '14:00' }],
        respect_holidays: true,
      },
    });
    say(
      'Send window back to the default (Mon–Fri 08:00–20:00, Sat 08:00–14:00, no national holidays): meetings are booked inside it.',
    );
    const r = await s2.call('propose_slots', { lead_id: amazonas.lead_id, days: 5, max_slots: 4 });
    for (const x of r.data.slots) say(`  ${x.label}  (${x.start} UTC)`);
    check(r.data.slots.length > 0, 'no free slot proposed');
    return r.data.slots[0];
  });

  const meeting = await step(
    'schedule_meeting — the first slot, in the sandbox calendar, with a confirmation message',
    async () => {
      const r = await s2.call('schedule_meeting', {
        lead_id: amazonas.lead_id,
        start: slot.start,
        duration_minutes: 30,
        title: 'Negociação — Distribuidora Amazonas',
        location: 'https://meet.example.com/amazonas',
        send_confirmation: true,
      });
      say(r.text);
      check(r.data.mode === 'real' && r.data.agendamento.status === 'agendado', `meeting not booked: ${r.text}`);
      const events = records(run.dataDir, 'calendar');
      say(
        `sandbox-calendar holds ${events.length} event(s); the last: "${events.at(-1)?.args.title}" at ${events.at(-1)?.args.start}.`,
      );
      const c = r.data.confirmation;
      if (c)
        say(
          `Confirmation message: ${c.status}${c.scheduled_for ? ` until ${c.scheduled_for}` : ''} — ${c.reason}${c.message ? `\n${indent(c.message)}` : ''}`,
        );
      return r.data.agendamento;
    },
  );
  return meeting;
}

/** Act 3c: the lead confirms by reply, reminders (at most one), and the briefing before the call. */
export async function confirmAndBrief(run: DemoRun, s2: McpSession, meeting: any): Promise<void> {
  await step(
    'handle_reply "Confirmado, até lá!" confirms the meeting; then send_reminders (at most one per meeting)',
    async () => {
      const c = await s2.call('handle_reply', {
        channel: 'whatsapp',
        from: '5592991234567@s.whatsapp.net',
        text: 'Confirmado, até lá!',
        received_at: new Date().toISOString(),
        message_id: 'demo-wamid-2',
      });
      say(c.text);
      check(
        c.data.confirmed_agendamento_id === meeting.agendamento_id,
        `the reply did not confirm the meeting: ${c.text}`,
      );
      const r1 = await s2.call('send_reminders', { window_hours: 168 });
      say(`send_reminders → ${r1.text}`);
      const r2 = await s2.call('send_reminders', { window_hours: 168 });
      say(`send_reminders again → ${r2.text}`);
      check(r1.data.reminders + r2.data.reminders <= 1, 'a meeting got two reminders');
    },
  );

  await step('generate_briefing — before the call', async () => {
    const r = await s2.call('generate_briefing', { agendamento_id: meeting.agendamento_id });
    say(indent(r.text.trimEnd()));
    check(
      r.data.agendamento?.agendamento_id === meeting.agendamento_id,
      'the briefing is not about the booked meeting',
    );
    await closeSession(s2, run.dataDir);
    run.session = null;
  });
}
