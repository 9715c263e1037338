import { mkdirSync } from 'node:fs';
import { check, childEnv, closeSession, indent, phoneLine, say, sleep, step } from './helpers.js';
import { DEMO_ROWS, writeDemoLeads } from './sample-leads.js';
import { McpSession } from './session.js';
import type { DemoRun } from './run.js';

/** Act 1a: the messy spreadsheet, session 1 with sending OFF, the policy, the import. */
export async function openAndImport(run: DemoRun): Promise<{ s1: McpSession; ingestJob: any }> {
  await step('1. A messy spreadsheet, as clients really send them', async () => {
    mkdirSync(run.inbox, { recursive: true });
    const n = await writeDemoLeads(run.sheet);
    say(`Wrote ${run.sheet}: title row, blank row, header on row 3, ${n} leads, a "Total" footer. Traps:`);
    DEMO_ROWS.forEach(([, note], i) => say(`  row ${i + 4}: ${note}`));
  });

  // ── Session 1: sending OFF ───────────────────────────────────────────────────────────────────
  const s1 = (run.session = await step('2. Session 1 — start the server over stdio, sending OFF', async () => {
    const s = await McpSession.open(run.mainScript, childEnv(run.dataDir, run.inbox, false), run.serverLog);
    say(`Spawned ${process.execPath} ${run.mainScript} (pid ${s.pid}); MICRO_AGENT_DISPARO_ENABLED is unset.`);
    const names = await s.toolNames();
    say(`tools/list → ${names.length} tools: ${names.join(', ')}`);
    const st = await s.call('get_status');
    say(`get_status → ${st.text}`);
    check(!st.data.dispatch.enabled, 'sending must be off in session 1');
    return s;
  }));

  await step('set_outreach_policy — sender name, creditor and send window', async () => {
    const allDay = { start: '00:00', end: '24:00' };
    const r = await s1.call('set_outreach_policy', {
      sender_name: 'AlquimistaAI Cobranças',
      // Every collection message names its creditor (CDC art. 42-A); without one they are blocked.
      creditor: {
        legal_name: 'AlquimistaAI Cobranças Ltda',
        tax_id: '11.222.333/0001-81',
        address: 'Av. Paulista, 1000, São Paulo/SP',
        contact: '(11) 4000-1000 ou cobranca@alquimista.ai',
      },
      send_window: { days: Array(7).fill(allDay), respect_holidays: false },
    });
    say(r.text);
    say('Send window: every day 00:00–24:00, holidays ignored — ONLY so this demo works at any hour.');
    say(
      "Collection messages still keep the hours the law allows in the lead's state: the tenant's window cannot widen them.",
    );
    say("The default is Mon–Fri 08:00–20:00 and Sat 08:00–14:00 in the lead's local time, no national holidays.");
  });

  const ingestJob = await step('ingest_leads — import the spreadsheet', async () => {
    let job = (await s1.call('ingest_leads', { file_path: run.sheet, source_label: 'demo' })).data.job;
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
  return { s1, ingestJob };
}

/** Act 1b: the leads, a decision, the dry run, and a send and a campaign refused with sending OFF. */
export async function rehearse(run: DemoRun, s1: McpSession, ingestJob: any): Promise<void> {
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
    await closeSession(s1, run.dataDir);
    run.session = null;
  });
}
