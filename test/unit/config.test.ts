import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('reads AGENTE_INGEST_WORKER_MIN_BYTES: a byte count, "off" for never, 512 KiB when unset', () => {
    expect(loadConfig({}).ingestWorkerMinBytes).toBe(512 * 1024);
    expect(loadConfig({ AGENTE_INGEST_WORKER_MIN_BYTES: '0' }).ingestWorkerMinBytes).toBe(0);
    expect(loadConfig({ AGENTE_INGEST_WORKER_MIN_BYTES: '1048576' }).ingestWorkerMinBytes).toBe(1_048_576);
    expect(loadConfig({ AGENTE_INGEST_WORKER_MIN_BYTES: 'OFF' }).ingestWorkerMinBytes).toBe(Number.POSITIVE_INFINITY);
    for (const bad of ['-1', '1.5', 'muito', '1MB']) {
      expect(() => loadConfig({ AGENTE_INGEST_WORKER_MIN_BYTES: bad })).toThrow(/AGENTE_INGEST_WORKER_MIN_BYTES must be a whole number of bytes or "off"/);
    }
  });

  it('sends only when MICRO_AGENT_DISPARO_ENABLED is exactly "true"', () => {
    expect(loadConfig({}).dispatchEnabled).toBe(false);
    for (const v of ['TRUE', 'True', '1', 'yes', ' true', 'true ']) expect(loadConfig({ MICRO_AGENT_DISPARO_ENABLED: v }).dispatchEnabled).toBe(false);
    expect(loadConfig({ MICRO_AGENT_DISPARO_ENABLED: 'true' }).dispatchEnabled).toBe(true);
  });
});
