import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { leadsCsv } from '../helpers/leads-data.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';

/**
 * Argument errors through a real client are plain words that say what to change (issue 19 step 6):
 * zod's own messages never reach the model, every message names the argument, and an id that is not
 * one says which tool finds it.
 */
const ZOD_DEFAULTS =
  /Too small|Too big|Invalid input|Invalid option|Invalid string|expected \w+ to (have|be)|received \w+/;

describe(`validation messages in plain words (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let leadId: string;
  beforeAll(async () => {
    db = await openTestDb();
    client = await connectClient(await makeDeps(db));
    const content = Buffer.from(leadsCsv(0, 1)).toString('base64');
    await client.callTool({ name: 'ingest_leads', arguments: { content_base64: content, filename: 'v.csv' } });
    const page = await client.callTool({ name: 'query_leads', arguments: {} });
    leadId = (page.structuredContent as { leads: Array<{ lead_id: string }> }).leads[0].lead_id;
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const res = await client.callTool({ name, arguments: args });
    expect(res.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
    const text = textOf(res);
    expect(text).not.toMatch(ZOD_DEFAULTS);
    return text;
  };

  it.each([
    ['query_leads', { lead_id: 'Padaria Pão Quente' }, /lead_id: must be an id .*query_leads \{text:/],
    ['update_lead', { lead_id: 'Acme', reason: 'fix' }, /lead_id: must be an id .*query_leads \{text:/],
    ['decide_channel', { lead_ids: ['Acme'] }, /lead_ids\[0\]: must be an id .*query_leads \{text:/],
    ['job_status', { job_id: 'import de ontem' }, /job_id: must be an id .*job_status lists the jobs/],
    ['control_dispatch', { job_id: 'natal', action: 'pause' }, /job_id: must be an id .*job_status lists/],
    [
      'update_meeting',
      { agendamento_id: 'amanhã 10h', action: 'confirm' },
      /agendamento_id: .*query_leads \{lead_id\}/,
    ],
    ['lgpd_request', { action: 'complete', request_id: 'x' }, /request_id: .*lgpd_request \{action: "list"\}/],
    ['query_leads', { source_job_id: 'planilha.xlsx' }, /source_job_id: .*ingest_leads/],
  ])('%s %j: says which tool finds the id', async (name, args, expected) => {
    expect(await call(name, args)).toMatch(expected);
  });

  it.each([
    ['query_leads', { limit: 0 }, /limit: must be at least 1/],
    ['query_leads', { limit: 'dez' }, /limit: must be a (whole )?number, not a text/],
    ['query_leads', { status: 'novo' }, /status: must be a list, not a text/],
    ['query_leads', { uf: 'Amazonas' }, /uf: a UF is two letters, e.g. AM/],
    ['start_dispatch', { campaign_key: 'a' }, /campaign_key: is too short: give at least 3 characters/],
    ['manage_suppression', { action: 'add', kind: 'phone' }, /kind: must be one of "documento", "telefone", "email"/],
    ['decide_channel', { lead_ids: [] }, /lead_ids: must list at least 1 item/],
    ['propose_slots', { days: 100 }, /lead_id: is missing: this argument is required; days: must be at most 30/],
    ['handle_reply', { channel: 'sms', from: 'x', text: 'oi' }, /channel: must be one of "whatsapp", "email"/],
    [
      'set_outreach_policy',
      { send_window: { days: [null, { start: '8h', end: '18:00' }, null, null, null, null, null] } },
      /send_window\.days\[1\]\.start: must be a time HH:MM/,
    ],
    ['list_events', { after: 'ontem' }, /after: after is a sequence number/],
    [
      'handle_reply',
      { channel: 'email', from: 'a@b.co', text: 'oi', received_at: '2026-12-10T10h' },
      /e\.g\. 2026-11-24T13:00/,
    ],
  ])('%s %j: names the argument and what to give', async (name, args, expected) => {
    expect(await call(name, args)).toMatch(expected);
  });

  it('a meeting start that is malformed or ambiguous is refused with examples, in the same words', async () => {
    for (const start of ['2026-12-10T10h', '2026-12-10 10:00', '10/12 10h']) {
      const text = await call('schedule_meeting', { lead_id: leadId, start });
      expect(text).toMatch(
        /start ".*" is not a date-time this tool reads.*2026-12-01T10:00:00-03:00.*2026-12-01T10:00\)/,
      );
    }
  });

  it('a well-formed id that matches nothing says where to find one', async () => {
    const text = await call('propose_slots', { lead_id: '0190a000-0000-7000-8000-000000000001' });
    expect(text).toMatch(
      /not_found: Lead .* was not found for this tenant\. Check the id: find the lead with query_leads/,
    );
  });

  it('a prompt argument that is not an id is refused in the same plain words', async () => {
    await expect(client.getPrompt({ name: 'preparar_reuniao', arguments: { lead_id: 'Acme' } })).rejects.toThrow(
      /lead_id: must be an id .*query_leads/,
    );
  });
});
