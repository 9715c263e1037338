import { join } from 'node:path';
import { check, childEnv, fmt, indent, queued, records, say, sleep, step } from './helpers.js';
import { McpSession } from './session.js';
import type { DemoRun } from './run.js';

/** Act 2: session 2 with sending ON — a real campaign to the sandbox servers, and no duplicates on re-run. */
export async function sendForReal(run: DemoRun): Promise<McpSession> {
  // ── Session 2: sending ON, to the sandbox channel servers ────────────────────────────────────
  const s2 = (run.session = await step('3. Session 2 — the same data, MICRO_AGENT_DISPARO_ENABLED=true', async () => {
    const s = await McpSession.open(run.mainScript, childEnv(run.dataDir, run.inbox, true), run.serverLog);
    say(`Spawned the server again (pid ${s.pid}) on the same data directory, MICRO_AGENT_DISPARO_ENABLED=true.`);
    const st = await s.call('get_status');
    say(`get_status → ${st.text}`);
    check(st.data.dispatch.enabled, 'sending must be on in session 2');
    for (const c of st.data.channels) say(`  ${c.channel}: ${c.state} via ${c.server ?? '-'} (${c.transport ?? '-'})`);
    return s;
  }));

  const templates = await step('dry_run_dispatch — may collection messages go now?', async () => {
    const r = await s2.call('dry_run_dispatch', { filter: {} });
    const waiting = r.data.by_block_code.fora_do_horario_cobranca ?? 0;
    if (!waiting) {
      say(
        `All ${r.data.total} leads are inside the hours the law allows for collection messages: the campaign sends the collection notice.`,
      );
      return {};
    }
    const when = r.data.sample.find((x: any) => x.block_code === 'fora_do_horario_cobranca')?.scheduled_for;
    say(
      `${waiting} lead(s) are outside the hours the law allows for collection messages in their state ` +
        `(SP Lei 15.426/2014 by default: Mon–Fri 08–20, Sat 08–14, never Sundays or holidays)` +
        `${when ? `; the next opening is ${when}` : ''}. The tenant's window cannot widen those hours.`,
    );
    say(
      'So that the demo shows real sends at any hour, this campaign sends the sales-contact opener instead ' +
        '(contato_comercial_*: no debt, no creditor, only the tenant window applies). Inside collection hours the demo sends the collection notice.',
    );
    return { template_whatsapp: 'contato_comercial_whatsapp_v1', template_email: 'contato_comercial_email_v1' };
  });

  const sent = await step('start_dispatch campaign_key "demo" — real sends (sandbox)', async () => {
    const t0 = Date.now();
    const r = await s2.call('start_dispatch', { filter: {}, campaign_key: 'demo', ...templates });
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
    const wa = records(run.dataDir, 'whatsapp');
    const em = records(run.dataDir, 'email');
    say(
      `sandbox-whatsapp received ${wa.length} message(s), sandbox-email ${em.length} (from ${join(run.dataDir, 'sandbox')}/*.jsonl).`,
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
    const r = await s2.call('start_dispatch', { filter: {}, campaign_key: 'demo', ...templates });
    say(`Campaign ${queued(r.data)}.`);
    check(r.data.queued === 0, `re-running the campaign queued ${r.data.queued} new message(s)`);
    await sleep(500);
    const total = records(run.dataDir, 'whatsapp').length + records(run.dataDir, 'email').length;
    check(total === sent, `the sandbox now holds ${total} messages, expected still ${sent}`);
    say(`0 new messages; the sandbox still holds ${total}.`);
  });
  return s2;
}
