import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('sends only when MICRO_AGENT_DISPARO_ENABLED is exactly "true"', () => {
    expect(loadConfig({}).dispatchEnabled).toBe(false);
    for (const v of ['TRUE', 'True', '1', 'yes', ' true', 'true '])
      expect(loadConfig({ MICRO_AGENT_DISPARO_ENABLED: v }).dispatchEnabled).toBe(false);
    expect(loadConfig({ MICRO_AGENT_DISPARO_ENABLED: 'true' }).dispatchEnabled).toBe(true);
  });
});
