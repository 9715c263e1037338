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
export const uuid = () => z.string().refine(isUuid, { message: NOT_AN_ID }).meta({ format: 'uuid' });

/**
 * What to do when an id is not one (a company name given as lead_id, say): ids are UUIDs the tools
 * return, and this names the tool that finds each kind.
 */
export const NOT_AN_ID =
  'must be an id (a UUID such as 0190a000-0000-7000-8000-000000000001) that a tool returned, not a name: ' +
  'find a lead with query_leads {text: "<name, phone, e-mail or document>"}, a job with job_status, ' +
  'a meeting with query_leads {lead_id} (its meetings)';

/** An ISO 8601 date-time with a Z or ±hh:mm offset; shown as format date-time (no long pattern). */
export const isoDateTime = () =>
  z
    .string()
    .refine(isOffsetDateTime, {
      message:
        'must be a date-time with its UTC offset, e.g. 2026-11-24T13:00:00-03:00 or 2026-11-24T16:00:00Z ' +
        '("2026-12-10T10h" or "2026-12-10 10:00" are not accepted)',
    })
    .meta({ format: 'date-time' });
