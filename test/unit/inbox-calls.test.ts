/**
 * Reading a polled inbox answer (src/channels/inbox-calls.ts) without a server: the three kinds of
 * high-water mark (date with its overlap, UID, cursor), items in structuredContent or in JSON text,
 * dot-path fields, statuses in the server's words, unreadable items counted, and an e-mail reply read
 * without the message it quotes.
 */
import type { CallToolResult } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { pollOnce, sinceOf, withoutQuotedReply } from '../../src/channels/inbox-calls.js';
import type { McpClientPool } from '../../src/channels/pool.js';
import type { PollOperation } from '../../src/channels/profile.js';

const now = new Date('2026-12-03T12:00:00Z');
const fakePool = (answer: CallToolResult, seen: Array<Record<string, unknown>> = []) =>
  ({
    call: async (_s: string, _t: string, args: Record<string, unknown>) => {
      seen.push(args);
      return answer;
    },
  }) as unknown as McpClientPool;

describe('polled inbox answers', () => {
  it('a date mark: asks from a day before the newest item seen, reads JSON text with dot paths', async () => {
    const op: PollOperation = {
      tool: 'search',
      arguments: { since: '{{since|date}}', n: '{{limit}}' },
      mark: { kind: 'date' },
      result: {
        itemsField: 'messages',
        idPrefix: 'imap-uid:',
        fields: { id: 'uid', from: 'from.address', text: 'text', html: 'html', receivedAt: 'date' },
      },
      limit: 25,
    };
    const seen: Array<Record<string, unknown>> = [];
    const answer = {
      messages: [
        { uid: 7, from: { address: 'a@x.com.br' }, text: 'Quero saber mais', date: '2026-12-02T10:00:00Z' },
        { uid: 9, from: { address: 'b@x.com.br' }, html: '<p>Pode <b>ligar</b></p>', date: '2026-12-03T09:00:00Z' },
        { uid: 10, text: 'sem remetente' },
      ],
    };
    const r = await pollOnce(fakePool({ content: [{ type: 'text', text: JSON.stringify(answer) }] }, seen), 'm', op, {
      channel: 'email',
      kind: 'inbound',
      timeoutMs: 1000,
      mark: '2026-12-01T08:30:00.000Z',
      now,
    });
    expect(seen).toEqual([{ since: '2026-11-30', n: 25 }]);
    expect(r.messages.map((m) => [m.providerId, m.from, m.text])).toEqual([
      ['imap-uid:7', 'a@x.com.br', 'Quero saber mais'],
      ['imap-uid:9', 'b@x.com.br', 'Pode ligar'],
    ]);
    expect(r.unreadable).toBe(1);
    expect(r.nextMark).toBe('2026-12-03T09:00:00.000Z');
    expect(sinceOf(op, null, now)).toBe('2026-11-26T12:00:00.000Z'); // first poll: 7 days back
  });

  it('a UID mark never moves back; a cursor mark is the answer’s; statuses in the server’s words', async () => {
    const op: PollOperation = {
      tool: 'statuses',
      arguments: { after: '{{since|int}}' },
      mark: { kind: 'uid', field: 'seq' },
      result: {
        itemsField: 'statuses',
        fields: { id: 'sid', status: 'state', at: 'ts', code: 'err' },
        statusMap: { undelivered: 'failed' },
      },
    };
    const sc = {
      statuses: [
        { seq: 3, sid: 'SM1', state: 'delivered', ts: 1764763200 },
        { seq: 4, sid: 'SM2', state: 'undelivered', ts: 1764763260, err: 63024 },
        { seq: 5, sid: 'SM3', state: 'queued' },
      ],
    };
    const seen: Array<Record<string, unknown>> = [];
    const r = await pollOnce(fakePool({ content: [], structuredContent: sc }, seen), 's', op, {
      channel: 'whatsapp',
      kind: 'statuses',
      timeoutMs: 1000,
      mark: '2',
      now,
    });
    expect(seen).toEqual([{ after: 2 }]);
    expect(r.statuses.map((s) => [s.providerId, s.status, s.code])).toEqual([
      ['SM1', 'entregue', null],
      ['SM2', 'falhou', '63024'],
    ]);
    expect(r.unreadable).toBe(1);
    expect(r.nextMark).toBe('5');
    const older = await pollOnce(fakePool({ content: [], structuredContent: { statuses: [] } }), 's', op, {
      channel: 'whatsapp',
      kind: 'statuses',
      timeoutMs: 1000,
      mark: '9',
      now,
    });
    expect(older.nextMark).toBe('9');
    const cursorOp: PollOperation = { ...op, mark: { kind: 'cursor', field: 'next' } };
    const c = await pollOnce(
      fakePool({ content: [], structuredContent: { statuses: [], next: 'abc' } }),
      's',
      cursorOp,
      {
        channel: 'whatsapp',
        kind: 'statuses',
        timeoutMs: 1000,
        mark: null,
        now,
      },
    );
    expect(c.nextMark).toBe('abc');
  });

  it('a failed call throws with the server’s words; "No messages found" is an empty inbox', async () => {
    const op: PollOperation = { tool: 't', arguments: {}, mark: { kind: 'uid' }, result: { fields: { id: 'id' } } };
    const ctx = { channel: 'email' as const, kind: 'inbound' as const, timeoutMs: 1000, mark: null, now };
    await expect(
      pollOnce(fakePool({ isError: true, content: [{ type: 'text', text: 'IMAP connection failed' }] }), 'm', op, ctx),
    ).rejects.toThrow(/IMAP connection failed/);
    const empty = await pollOnce(fakePool({ content: [{ type: 'text', text: 'No messages found' }] }), 'm', op, ctx);
    expect(empty).toMatchObject({ messages: [], unreadable: 0 });
  });

  it('an e-mail reply is read without the message it quotes', () => {
    expect(withoutQuotedReply('SAIR\r\n\r\nEm 02/12/2026 10:00, Cobrança escreveu:\r\n> responda SAIR')).toBe('SAIR');
    expect(
      withoutQuotedReply('Pode ligar amanhã\n\nOn Tue, Dec 2, 2026 at 10:00 AM Cobrança <c@x.ai> wrote:\n> oi'),
    ).toBe('Pode ligar amanhã');
    expect(withoutQuotedReply('> só citação')).toBe('> só citação');
  });
});
