/**
 * Sandbox calendar MCP server: create / update / delete / list events. The calendar's state is the
 * replay of its record file (SANDBOX_RECORD), so events survive a restart. create_event, update_event
 * and delete_event are the mutating calls (recorded, subject to the fault knobs; message_id in the
 * record is the event id); only create_event takes an idempotency key. SANDBOX_FAIL_RECIPIENTS applies
 * to attendees ("400 invalid attendee: <address>"). See ./common.ts.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  createSandboxServer,
  idempotencyKeyField,
  isEntryPoint,
  SandboxRuntime,
  serveStdio,
  type RecordLine,
  type SandboxConfig,
} from './common.js';

export const CALENDAR_SERVER_NAME = 'sandbox-calendar';

interface CalendarEvent {
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

export function isIanaTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const instant = (what: string) =>
  z.iso
    .datetime({
      offset: true,
      message: `${what} must be an RFC 3339 date-time with an offset, e.g. 2026-03-02T10:00:00-03:00`,
    })
    .describe(`${what}: RFC 3339 date-time with offset (e.g. 2026-03-02T10:00:00-03:00).`);

const htmlLink = (id: string) => `https://calendar.sandbox.invalid/event?eid=${id}`;

function rangeError(start: string, end: string): string | undefined {
  if (Date.parse(start) < Date.parse(end)) return undefined;
  return `400 invalid time range: start (${start}) must be before end (${end})`;
}

const NOT_FOUND = '404 event not found';

export function buildCalendarServer(config: SandboxConfig) {
  const events = new Map<string, CalendarEvent>();
  const apply = (line: RecordLine) => {
    const a = line.args as Record<string, unknown>;
    if (line.tool === 'create_event') {
      events.set(line.message_id, {
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
      const ev = events.get(line.message_id);
      if (!ev) return;
      for (const f of ['title', 'start', 'end', 'timeZone', 'description', 'location'] as const) {
        if (a[f] !== undefined) (ev as unknown as Record<string, unknown>)[f] = a[f];
      }
    } else if (line.tool === 'delete_event') {
      const ev = events.get(line.message_id);
      if (ev) ev.deleted = true;
    }
  };
  const runtime = new SandboxRuntime({ name: CALENDAR_SERVER_NAME, config, apply });
  const server = createSandboxServer(
    CALENDAR_SERVER_NAME,
    'Offline sandbox of a calendar. Events are kept in a local file; nobody is invited for real.',
  );
  const live = (id: string) => {
    const ev = events.get(id);
    return ev && !ev.deleted ? ev : undefined;
  };
  const timeZone = z
    .string()
    .refine(isIanaTimeZone, 'must be an IANA time zone, e.g. America/Sao_Paulo')
    .describe('IANA time zone of the event, e.g. America/Sao_Paulo.');
  const eventId = z.string().min(1).max(200).describe('Event id returned by create_event.');
  const eventSummary = {
    event_id: z.string(),
    html_link: z.string(),
    title: z.string(),
    start: z.string(),
    end: z.string(),
    timeZone: z.string(),
  };
  const summarize = (ev: CalendarEvent) => ({
    event_id: ev.event_id,
    html_link: htmlLink(ev.event_id),
    title: ev.title,
    start: ev.start,
    end: ev.end,
    timeZone: ev.timeZone,
  });

  server.registerTool(
    'create_event',
    {
      title: 'Create calendar event (sandbox)',
      description:
        'Creates an event from start to end (RFC 3339 with offset; start must be before end) in an IANA time zone, ' +
        'optionally with attendees. Pass idempotency_key to make retries safe: a repeat with the same key returns ' +
        'the first event and creates nothing. Returns the event id and its link.',
      inputSchema: {
        title: z.string().min(1).max(1024).describe('Event title.'),
        start: instant('start'),
        end: instant('end'),
        timeZone,
        description: z.string().max(8192).optional().describe('Event description.'),
        location: z.string().max(1024).optional().describe('Location or meeting link.'),
        attendees: z
          .array(z.email('attendees must be e-mail addresses'))
          .max(100)
          .optional()
          .describe('Attendee e-mail addresses.'),
        idempotency_key: idempotencyKeyField,
      },
      outputSchema: runtime.outputSchema({
        event_id: z.string().describe('Event id.'),
        html_link: z.string().describe('Link to the event.'),
      }),
      annotations: {
        title: 'Create calendar event (sandbox)',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (args, extra) =>
      runtime.send({
        tool: 'create_event',
        verb: 'create event',
        args,
        idempotencyKey: args.idempotency_key,
        signal: extra.mcpReq.signal,
        recipients: args.attendees?.length
          ? { values: args.attendees, failure: (a) => `400 invalid attendee: ${a}` }
          : undefined,
        validate: () => rangeError(args.start, args.end),
        perform: () => {
          const event_id = randomBytes(13).toString('hex');
          return {
            id: event_id,
            text: `Event created: ${args.title} (${args.start} – ${args.end}, ${args.timeZone}). id: ${event_id}`,
            structured: { event_id, html_link: htmlLink(event_id) },
          };
        },
      }),
  );

  server.registerTool(
    'update_event',
    {
      title: 'Update calendar event (sandbox)',
      description:
        'Changes an existing event: any of title, start, end, time zone, description, location. The resulting start ' +
        'must be before the resulting end. An unknown or deleted event id answers "404 event not found".',
      inputSchema: {
        event_id: eventId,
        title: z.string().min(1).max(1024).optional().describe('New title.'),
        start: instant('start').optional(),
        end: instant('end').optional(),
        timeZone: timeZone.optional(),
        description: z.string().max(8192).optional().describe('New description.'),
        location: z.string().max(1024).optional().describe('New location.'),
      },
      outputSchema: runtime.outputSchema(eventSummary),
      annotations: {
        title: 'Update calendar event (sandbox)',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    async (args, extra) =>
      runtime.send({
        tool: 'update_event',
        verb: 'update event',
        args,
        signal: extra.mcpReq.signal,
        validate: () => {
          const ev = live(args.event_id);
          if (!ev) return NOT_FOUND;
          return rangeError(args.start ?? ev.start, args.end ?? ev.end);
        },
        perform: () => {
          const ev = live(args.event_id)!;
          const next = {
            ...ev,
            ...Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)),
          } as CalendarEvent;
          return {
            id: ev.event_id,
            text: `Event updated: ${next.title} (${next.start} – ${next.end}, ${next.timeZone}). id: ${ev.event_id}`,
            structured: summarize(next),
          };
        },
      }),
  );

  server.registerTool(
    'delete_event',
    {
      title: 'Delete calendar event (sandbox)',
      description: 'Deletes (cancels) an event. An unknown or already deleted event id answers "404 event not found".',
      inputSchema: { event_id: eventId },
      outputSchema: runtime.outputSchema({ event_id: z.string(), deleted: z.literal(true) }),
      annotations: {
        title: 'Delete calendar event (sandbox)',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    async (args, extra) =>
      runtime.send({
        tool: 'delete_event',
        verb: 'delete event',
        args,
        signal: extra.mcpReq.signal,
        validate: () => (live(args.event_id) ? undefined : NOT_FOUND),
        perform: () => ({
          id: args.event_id,
          text: `Event deleted. id: ${args.event_id}`,
          structured: { event_id: args.event_id, deleted: true },
        }),
      }),
  );

  server.registerTool(
    'list_events',
    {
      title: 'List calendar events (sandbox)',
      description:
        'Lists the events (not deleted) that overlap the range [from, to), earliest first. from and to are RFC 3339 ' +
        'date-times with offset; from must be before to.',
      inputSchema: { from: instant('from'), to: instant('to') },
      outputSchema: {
        events: z.array(
          z.object({
            event_id: z.string(),
            title: z.string(),
            start: z.string(),
            end: z.string(),
            timeZone: z.string(),
          }),
        ),
      },
      annotations: {
        title: 'List calendar events (sandbox)',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async ({ from, to }) => {
      const lo = Date.parse(from);
      const hi = Date.parse(to);
      if (!(lo < hi)) {
        return {
          isError: true,
          content: [{ type: 'text', text: `400 invalid range: from (${from}) must be before to (${to})` }],
        };
      }
      const found = [...events.values()]
        .filter((ev) => !ev.deleted && Date.parse(ev.start) < hi && Date.parse(ev.end) > lo)
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
        .map((ev) => ({ event_id: ev.event_id, title: ev.title, start: ev.start, end: ev.end, timeZone: ev.timeZone }));
      return {
        content: [{ type: 'text', text: `${found.length} event(s) between ${from} and ${to}.` }],
        structuredContent: { events: found },
      };
    },
  );

  return { server, runtime, events };
}

if (isEntryPoint(import.meta.url)) {
  void serveStdio(CALENDAR_SERVER_NAME, buildCalendarServer);
}
