import pLimit from 'p-limit';
import { describe, expect, it, vi } from 'vitest';
import type { Claimed, Outcome } from '../../src/core/dispatch/outcome.js';
import { preSendStops } from '../../src/core/dispatch/pre-send-check.js';
import { sendAtSlots } from '../../src/core/dispatch/send-at-slots.js';
import type { PreSendFact } from '../../src/core/dispatch/sql/pre-send-facts.js';
import { DEFAULT_SEND_WINDOW } from '../../src/core/policy/index.js';
import { silentLogger } from '../../src/core/ports.js';

const claimed = (id: string): Claimed => ({
  disparo_id: id,
  tenant_id: 't',
  lead_id: `lead-${id}`,
  canal: 'whatsapp',
  destino: '+5511987654321',
  template: 'x',
  conteudo: 'Olá',
  assunto: null,
  variaveis: {},
  idempotency_key: `k-${id}`,
  tentativas: 1,
  max_tentativas: 5,
  talvez_entregue: false,
});
const fact = (id: string, over: Partial<PreSendFact> = {}): PreSendFact => ({
  disparo_id: id,
  status: 'em_disparo',
  timezone: 'America/Sao_Paulo',
  suprimido: false,
  agendamento_status: null,
  ...over,
});

/** A WhatsApp message queued as its approved template (formVariables), and one queued as free text beside it. */
const AS_TEMPLATE = { __forma: 'modelo', __modelo: { contentSid: 'HX1', contentVariables: '{}' } };
const FREE_TEXT = { __forma: 'texto_livre', __modelo: AS_TEMPLATE.__modelo };

// Tuesday 24 Nov 2026 10:00 in São Paulo (inside the default window); 07:00 in Manaus is 08:00 São Paulo.
const TUESDAY_10 = new Date('2026-11-24T13:00:00Z');

describe('preSendStops: what is checked again right before the downstream call', () => {
  const cases: Array<{
    name: string;
    fact?: Partial<PreSendFact>;
    variaveis?: Record<string, unknown>;
    seen?: false;
    at?: Date;
    expect: unknown;
  }> = [
    { name: 'an outreach row to a lead still queued goes', expect: undefined },
    { name: 'a lead contatado (another campaign) may still get it', fact: { status: 'contatado' }, expect: undefined },
    {
      name: 'a row the check cannot see is blocked, never sent unchecked',
      seen: false,
      expect: { status: 'bloqueado', motivo: 'verificação antes do envio não encontrou o disparo' },
    },
    {
      name: 'opt-out since it was queued → bloqueado',
      fact: { status: 'opt_out' },
      expect: { status: 'bloqueado', erro_classe: 'politica', motivo: /opt-out/ },
    },
    {
      name: 'on the suppression list since → bloqueado',
      fact: { suprimido: true },
      expect: { status: 'bloqueado', motivo: /supressão/ },
    },
    {
      name: 'an outreach row to a lead that replied since → bloqueado',
      fact: { status: 'respondeu' },
      expect: { status: 'bloqueado', motivo: 'estado do lead mudou para respondeu antes do envio' },
    },
    {
      name: "a meeting's message to a lead in the meeting goes",
      fact: { status: 'agendado', agendamento_status: 'agendado' },
      expect: undefined,
    },
    {
      name: "a meeting's message whose meeting was cancelled → cancelado",
      fact: { status: 'respondeu', agendamento_status: 'cancelado' },
      expect: { status: 'cancelado', motivo: 'reunião cancelado antes do envio' },
    },
    {
      name: "a meeting's message held until after the meeting started → cancelado",
      fact: {
        status: 'agendado',
        agendamento_status: 'confirmado',
        agendamento_inicio: new Date(TUESDAY_10.getTime() - 60_000),
      },
      expect: { status: 'cancelado', motivo: 'reunião já começou antes do envio' },
    },
    {
      name: "a meeting's message before the meeting starts goes",
      fact: {
        status: 'agendado',
        agendamento_status: 'confirmado',
        agendamento_inicio: new Date(TUESDAY_10.getTime() + 60_000),
      },
      expect: undefined,
    },
    {
      name: "a meeting's message to a lead lost since → bloqueado",
      fact: { status: 'perdido', agendamento_status: 'confirmado' },
      expect: { status: 'bloqueado', motivo: 'lead perdido antes do envio' },
    },
    {
      name: 'as its template while the registry says it is paused → adiado 3 h, the attempt not counted',
      fact: { modelo_status: 'paused' },
      variaveis: AS_TEMPLATE,
      expect: {
        status: 'adiado',
        motivo: /^template_pausado: .*nova verificação em 3 h$/,
        proxima: new Date(TUESDAY_10.getTime() + 3 * 3600_000),
        devolvido: true,
      },
    },
    {
      name: 'as its template while the registry says disabled (or rejected) → bloqueado template_desativado',
      fact: { modelo_status: 'rejected' },
      variaveis: AS_TEMPLATE,
      expect: { status: 'bloqueado', erro_classe: 'politica', motivo: /^template_desativado: / },
    },
    {
      name: 'as a marketing template to a person who stopped marketing since → bloqueado marketing_recusado',
      fact: { modelo_status: 'paused', marketing_recusado: true },
      variaveis: AS_TEMPLATE,
      expect: { status: 'bloqueado', motivo: /^marketing_recusado: A pessoa parou de receber mensagens de marketing/ },
    },
    {
      name: 'the refusal does not stop free text inside the window',
      fact: { marketing_recusado: true },
      variaveis: { ...FREE_TEXT, __janela_ate: '2026-11-24T20:00:00.000Z' },
      expect: undefined,
    },
    {
      name: 'free text whose window closed goes as the template beside it: paused holds it',
      fact: { modelo_status: 'paused' },
      variaveis: { ...FREE_TEXT, __janela_ate: '2026-11-24T12:00:00.000Z' },
      expect: { status: 'adiado', motivo: /^template_pausado: / },
    },
    {
      name: 'free text inside the window goes as free text: a paused template does not matter',
      fact: { modelo_status: 'paused' },
      variaveis: { ...FREE_TEXT, __janela_ate: '2026-11-24T20:00:00.000Z' },
      expect: undefined,
    },
    {
      name: 'outside the send window in the lead zone → adiado until it opens',
      fact: { timezone: 'America/Manaus' },
      at: new Date('2026-11-24T11:30:00Z'),
      expect: { status: 'adiado', proxima: new Date('2026-11-24T12:00:00Z') },
    },
  ];
  it.each(cases)('$name', (c) => {
    const stops = preSendStops(
      [{ ...claimed('a'), variaveis: c.variaveis ?? {} }],
      c.seen === false ? [] : [fact('a', c.fact)],
      DEFAULT_SEND_WINDOW,
      c.at ?? TUESDAY_10,
    );
    const stop = stops.get('a');
    if (c.expect === undefined) expect(stop).toBeUndefined();
    else expect(stop).toMatchObject(c.expect as object);
  });
});

