import { z } from 'zod';
import type { Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { EVENT_TYPES, readEvents } from './outbox.js';

export const listEventsInput = {
  after: z
    .string()
    .regex(/^\d{1,19}$/, 'after is a sequence number: "0" or the next_cursor of the previous call')
    .default('0'),
  limit: z.number().int().min(1).max(500).default(100),
  types: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
};

export const listEventsOutput = {
  // CloudEvents 1.0 envelopes, kept loose here so tools/list stays within its budget.
  events: z.array(z.record(z.string(), z.unknown())),
  next_cursor: z.string(),
};

/** The tenant's events after a cursor, oldest first, and the cursor to pass next (unchanged when none). */
export async function listEvents(
  scope: Scope,
  input: Infer<typeof listEventsInput>,
): Promise<Infer<typeof listEventsOutput>> {
  const events = await scope.tx((tx) => readEvents(tx, scope.tenant, input.after, input.limit, input.types));
  return {
    events: events as unknown as Record<string, unknown>[],
    next_cursor: events.at(-1)?.sequence ?? input.after,
  };
}
