import pLimit from 'p-limit';
import { afterAll, describe, expect, it } from 'vitest';
import { stopDeadlineMs } from '../../src/cli/stop.js';
import type { Claimed, Outcome } from '../../src/core/dispatch/outcome.js';
import { sendAtSlots } from '../../src/core/dispatch/send-at-slots.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import type { Readiness } from '../../src/metrics/health.js';
import { metricsTokenFromEnv, probeListenFromEnv, startProbeServer } from '../../src/metrics/http.js';
import { registry } from '../../src/metrics/registry.js';
import { promCoreMetrics, wireMetrics } from '../../src/metrics/wire.js';
import { setCoreMetrics } from '../../src/core/metrics.js';
import { parseProm, promValue } from '../helpers/prom-text.js';

/* The probe endpoints and their settings, the stop deadline, and a halted batch (issue 21). */

const notReady: Readiness = {
  ready: false,
  checks: { database: 'ok', migrations: 'pending: 099_x.sql', channels: 'ok' },
};

describe('metrics settings', () => {
  it('AGENTE_METRICS_PORT / _HOST / _TOKEN: off by default, loopback by default, a token for any other address', () => {
    expect(probeListenFromEnv({})).toBeNull();
    expect(probeListenFromEnv({ AGENTE_METRICS_PORT: '9464' })).toEqual({
      port: 9464,
      host: '127.0.0.1',
      token: undefined,
    });
    expect(() => probeListenFromEnv({ AGENTE_METRICS_PORT: 'abc' })).toThrow(
      /AGENTE_METRICS_PORT must be a port number/,
    );
    expect(() => probeListenFromEnv({ AGENTE_METRICS_PORT: '9464', AGENTE_METRICS_HOST: '0.0.0.0' })).toThrow(
      /not a loopback address: set AGENTE_METRICS_TOKEN/,
    );
    const token = 'x'.repeat(20);
    expect(
      probeListenFromEnv({ AGENTE_METRICS_PORT: '9464', AGENTE_METRICS_HOST: '0.0.0.0', AGENTE_METRICS_TOKEN: token }),
    ).toEqual({
      port: 9464,
      host: '0.0.0.0',
      token,
    });
    expect(() => metricsTokenFromEnv({ AGENTE_METRICS_TOKEN: 'short' })).toThrow(/at least 16 characters/);
  });

  it('AGENTE_STOP_DEADLINE_MS: 20 s by default, whole milliseconds up to 10 minutes', () => {
    expect(stopDeadlineMs({})).toBe(20_000);
    expect(stopDeadlineMs({ AGENTE_STOP_DEADLINE_MS: '5000' })).toBe(5000);
    expect(() => stopDeadlineMs({ AGENTE_STOP_DEADLINE_MS: '5s' })).toThrow(
      /AGENTE_STOP_DEADLINE_MS must be whole milliseconds/,
    );
    expect(() => stopDeadlineMs({ AGENTE_STOP_DEADLINE_MS: '900000' })).toThrow(/between 0 and 600000/);
  });
});

describe('the probe server (worker)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers) await c();
    setCoreMetrics(null);
  });

  it('on loopback without a token: /healthz, /readyz (503 when not ready), /metrics open, nothing else', async () => {
    wireMetrics();
    promCoreMetrics.sendRecorded('email', 'falhou', 'destino_invalido');
    const s = await startProbeServer({ port: 0, host: '127.0.0.1' }, async () => notReady);
    closers.push(s.close);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual(notReady);
    const metrics = await fetch(`${s.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parseProm(await metrics.text());
    expect(
      promValue(samples, 'agente_sends_total', { channel: 'email', status: 'falhou', error_class: 'destino_invalido' }),
    ).toBeGreaterThanOrEqual(1);
    expect(promValue(samples, 'agente_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect((await fetch(`${s.url}/mcp`)).status).toBe(404);
  });

  it('with a token: /metrics refuses a missing or wrong bearer token; the probes stay open', async () => {
    const token = 'y'.repeat(24);
    const s = await startProbeServer({ port: 0, host: '127.0.0.1', token }, async () => ({ ...notReady, ready: true }));
    closers.push(s.close);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${'z'.repeat(24)}` } })).status).toBe(
      401,
    );
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect(await registry.metrics()).toMatch(/# HELP agente_queue_oldest_due_age_seconds|# HELP agente_sends_total/);
  });
});

describe('a batch halted by a stop', () => {
  it('rows waiting for their slot are handed back unsent at once; a call already made finishes', async () => {
    const rows = Array.from({ length: 4 }, (_, i) => ({ disparo_id: `d${i}`, canal: 'whatsapp' }) as Claimed);
    const halt = new AbortController();
    const called: string[] = [];
    const send = async (r: Claimed): Promise<Outcome> => {
      called.push(r.disparo_id);
      await new Promise((res) => setTimeout(res, 300));
      return { disparo_id: r.disparo_id, status: 'enviado', sent_at: new Date() };
    };
    const t0 = performance.now();
    setTimeout(() => halt.abort(), 100);
    // Slots 10 s apart: without the stop this batch would take 30 s.
    const out = await sendAtSlots(
      rows,
      new Map(),
      { first: new Date(), intervalMs: 10_000 },
      { clock: systemClock, logger: silentLogger, limit: pLimit(4), stop: halt.signal },
      send,
    );
    expect(performance.now() - t0).toBeLessThan(5000);
    // The first slot was now: its call was made (unless a loaded machine made it miss the slot) and finished.
    expect(called.length).toBeLessThanOrEqual(1);
    if (called.length) expect(out[0]).toMatchObject({ status: 'enviado' });
    else expect(out[0]).toMatchObject({ status: 'pendente', devolvido: true });
    for (const o of out.slice(1))
      expect(o).toMatchObject({ status: 'pendente', devolvido: true, motivo: expect.stringMatching(/encerrado/) });
  });
});
