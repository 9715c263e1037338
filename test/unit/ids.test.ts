import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7 } from '../../src/core/ids.js';

describe('uuidv7', () => {
  it('is a version 7 UUID that our tool schemas accept, carrying the time in its first 48 bits', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(now);
  });

  it('keeps increasing within one millisecond and across many ids, and never repeats', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7(Date.UTC(2030, 0, 1)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || ids[i - 1] < id)).toBe(true);
  });
});