describe('sendAtSlots: each row at its slot, late ones handed back', () => {
  const sent = (r: Claimed): Promise<Outcome> => Promise.resolve({ disparo_id: r.disparo_id, status: 'enviado' });

  it('stopped rows take no slot; the others go in order at first + i × interval', async () => {
    // Fake timers: each timer fires exactly at its time, so no row misses its slot because the machine
    // was busy (on the real clock a 15 ms stall under load handed a row back and failed this test).
    vi.useFakeTimers({ now: new Date('2026-11-24T13:00:00Z') });
    try {
      const t0 = Date.now();
      const calls: Array<{ id: string; ms: number }> = [];
      const rows = ['a', 'b', 'c', 'd'].map(claimed);
      const stops = new Map<string, Outcome>([['b', { disparo_id: 'b', status: 'bloqueado', motivo: 'x' }]]);
      const done = sendAtSlots(
        rows,
        stops,
        { first: new Date(t0 + 30), intervalMs: 40 },
        { clock: { now: () => new Date() }, logger: silentLogger, limit: pLimit(10) },
        async (r) => {
          calls.push({ id: r.disparo_id, ms: Date.now() - t0 });
          return sent(r);
        },
      );
      await vi.advanceTimersByTimeAsync(200);
      const out = await done;
      expect(out.map((o) => o.status)).toEqual(['enviado', 'bloqueado', 'enviado', 'enviado']);
      // The stopped row took no slot: a, c, d at +30, +70, +110 ms.
      expect(calls).toEqual([
        { id: 'a', ms: 30 },
        { id: 'c', ms: 70 },
        { id: 'd', ms: 110 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a row that missed its slot by more than the tolerance is handed back unsent, due now', async () => {
    // The clock says the slots are long past (a stall): nothing goes late.
    const now = new Date('2026-11-24T13:00:10Z');
    const calls: string[] = [];
    const out = await sendAtSlots(
      [claimed('a')],
      new Map(),
      { first: new Date('2026-11-24T13:00:00Z'), intervalMs: 25 },
      { clock: { now: () => now }, logger: silentLogger, limit: pLimit(1) },
      async (r) => {
        calls.push(r.disparo_id);
        return sent(r);
      },
    );
    expect(calls).toEqual([]);
    expect(out).toEqual([
      {
        disparo_id: 'a',
        status: 'pendente',
        motivo: 'horário de envio perdido; reagendado',
        proxima: now,
        devolvido: true,
      },
    ]);
  });

  it('without a pace (interval 0) every row goes at once, late or not', async () => {
    const out = await sendAtSlots(
      ['a', 'b'].map(claimed),
      new Map(),
      { first: new Date('2026-11-24T13:00:00Z'), intervalMs: 0 },
      { clock: { now: () => new Date('2026-11-24T13:05:00Z') }, logger: silentLogger, limit: pLimit(1) },
      sent,
    );
    expect(out.map((o) => o.status)).toEqual(['enviado', 'enviado']);
  });
});
