/** The sandbox calendar's state: its events, rebuilt by replaying the record's lines (see calendar-server.ts). */
import type { RecordLine } from './record.js';

export interface CalendarEvent {
  event_id: string;
  title: string;
  start: string;
  end: string;
  timeZone: string;
  description?: string;
  location?: string;
  attendees?: string[];
  deleted: boolean;
}

export const htmlLink = (id: string) => `https://calendar.sandbox.invalid/event?eid=${id}`;

/** What update_event answers about an event. */
export const summarize = (ev: CalendarEvent) => ({
  event_id: ev.event_id,
  html_link: htmlLink(ev.event_id),
  title: ev.title,
  start: ev.start,
  end: ev.end,
  timeZone: ev.timeZone,
});

export class CalendarBook {
  readonly events = new Map<string, CalendarEvent>();

  /** Applies one recorded create_event / update_event / delete_event line (SandboxRuntime's `apply`). */
  apply(line: RecordLine): void {
    const a = line.args as Record<string, unknown>;
    if (line.tool === 'create_event') {
      this.events.set(line.message_id, {
        event_id: line.message_id,
        title: a.title as string,
        start: a.start as string,
        end: a.end as string,
        timeZone: a.timeZone as string,
        description: a.description as string | undefined,
        location: a.location as string | undefined,
        attendees: a.attendees as string[] | undefined,
        deleted: false,
      });
    } else if (line.tool === 'update_event') {
      const ev = this.events.get(line.message_id);
      if (!ev) return;
      for (const f of ['title', 'start', 'end', 'timeZone', 'description', 'location'] as const) {
        if (a[f] !== undefined) (ev as unknown as Record<string, unknown>)[f] = a[f];
      }
    } else if (line.tool === 'delete_event') {
      const ev = this.events.get(line.message_id);
      if (ev) ev.deleted = true;
    }
  }

  /** The event with this id, unless unknown or deleted. */
  live(id: string): CalendarEvent | undefined {
    const ev = this.events.get(id);
    return ev && !ev.deleted ? ev : undefined;
  }

  /** The events (not deleted) overlapping [lo, hi) (epoch ms), earliest first. */
  overlapping(lo: number, hi: number): CalendarEvent[] {
    return [...this.events.values()]
      .filter((ev) => !ev.deleted && Date.parse(ev.start) < hi && Date.parse(ev.end) > lo)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  }
}
