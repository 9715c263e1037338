/**
 * The checks every booking and every new time passes: not in the past, inside business hours in the
 * lead's zone (unless forced), and no overlap with an active meeting of the lead or of the organiser.
 */
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { OutreachPolicy } from '../outreach/policy.js';
import { parseDateTime, toZonedIso } from '../time/index.js';
import { checkBusinessHours } from './hours.js';
import { activeMeetingsOverlapping, lockBookingScope } from './sql/meetings.js';

export interface SlotToCheck {
  start: Date;
  end: Date;
  leadId: string;
  timezone: string;
  organizer: string | null;
  /** Allow outside business hours (never in the past or double-booked). */
  force: boolean;
  /** The meeting being moved (it does not clash with itself). */
  exclude?: string;
}

/**
 * Refuses a slot in the past, outside business hours (unless force) or overlapping an active meeting
 * of the lead or organiser. Takes the booking locks first: call it in the transaction that then
 * writes the meeting.
 */
export async function checkSlot(
  tx: Tx,
  ctx: { tenantId: string; now: Date; policy: OutreachPolicy },
  s: SlotToCheck,
): Promise<void> {
  const tz = s.timezone;
  if (s.start.getTime() <= ctx.now.getTime()) {
    throw new AppError(
      'invalid_argument',
      `The start ${toZonedIso(s.start, tz)} is in the past (now is ${toZonedIso(ctx.now, tz)} in ${tz}). ` +
        'Pick a future time (propose_slots lists free ones).',
    );
  }
  if (!s.force) {
    const h = checkBusinessHours(s.start, s.end, tz, ctx.policy.janela);
    if (!h.ok)
      throw new AppError(
        'invalid_argument',
        `Outside business hours in the lead's zone: ${h.reason}. ` +
          'Pick another time (propose_slots), or pass force: true if the lead asked for it.',
      );
  }
  await lockBookingScope(tx, ctx.tenantId, s.leadId, s.organizer);
  const clash = await activeMeetingsOverlapping(tx, ctx.tenantId, {
    leadId: s.leadId,
    organizer: s.organizer,
    from: s.start,
    to: s.end,
    exclude: s.exclude,
  });
  if (clash.length) {
    const list = clash.map(
      (c) =>
        `${c.agendamento_id} (${c.lead_id === s.leadId ? 'same lead' : 'same organiser'}, ` +
        `${toZonedIso(new Date(c.inicio), tz)} – ${toZonedIso(new Date(c.fim), tz)}, ${c.status})`,
    );
    throw new AppError(
      'conflict',
      `Double booking: the slot overlaps ${list.join('; ')}. Pick another time (propose_slots avoids them).`,
    );
  }
}

/** The organiser as stored: trimmed, lower-cased e-mail, or null for the tenant's shared agenda. */
export const normalizeOrganizer = (o: string | undefined): string | null => o?.trim().toLowerCase() || null;

/**
 * The instant of a start the caller gave: ISO 8601 with an offset, or a local time in the lead's zone.
 *
 * @example parseStart('2026-12-01T10:00', 'America/Manaus').toISOString() // '2026-12-01T14:00:00.000Z'
 */
export function parseStart(input: string, timeZone: string): Date {
  // One rule: a date, "T", hours and minutes; without an offset it is the lead's local time. Anything
  // else ("2026-12-10 10:00", "2026-12-10T10h", "10/12 10h") is refused rather than guessed.
  const at = ISO_SHAPE.test(input.trim()) ? parseDateTime(input.trim(), timeZone) : null;
  if (at) return at;
  throw new AppError(
    'invalid_argument',
    `start "${input}" is not a date-time this tool reads. Give ISO 8601 with an offset ` +
      `(2026-12-01T10:00:00-03:00) or a local time in the lead's zone, ${timeZone} (2026-12-01T10:00).`,
  );
}

const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
