import { z } from 'zod';
import { isOffsetDateTime } from './time/index.js';

/**
 * Schema building blocks shared by use cases. A use case declares its input and output as zod raw
 * shapes beside its function; the tool publishes the same shapes (inputSchema / outputSchema), and the
 * function's types are inferred from them, so the two cannot diverge.
 */
export type Infer<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID (any version: ingest writes v7 ids). */
export const isUuid = (s: string) => UUID_RE.test(s);

/**
 * A UUID argument. Validated by a refinement, so tools/list shows only {"type":"string","format":"uuid"}
 * instead of zod's 200-character pattern repeated for every id field (tools/list budget,
 * test/tools/tools-budget.test.ts).
 */
export const uuid = () => z.string().refine(isUuid, { message: 'must be a UUID' }).meta({ format: 'uuid' });

/** An ISO 8601 date-time with a Z or ±hh:mm offset; shown as format date-time (no long pattern). */
export const isoDateTime = () =>
  z
    .string()
    .refine(isOffsetDateTime, {
      message: 'must be an ISO 8601 date-time with offset, e.g. 2026-11-24T13:00:00-03:00',
    })
    .meta({ format: 'date-time' });
