import { CREDITOR_INPUT } from '../helpers/leads-data.js';
/**
 * Meetings through the built server over stdio, as Claude Desktop runs it: sending on, the default
 * mcp.json (bundled sandbox servers, calendar included), PGlite, the wall clock. The lead's zone
 * comes from its DDD at ingest (92 → Manaus).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, MAIN, tempDir } from '../helpers/spawn.js';

const records = (file: string) => {
  try {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => !r.duplicate);
  } catch {
    return [];
  }
};

describe('meetings over stdio (default mcp.json, PGlite, sending on)', () => {
  let client: Client;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('meetings-stdio-');
    writeFileSync(
      join(dataDir, 'leads.csv'),
      'Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento\nMercado Rio Negro;Ana Lima;11.222.333/0001-81;(92) 99123-4567;ana@rionegro.com.br;R$ 1.234,56;10/11/2026\n',
    );
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: cleanEnv({
          AGENTE_DATA_DIR: dataDir,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_INGEST_DIRS: dataDir,
        }) as Record<string, string>,
      }),
    );
    // Open all day, every day: the wall clock of the run cannot push slots, messages or reminders out.
    await client.callTool({
      name: 'set_outreach_policy',
      arguments: {
        creditor: CREDITOR_INPUT,
        sender_name: 'Alquimista',
        send_window: { days: Array(7).fill({ start: '00:00', end: '24:00' }), respect_holidays: false },
      },
    });
    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dataDir, 'leads.csv') } });
  });
  afterAll(async () => client?.close());

  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    return r.structuredContent as any;
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  };

  it('propose → schedule (confirmation sent) → reschedule → remind → cancel, each visible in the sandbox servers', async () => {
    const [lead] = (await call('query_leads', {})).leads;
    expect(lead.timezone).toBe('America/Manaus');
    const slots = await call('propose_slots', { lead_id: lead.lead_id, days: 2, max_slots: 4, per_day: 4 });
    expect(slots).toMatchObject({ timezone: 'America/Manaus', calendar: { checked: true } });
    expect(slots.slots[0].label).toMatch(/\(horário de Manaus\)$/);
    expect(slots.slots[0].start_local).toMatch(/-04:00$/);

    const s = await call('schedule_meeting', {
      lead_id: lead.lead_id,
      start: slots.slots[0].start_local,
      send_confirmation: true,
    });
    expect(s).toMatchObject({
      mode: 'real',
      lead_status: 'agendado',
      agendamento: { status: 'agendado', start: slots.slots[0].start },
    });
    const cal = () => records(join(dataDir, 'sandbox', 'calendar.jsonl'));
    const wa = () => records(join(dataDir, 'sandbox', 'whatsapp.jsonl'));
    expect(cal().map((l) => [l.tool, l.message_id])).toEqual([['create_event', s.agendamento.calendar_event_id]]);
    await until(() => wa().length >= 1);
    expect(wa().map((l) => l.args.template)).toEqual(['confirmacao_reuniao_whatsapp_v1']);

    const moved = await call('update_meeting', {
      agendamento_id: s.agendamento.agendamento_id,
      action: 'reschedule',
      start: slots.slots[1].start_local,
    });
    expect(moved.agendamento).toMatchObject({ status: 'agendado', start: slots.slots[1].start });
    expect(cal().map((l) => l.tool)).toEqual(['create_event', 'update_event']);

    const r = await call('send_reminders', { window_hours: 48 });
    expect(r).toMatchObject({ mode: 'real', reminders: 1 });
    await until(() => wa().length >= 2);
    expect(wa().map((l) => l.args.template)).toEqual([
      'confirmacao_reuniao_whatsapp_v1',
      'lembrete_reuniao_whatsapp_v1',
    ]);
    expect((await call('send_reminders', { window_hours: 48 })).reminders).toBe(0);

    const c = await call('update_meeting', { agendamento_id: s.agendamento.agendamento_id, action: 'cancel' });
    // The lead never replied nor was messaged before the booking: cancelling returns it to novo.
    expect(c).toMatchObject({ agendamento: { status: 'cancelado' }, lead_status: 'novo' });
    expect(cal().map((l) => l.tool)).toEqual(['create_event', 'update_event', 'delete_event']);
  });
});
