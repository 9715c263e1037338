/**
 * The classifier table: every answer a real downstream server gave in the interop tests (recorded in
 * test/fixtures/outcomes/<provider>.json by test/e2e/interop-*.test.ts with RECORD_OUTCOMES=1) is read
 * again here by its preset's reader and must come out as recorded: delivered with an id, refused
 * permanently / transiently with the reason and the provider's code, or unknown. Plus the answers of
 * servers that speak only in words (the bundled sandbox, lharries-style "Error: …").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, interpret } from '../../src/channels/channel-client.js';
import type { Answer } from '../../src/channels/outcome.js';
import { PRESETS } from '../../src/channels/presets.js';
import { readAnswer, type ReaderName } from '../../src/channels/readers.js';

const DIR = resolve(import.meta.dirname, '..', 'fixtures', 'outcomes');
const PRESET_OF: Record<string, string> = {
  twilio: 'twilio-whatsapp',
  resend: 'resend',
  'mcp-mail-server': 'mcp-mail-server',
  'codefuturist-email': 'codefuturist-email',
};

interface Fixture {
  provider: string;
  server: string;
  answers: Array<{
    case: string;
    answer: Answer;
    expect: { kind: string; reason?: string; code?: string | null; messageId?: 'present' | null };
  }>;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const rows = files.flatMap((f) => {
  const fx = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Fixture;
  return fx.answers.map((a) => [`${fx.server}: ${a.case}`, fx.provider, a] as const);
});

describe('the classifier table: recorded answers of the real servers', () => {
  it('has every proven third-party provider and every class among them', () => {
    expect(Object.keys(PRESET_OF).every((p) => files.includes(`${p}.json`))).toBe(true);
    const kinds = new Set(rows.map(([, , a]) => a.expect.kind));
    expect([...kinds].sort()).toEqual(['delivered', 'refused_permanently', 'refused_transiently', 'unknown']);
    const reasons = new Set(rows.map(([, , a]) => a.expect.reason).filter(Boolean));
    for (const r of [
      'bad_destination',
      'template_refused',
      'auth',
      'opted_out',
      'rate_limited',
      'server_error',
      'not_sent',
    ])
      expect(reasons, r).toContain(r);
  });

  it.each(rows)('%s', (_name, provider, a) => {
    const preset = PRESETS[PRESET_OF[provider]];
    const reading = readAnswer(preset.result.reader as ReaderName, a.answer, preset.result);
    expect(reading.kind).toBe(a.expect.kind);
    if (reading.kind === 'delivered') {
      if (a.expect.messageId === 'present') expect(reading.messageId).toBeTruthy();
    } else if (reading.kind !== 'unknown') {
      expect(reading.reason).toBe(a.expect.reason);
      if (a.expect.code !== undefined) expect(reading.code).toBe(a.expect.code);
    }
  });

  it('a Twilio success body ("error_code": null) is never read as a failure — the old bare "error" pattern did', () => {
    const fx = JSON.parse(readFileSync(join(DIR, 'twilio.json'), 'utf8')) as Fixture;
    const ok = fx.answers.find((a) => a.expect.kind === 'delivered')!.answer as Extract<Answer, { kind: 'result' }>;
    expect(JSON.stringify(ok)).toContain('error_code');
    expect(interpret(ok.result, PRESETS['twilio-whatsapp'])).toMatchObject({ ok: true });
    expect(JSON.stringify(PRESETS['twilio-whatsapp'].result)).not.toMatch(/error/);
    // The pattern the preset used to have reads the same delivered message as a failure.
    const old = {
      ...PRESETS['twilio-whatsapp'],
      result: { failurePattern: '"status"\\s*:\\s*(4\\d\\d|5\\d\\d)|error' },
    };
    expect(interpret(ok.result, old)).toMatchObject({ ok: false });
  });

  it("a protocol error carrying Twilio's status and code is a refusal, not an unknown outcome", () => {
    const twilio = PRESETS['twilio-whatsapp'].result;
    const error = (body: object): Answer => ({
      kind: 'error',
      code: -32603,
      message: `MCP error -32603: ${JSON.stringify(body)}`,
    });
    expect(readAnswer('twilio', error({ code: 21211, message: "Invalid 'To'", status: 400 }), twilio)).toMatchObject({
      kind: 'refused_permanently',
      reason: 'bad_destination',
      code: '21211',
    });
    // An unknown Twilio code falls back to its HTTP status.
    expect(readAnswer('twilio', error({ code: 99999, message: 'x', status: 503 }), twilio)).toMatchObject({
      kind: 'refused_transiently',
      reason: 'server_error',
    });
    expect(readAnswer('twilio', error({ code: 99998, message: 'x', status: 400 }), twilio)).toMatchObject({
      kind: 'refused_permanently',
      reason: 'refused',
    });
  });

  it('no answer: unknown when the request may have left, transient when it never did', () => {
    for (const name of Object.values(PRESET_OF)) {
      const r = PRESETS[name].result;
      expect(readAnswer(r.reader, { kind: 'no_answer', sent: true, message: 'timeout' }, r).kind).toBe('unknown');
      expect(readAnswer(r.reader, { kind: 'no_answer', sent: false, message: 'spawn failed' }, r)).toMatchObject({
        kind: 'refused_transiently',
        reason: 'not_sent',
      });
    }
  });
});

describe('servers that answer in words (bundled sandbox, lharries-style)', () => {
  it.each([
    ['503 Service Unavailable: temporary failure, retry later', 'transitorio'],
    ['429 Too Many Requests: rate limited', 'transitorio'],
    ['400 invalid recipient: +5511987654321 is not a WhatsApp user', 'destino_invalido'],
    ['550 mailbox unavailable: x@y.com', 'destino_invalido'],
    ['MCP error -32602: Input validation error: Invalid email address at to[0]', 'destino_invalido'],
    ['template not approved', 'politica'],
    ['something odd', 'desconhecido'],
    // Words inside a success body must not decide: only an anchored lead does.
    ['{"sid": "SM1", "error_code": null, "error_message": null}', 'desconhecido'],
  ])('classifies "%s" as %s', (text, cls) => {
    expect(classify(text)).toBe(cls);
  });

  it('the sandbox: a refused recipient is "not a WhatsApp user"; success keeps its ids', () => {
    const p = PRESETS['sandbox-whatsapp'];
    expect(
      interpret(
        { isError: true, content: [{ type: 'text', text: '400 invalid recipient: +55 is not a WhatsApp user' }] },
        p,
      ),
    ).toMatchObject({ ok: false, errorClass: 'destino_invalido', reason: 'not_whatsapp_user' });
    expect(
      interpret(
        {
          content: [{ type: 'text', text: 'sent, id: wamid.X' }],
          structuredContent: { message_id: 'wamid.X', wa_id: '5511' },
        },
        p,
      ),
    ).toMatchObject({ ok: true, messageId: 'wamid.X', waId: '5511' });
  });

  it('lharries-style "Error: failed to send message" is a refusal, not a success', () => {
    expect(
      interpret({ content: [{ type: 'text', text: 'Error: failed to send message' }] }, PRESETS['lharries-whatsapp']),
    ).toMatchObject({ ok: false });
  });
});
