import { describe, expect, it } from 'vitest';
import { backoffMs, classify } from '../../src/core/dispatch/classify.js';
import type { Claimed } from '../../src/core/dispatch/outcome.js';
import type { SendOutcome } from '../../src/core/outreach/channel-port.js';

const NOW = new Date('2026-11-24T13:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

const row = (over: Partial<Claimed> = {}): Claimed => ({
  disparo_id: 'd1',
  tenant_id: 't1',
  lead_id: 'l1',
  canal: 'whatsapp',
  destino: '+5511987654321',
  template: 'cobranca_padrao_whatsapp_v2',
  conteudo: 'Olá',
  assunto: null,
  variaveis: {},
  idempotency_key: 'd:abc',
  tentativas: 1,
  max_tentativas: 5,
  talvez_entregue: false,
  ...over,
});
const fail = (errorClass: Extract<SendOutcome, { ok: false }>['errorClass']): SendOutcome => ({
  ok: false,
  errorClass,
  error: `${errorClass} error`,
  raw: { code: 1 },
});

// Every (row, answer, idempotent) combination the executor acts on, and the row it becomes. jitter 0.5:
// the backoff is exactly 1 s, 2 s, 4 s … for attempts 1, 2, 3 …
const cases: Array<{
  name: string;
  row: Partial<Claimed>;
  out: SendOutcome;
  idempotent: boolean;
  expect: Record<string, unknown>;
  motivo?: RegExp;
}> = [
  {
    name: 'delivered → enviado with the message id and the WhatsApp id',
    row: {},
    out: { ok: true, messageId: 'wamid.1', waId: '551187654321', raw: { id: 'wamid.1' } },
    idempotent: false,
    expect: { status: 'enviado', message_id: 'wamid.1', wa_id: '551187654321', raw: { id: 'wamid.1' } },
  },
  {
    name: 'delivered without a WhatsApp id → wa_id null',
    row: {},
    out: { ok: true, messageId: null, raw: null },
    idempotent: false,
    expect: { status: 'enviado', message_id: null, wa_id: null },
  },
  {
    name: 'transient, attempts left → pendente, retried after the backoff',
    row: { tentativas: 3 },
    out: fail('transitorio'),
    idempotent: false,
    expect: { status: 'pendente', proxima: at(4000), erro_classe: 'transitorio', erro: 'transitorio error' },
    motivo: /^erro transitório: nova tentativa agendada$/,
  },
  {
    name: 'transient at the last attempt → falhou',
    row: { tentativas: 5 },
    out: fail('transitorio'),
    idempotent: true,
    expect: { status: 'falhou', erro_classe: 'transitorio' },
    motivo: /^falhou após 5 tentativas$/,
  },
  {
    name: 'transient at the last attempt after an unknown one → incerto, never falhou',
    row: { tentativas: 5, talvez_entregue: true },
    out: fail('transitorio'),
    idempotent: true,
    expect: { status: 'incerto', erro_classe: 'transitorio' },
    motivo: /pode ter sido entregue; verifique antes de reenviar/,
  },
  {
    name: 'unknown on an idempotent channel, attempts left → pendente, marked maybe delivered',
    row: { tentativas: 2 },
    out: fail('desconhecido'),
    idempotent: true,
    expect: { status: 'pendente', talvez_entregue: true, proxima: at(2000) },
    motivo: /reenvio seguro pela chave de idempotência/,
  },
  {
    name: 'unknown on an idempotent channel at the last attempt → incerto',
    row: { tentativas: 5 },
    out: fail('desconhecido'),
    idempotent: true,
    expect: { status: 'incerto', talvez_entregue: true },
    motivo: /na última de 5 tentativas/,
  },
  {
    name: 'unknown on a channel without idempotency → incerto at once',
    row: { tentativas: 1 },
    out: fail('desconhecido'),
    idempotent: false,
    expect: { status: 'incerto', talvez_entregue: true },
    motivo: /o canal não garante idempotência/,
  },
  {
    name: 'destination refused permanently → falhou destino_invalido (no retry, whatever attempts are left)',
    row: { tentativas: 1 },
    out: fail('destino_invalido'),
    idempotent: true,
    expect: { status: 'falhou', erro_classe: 'destino_invalido' },
    motivo: /^destino inválido \(falha permanente\)$/,
  },
  {
    name: 'refused by policy → bloqueado',
    row: { tentativas: 1 },
    out: fail('politica'),
    idempotent: true,
    expect: { status: 'bloqueado', erro_classe: 'politica' },
    motivo: /^recusado por política do canal$/,
  },
];

describe('classify: what a downstream answer does to the row', () => {
  it.each(cases)('$name', (c) => {
    const o = classify(row(c.row), c.out, c.idempotent, NOW, 0.5);
    expect(o).toMatchObject({ disparo_id: 'd1', ...c.expect });
    if (c.motivo) expect(o.motivo).toMatch(c.motivo);
    // Only rows that go back to the queue get a due time.
    expect(o.proxima !== undefined).toBe(o.status === 'pendente');
    // talvez_entregue is set only by an unknown outcome (it is sticky in SQL: or-ed with the row's).
    expect(o.talvez_entregue === true).toBe(c.out.ok === false && c.out.errorClass === 'desconhecido');
  });

  it('keeps at most 1000 characters of the error', () => {
    const o = classify(row(), { ok: false, errorClass: 'politica', error: 'x'.repeat(5000), raw: null }, false, NOW, 0);
    expect(o.erro).toHaveLength(1000);
  });

  it('backs off exponentially with ±50% jitter, capped at 5 minutes', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(1, 0)).toBe(500);
    expect(backoffMs(1, 0.999)).toBe(1499);
    expect(backoffMs(20, 0.5)).toBe(300_000);
    expect(backoffMs(0, 0.5)).toBe(1000);
  });
});
