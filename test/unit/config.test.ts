import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('sends only when MICRO_AGENT_DISPARO_ENABLED is exactly "true"', () => {
    expect(loadConfig({}).dispatchEnabled).toBe(false);
    for (const v of ['TRUE', 'True', '1', 'yes', ' true', 'true '])
      expect(loadConfig({ MICRO_AGENT_DISPARO_ENABLED: v }).dispatchEnabled).toBe(false);
    expect(loadConfig({ MICRO_AGENT_DISPARO_ENABLED: 'true' }).dispatchEnabled).toBe(true);
  });

  it('reads the HTTP and auth limits, with defaults, and stops on a value that is not a whole number', () => {
    const d = loadConfig({});
    expect(d.http.limits).toMatchObject({
      maxBodyBytes: 32 * 1024 * 1024,
      maxSessionsPerToken: 100,
      sessionIdleMs: 1_800_000,
    });
    expect(d.auth).toEqual({
      cacheTtlMs: 5000,
      negativeTtlMs: 60_000,
      failLimit: 10,
      failWindowMs: 60_000,
      failDelayMs: 1000,
    });
    const c = loadConfig({ AGENTE_HTTP_MAX_SESSIONS: '7', AGENTE_AUTH_FAIL_DELAY_MS: '0' });
    expect(c.http.limits.maxSessions).toBe(7);
    expect(c.auth.failDelayMs).toBe(0);
    for (const bad of ['0', '-1', '1.5', 'dez'])
      expect(() => loadConfig({ AGENTE_HTTP_MAX_CONNECTIONS: bad })).toThrow(
        `AGENTE_HTTP_MAX_CONNECTIONS must be a whole number ≥ 1; got "${bad}"`,
      );
    expect(() =>
      loadConfig({ AGENTE_HTTP_HEADERS_TIMEOUT_MS: '9000', AGENTE_HTTP_REQUEST_TIMEOUT_MS: '5000' }),
    ).toThrow(/AGENTE_HTTP_HEADERS_TIMEOUT_MS \(9000\) must not exceed AGENTE_HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('AGENTE_DRY_RUN_CONNECTIONS: 2 by default, a whole number from 1 to 8', () => {
    expect(loadConfig({}).dryRunConnections).toBe(2);
    expect(loadConfig({ AGENTE_DRY_RUN_CONNECTIONS: '1' }).dryRunConnections).toBe(1);
    expect(loadConfig({ AGENTE_DRY_RUN_CONNECTIONS: ' 4 ' }).dryRunConnections).toBe(4);
    for (const bad of ['0', '9', '1.5', 'dois'])
      expect(() => loadConfig({ AGENTE_DRY_RUN_CONNECTIONS: bad })).toThrow(
        'AGENTE_DRY_RUN_CONNECTIONS must be a whole number from 1 to 8',
      );
  });
});
