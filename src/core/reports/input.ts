import { z } from 'zod';
import { AppError } from '../errors.js';
import { uuid, type Infer } from '../schemas.js';
import { addDays, isLocalDate, isOffsetDateTime, zonedTimeToUtc } from '../time/index.js';

/** What the report tool can answer (issue 19 step 2). */
export const REPORT_VIEWS = ['funnel', 'campaigns', 'inbound', 'meetings', 'blocked'] as const;
export type ReportView = (typeof REPORT_VIEWS)[number];

/** Dates without a time are days in Brasília time (the tenant has no zone of its own). */
export const REPORT_ZONE = 'America/Sao_Paulo';

const when = z.string().max(40);

export const reportInput = {
  view: z.enum(REPORT_VIEWS),
  campaign_id: uuid().optional(),
  batch_id: uuid().optional(),
  template: z.string().max(100).optional(),
  channel: z.enum(['whatsapp', 'email']).optional(),
  from: when.optional(),
  to: when.optional(),
  status: z.string().max(20).optional(),
  reason: z.string().max(40).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(50),
};
export type ReportInput = Infer<typeof reportInput>;

/** Lean on purpose (tools/list budget): funnel answers CampaignReport (core/model/report.ts), the others rows. */
const obj = z.record(z.string(), z.unknown());
export const reportOutput = {
  scope: obj.optional(),
  funnel: obj.optional(),
  by_channel: obj.optional(),
  bucket_seconds: z.number().optional(),
  timeline: z.array(obj).optional(),
  pace_per_second: z.number().nullable().optional(),
  blocked_by_reason: z.record(z.string(), z.number()).optional(),
  rows: z.array(obj).optional(),
  next_cursor: z.string().nullable().optional(),
};

/**
 * A bound of a period: a day (YYYY-MM-DD, its start in Brasília time; as `to`, the day is included) or a
 * date-time with its offset. Anything else is refused with examples.
 */
export function parseBound(s: string | undefined, field: 'from' | 'to'): Date | null {
  if (s === undefined) return null;
  if (isLocalDate(s)) {
    const start = zonedTimeToUtc(s, '00:00', REPORT_ZONE);
    return field === 'to' ? zonedTimeToUtc(addDays(s, 1), '00:00', REPORT_ZONE) : start;
  }
  if (isOffsetDateTime(s)) return new Date(s);
  throw new AppError(
    'invalid_argument',
    `${field} "${s}" is not a day or a date-time: use 2026-12-10 (a day in Brasília time) or ` +
      '2026-12-10T10:00:00-03:00 / 2026-12-10T13:00:00Z.',
  );
}

/** An opaque page cursor: the last row's sort key, base64url JSON. */
export const encodeCursor = (key: unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');
export function decodeCursor(cursor: string | undefined): unknown[] | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key;
  } catch {
    // refused below
  }
  throw new AppError(
    'invalid_argument',
    'cursor is not one this tool returned: pass next_cursor as given, or omit it.',
  );
}
