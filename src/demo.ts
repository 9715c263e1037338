import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  check,
  childEnv,
  closeSession,
  fmt,
  indent,
  phoneLine,
  queued,
  records,
  say,
  sleep,
  step,
} from './demo/helpers.js';
import { DEMO_ROWS, writeDemoLeads } from './demo/sample-leads.js';
import { McpSession } from './demo/session.js';

/**
 * The end-to-end demo: a messy spreadsheet → clean leads → channel decisions → dry run → real sends
 * to the bundled sandbox channel servers, all through a real MCP client over stdio (as Claude Desktop
 * would), on a fresh embedded PGlite in a temporary directory. The narrative goes to stdout; the
 * spawned server's stdout is the protocol. Returns 0, or 1 as soon as a step fails.
 */
export async function runDemo(mainScript: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agente-demo-'));
  const inbox = join(dataDir, 'entrada');
  const sheet = join(inbox, 'leads-exemplo.xlsx');
  const serverLog = join(dataDir, 'server-stderr.log');
  const started = Date.now();
  let session: McpSession | null = null;
  try {
    say(`Demo of agente-disparo-agenda — data in ${dataDir}`);

    await step('1. A messy spreadsheet, as clients really send them', async () => {
      mkdirSync(inbox, { recursive: true });
      const n = await writeDemoLeads(sheet);
      say(`Wrote ${sheet}: title row, blank row, header on row 3, ${n} leads, a "Total" footer. Traps:`);
      DEMO_ROWS.forEach(([, note], i) => say(`  row ${i + 4}: ${note}`));
    });

    // ── Session 1: sending OFF ───────────────────────────────────────────────────────────────────
    const s1 = (session = await step('2. Session 1 — start the server over stdio, sending OFF', async () => {
      const s = await McpSession.open(mainScript, childEnv(dataDir, inbox, false), serverLog);
      say(`Spawned ${process.execPath} ${mainScript} (pid ${s.pid}); MICRO_AGENT_DISPARO_ENABLED is unset.`);
      const names = await s.toolNames();
      say(`tools/list → ${names.length} tools: ${names.join(', ')}`);
      const st = await s.call('get_status');
      say(`get_status → ${st.text}`);
      check(!st.data.dispatch.enabled, 'sending must be off in session 1');
      return s;
    }));

    await step('set_outreach_policy — sender name and send window', async () => {
      const allDay = { start: '00:00', end: '24:00' };
      const r = await s1.call('set_outreach_policy', {
        sender_name: 'AlquimistaAI Cobranças',
        send_window: { days: Array(7).fill(allDay), respect_holidays: false },
      });
      say(r.text);
      say('Send window: every day 00:00–24:00, holidays ignored — ONLY so this demo works at any hour.');
      say("The default is Mon–Fri 08:00–20:00 and Sat 08:00–14:00 in the lead's local time, no national holidays.");
    });

    const ingestJob = await step('ingest_leads — import the spreadsheet', async () => {
      let job = (await s1.call('ingest_leads', { file_path: sheet, source_label: 'demo' })).data.job;
      for (const deadline = Date.now() + 20_000; job.status === 'processando' || job.status === 'pendente';) {
        check(Date.now() < deadline, `import still ${job.status} after 20 s`);
        await sleep(200);
        job = (await s1.call('job_status', { job_id: job.job_id })).data.jobs[0];
      }
      check(job.status === 'concluido', `import ended ${job.status}: ${job.error}`);
      const c = job.counts;
      say(
        `Job ${job.job_id}: ${job.status}. ${c.rows_read} rows read → ${c.leads_created} leads, ${c.duplicates} duplicate(s) merged, ` +
          `${c.invalid_rows} unusable row(s).`,
      );
      say(
        `Phones: ${c.valid_phones} WhatsApp-capable, ${c.invalid_phones} not. E-mails: ${c.valid_emails} valid, ${c.invalid_emails} not.`,
      );
      say(`${job.problems_total} problem(s) reported by row; the first ones:`);
      for (const p of job.problems_sample.slice(0, 8)) {
        say(`  row ${p.row}${p.column ? ` [${p.column}]` : ''}${p.value ? ` "${p.value}"` : ''}: ${p.reason}`);
      }
      return job;
    });

    const leadId = await step('query_leads — a page of leads, then one lead in full', async () => {
      const page = await s1.call('query_leads', { source_job_id: ingestJob.job_id, limit: 5 });
      say(`First page (5, newest first${page.data.next_cursor ? '; next_cursor for more' : ''}):`);
      for (const l of page.data.leads)
        say(`  ${l.name} [${l.status}, ${l.timezone}] whatsapp=${l.whatsapp ?? '-'} email=${l.email ?? '-'}`);
      const [padaria] = (await s1.call('query_leads', { text: 'Padaria', limit: 1 })).data.leads;
      check(!!padaria, 'the bakery lead was not found');
      const l = (await s1.call('query_leads', { lead_id: padaria.lead_id })).data.lead;
      say(
        `\n${l.name} — contact ${l.contact_name ?? '-'}, ${l.document_type ?? 'document'} ${l.document ?? '-'} ` +
          `(${l.document_valid ? 'valid' : 'invalid'}), ${l.status}, ${l.timezone}; from rows ${l.origin.map((o: any) => o.row).join(' and ')}`,
      );
      for (const p of l.phones) say(`  ${phoneLine(p)}`);
      for (const e of l.emails)
        say(`  e-mail "${e.original}" → ${e.sendable ? 'valid' : `invalid: ${e.invalid_reason}`}`);
      const [auto] = (await s1.call('query_leads', { text: 'Auto Peças', limit: 1 })).data.leads;
      const a = (await s1.call('query_leads', { lead_id: auto.lead_id })).data.lead;
      say(`${a.name}'s phones:`);
      for (const p of a.phones) say(`  ${phoneLine(p)}`);
      return padaria.lead_id as string;
    });

    await step('decide_channel — which channel, why, and the message', async () => {
      const [d] = (await s1.call('decide_channel', { lead_id: leadId })).data.decisions;
      say(`Channel ${d.channel} to ${d.destination} — ${d.reason}`);
      say(
        `Template ${d.template}; ${d.would_send_now ? 'would send now' : `not now: ${d.block_code}: ${d.block_reason}`}`,
      );
      say(`Message preview:\n${indent(d.message ?? '(none)')}`);
    });

    await step('dry_run_dispatch — rehearse the whole list', async () => {
      const r = await s1.call('dry_run_dispatch', { filter: {} });
      say(r.text);
      const sample =
        r.data.sample.find((x: any) => x.channel === 'email' && x.message) ?? r.data.sample.find((x: any) => x.message);
      if (sample)
        say(
          `Rendered sample (${sample.channel} to ${sample.destination}${sample.subject ? `, subject "${sample.subject}"` : ''}):\n${indent(sample.message)}`,
        );
    });

    await step('send_message — one lead, with sending OFF', async () => {
      const r = await s1.call('send_message', { lead_id: leadId });
      say(r.text);
      check(r.data.sent === false && r.data.mode === 'dry_run', 'send_message must not send with the flag off');
    });

    await step('start_dispatch — a campaign, with sending OFF', async () => {
      const r = await s1.call('start_dispatch', { filter: {} });
      say(r.text);
      check(r.data.mode === 'dry_run' && r.data.queued === 0, 'the campaign must be a dry run');
      await closeSession(s1, dataDir);
      session = null;
    });

    // ── Session 2: sending ON, to the sandbox channel servers ────────────────────────────────────
    const s2 = (session = await step('3. Session 2 — the same data, MICRO_AGENT_DISPARO_ENABLED=true', async () => {
      const s = await McpSession.open(mainScript, childEnv(dataDir, inbox, true), serverLog);
      say(`Spawned the server again (pid ${s.pid}) on the same data directory, MICRO_AGENT_DISPARO_ENABLED=true.`);
      const st = await s.call('get_status');
      say(`get_status → ${st.text}`);
      check(st.data.dispatch.enabled, 'sending must be on in session 2');
      for (const c of st.data.channels)
        say(`  ${c.channel}: ${c.state} via ${c.server ?? '-'} (${c.transport ?? '-'})`);
      return s;
    }));

    const sent = await step('start_dispatch campaign_key "demo" — real sends (sandbox)', async () => {
      const t0 = Date.now();
      const r = await s2.call('start_dispatch', { filter: {}, campaign_key: 'demo' });
      say(`Campaign ${queued(r.data)}.`);
      let job = (await s2.call('job_status', { job_id: r.data.job_id })).data.jobs[0];
      while (job.counts.pendente + job.counts.em_execucao > 0) {
        check(Date.now() - t0 < 30_000, `campaign still running after 30 s: ${fmt(job.counts)}`);
        await sleep(200);
        job = (await s2.call('job_status', { job_id: r.data.job_id })).data.jobs[0];
      }
      const secs = (Date.now() - t0) / 1000;
      const c = job.counts;
      say(
        `Campaign ${job.status}: enviado ${c.enviado}, adiado ${c.adiado}, falhou ${c.falhou}, bloqueado ${c.bloqueado} ` +
          `(${c.incerto} incerto, ${c.cancelado} cancelado); not queued: ${fmt(job.blocked_at_enqueue ?? {})}.`,
      );
      say(
        `${c.enviado} sent in ${secs.toFixed(1)} s from start_dispatch to the last poll (${(c.enviado / secs).toFixed(1)} sends/s, ` +
          `spawning the channel servers included; the default pace is 20 sends/s per channel).`,
      );
      const { leads } = (await s2.call('query_leads', { limit: 100 })).data;
      const states: Record<string, number> = {};
      for (const l of leads) states[l.status] = (states[l.status] ?? 0) + 1;
      say(`Lead states now: ${fmt(states)}.`);
      check(c.enviado > 0 && c.enviado === r.data.queued, `${r.data.queued} queued but ${c.enviado} sent`);
      return c.enviado as number;
    });

    await step('What the sandbox channel servers received', async () => {
      const wa = records(dataDir, 'whatsapp');
      const em = records(dataDir, 'email');
      say(
        `sandbox-whatsapp received ${wa.length} message(s), sandbox-email ${em.length} (from ${join(dataDir, 'sandbox')}/*.jsonl).`,
      );
      check(
        wa.length + em.length === sent,
        `the servers received ${wa.length + em.length} messages, the campaign sent ${sent}`,
      );
      // The message decide_channel previewed in session 1, as the WhatsApp server received it.
      const w = wa.find((r) => String(r.args.text).includes('Padaria')) ?? wa[0];
      if (w)
        say(`WhatsApp received, to ${w.args.to} (template ${w.args.template ?? '-'}):\n${indent(String(w.args.text))}`);
      const e = [...em].sort((a, b) => String(a.args.to).localeCompare(String(b.args.to)))[0];
      if (e) say(`E-mail received: to ${e.args.to}, subject "${e.args.subject}".`);
    });

    await step('start_dispatch again with campaign_key "demo" — no duplicates', async () => {
      const r = await s2.call('start_dispatch', { filter: {}, campaign_key: 'demo' });
      say(`Campaign ${queued(r.data)}.`);
      check(r.data.queued === 0, `re-running the campaign queued ${r.data.queued} new message(s)`);
      await sleep(500);
      const total = records(dataDir, 'whatsapp').length + records(dataDir, 'email').length;
      check(total === sent, `the sandbox now holds ${total} messages, expected still ${sent}`);
      say(`0 new messages; the sandbox still holds ${total}.`);
    });

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
        const events = records(dataDir, 'calendar');
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
      await closeSession(s2, dataDir);
      session = null;
    });

    say(
      `\n✔ Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s. Data kept in ${dataDir} ` +
        `(PGlite database, entrada/leads-exemplo.xlsx, sandbox/*.jsonl, the servers' stderr in server-stderr.log); remove it with rm -rf when done.`,
    );
    return 0;
  } catch (err) {
    say(`\n✘ Demo failed: ${err instanceof Error ? err.message : String(err)}\n  (data in ${dataDir})`);
    const log = existsSync(serverLog) ? readFileSync(serverLog, 'utf8').trim() : '';
    if (log) say(`The server's stderr (${serverLog}), last lines:\n${indent(log.split('\n').slice(-20).join('\n'))}`);
    return 1;
  } finally {
    await (session as McpSession | null)?.close().catch(() => {});
  }
}
