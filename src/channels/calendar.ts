import type { SendOutcome } from '../core/outreach/channel-port.js';
import type {
  BusyInterval,
  CalendarCapabilities,
  CalendarEventInput,
  CalendarOutcome,
  CalendarPort,
} from '../core/meetings/index.js';
import type { McpChannelClient } from './channel-client.js';

/**
 * The calendar port over the channel layer: create through the profile's tool, update / delete / list
 * through its operations. An answer that says failure is definite; no answer (timeout, crash, closed
 * connection) is `unknown` — the change may have happened downstream.
 */
export class McpCalendar implements CalendarPort {
  constructor(
    private readonly channels: McpChannelClient,
    private readonly timeoutMs = 20_000,
  ) {}

  capabilities(): CalendarCapabilities {
    return this.channels.calendarOperations();
  }

  async create(ev: CalendarEventInput, opts: { signal?: AbortSignal } = {}): Promise<CalendarOutcome> {
    return outcome(await this.channels.call('calendar', payload(ev), { ...opts, timeoutMs: this.timeoutMs }));
  }

  async update(eventId: string, ev: CalendarEventInput, opts: { signal?: AbortSignal } = {}): Promise<CalendarOutcome> {
    const out = outcome(
      await this.channels.calendarCall('update', { ...payload(ev), eventId }, { ...opts, timeoutMs: this.timeoutMs }),
    );
    return out.ok ? { ok: true, eventId } : out;
  }

  async remove(eventId: string, opts: { signal?: AbortSignal } = {}): Promise<CalendarOutcome> {
    const out = outcome(
      await this.channels.calendarCall('delete', { eventId }, { ...opts, timeoutMs: this.timeoutMs }),
    );
    return out.ok ? { ok: true, eventId } : out;
  }

  async busy(
    from: Date,
    to: Date,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ ok: true; intervals: BusyInterval[] } | { ok: false; error: string }> {
    const r = await this.channels.calendarList(from, to, { ...opts, timeoutMs: this.timeoutMs });
    if (!r.ok) return r;
    return {
      ok: true,
      intervals: r.events.map((e) => ({ start: new Date(e.start), end: new Date(e.end), eventId: e.id })),
    };
  }
}

function payload(ev: CalendarEventInput) {
  return {
    to: ev.attendee,
    title: ev.title,
    start: ev.start,
    end: ev.end,
    timeZone: ev.timeZone,
    description: ev.description,
    location: ev.location,
    idempotencyKey: ev.idempotencyKey,
  };
}

function outcome(o: SendOutcome): CalendarOutcome {
  if (o.ok) return { ok: true, eventId: o.messageId };
  // The reader says unknown only when no answer came or the answer does not say (readers.ts); a
  // refusal of any class is a definite failure.
  return { ok: false, unknown: o.errorClass === 'desconhecido', error: o.error };
}
