/**
 * Port: the downstream calendar (an MCP server behind a channel profile). Core and the app layer see
 * only this; src/channels/calendar.ts implements it. Present only when MICRO_AGENT_DISPARO_ENABLED is
 * exactly "true": with sending off nothing is booked downstream.
 */
export interface CalendarEventInput {
  title: string;
  /** RFC 3339 with the lead's offset, e.g. 2026-12-01T10:00:00-04:00. */
  start: string;
  end: string;
  timeZone: string;
  description?: string;
  location?: string;
  /** The lead's e-mail, for profiles that invite attendees. */
  attendee?: string;
  idempotencyKey: string;
}

/**
 * A calendar call's outcome. `unknown`: no answer came back (timeout, crash) — the change may or may
 * not have happened downstream.
 */
export type CalendarOutcome = { ok: true; eventId: string | null } | { ok: false; unknown: boolean; error: string };

export interface CalendarCapabilities {
  /** The channel is configured and (after start-up verification) usable. */
  available: boolean;
  /** The server deduplicates creates on our idempotency key: a retry after an unknown outcome is safe. */
  idempotent: boolean;
  update: boolean;
  delete: boolean;
  list: boolean;
  detail: string | null;
}

export interface BusyInterval {
  start: Date;
  end: Date;
  eventId: string | null;
}

export interface CalendarPort {
  capabilities(): CalendarCapabilities;
  create(ev: CalendarEventInput, opts?: { signal?: AbortSignal }): Promise<CalendarOutcome>;
  update(eventId: string, ev: CalendarEventInput, opts?: { signal?: AbortSignal }): Promise<CalendarOutcome>;
  remove(eventId: string, opts?: { signal?: AbortSignal }): Promise<CalendarOutcome>;
  busy(
    from: Date,
    to: Date,
    opts?: { signal?: AbortSignal },
  ): Promise<{ ok: true; intervals: BusyInterval[] } | { ok: false; error: string }>;
}
