/**
 * Sandbox calendar MCP server: create / update / delete / list events. The calendar's state
 * (calendar-book.ts) is the replay of its record file (SANDBOX_RECORD), so events survive a restart.
 * create_event, update_event and delete_event are the mutating calls (recorded, subject to the fault
 * knobs; message_id in the record is the event id); only create_event takes an idempotency key.
 * SANDBOX_FAIL_RECIPIENTS applies to attendees ("400 invalid attendee: <address>"). See ./common.ts.
 */
import { randomBytes } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { CalendarBook, htmlLink, summarize, type CalendarEvent } from './calendar-book.js';
import {
  createSandboxServer,
  idempotencyKeyField,
  isEntryPoint,
  SandboxRuntime,
  serveStdio,
  type SandboxConfig,
} from './common.js';

export const CALENDAR_SERVER_NAME = 'sandbox-calendar';

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

function rangeError(start: string, end: string): string | undefined {
  if (Date.parse(start) < Date.parse(end)) return undefined;
  return `400 invalid time range: start (${start}) must be before end (${end})`;
}

const NOT_FOUND = '404 event not found';

export function buildCalendarServer(config: SandboxConfig) {
  const book = new CalendarBook();
  const runtime = new SandboxRuntime({ name: CALENDAR_SERVER_NAME, config, apply: (line) => book.apply(line) });
  const server = createSandboxServer(
    CALENDAR_SERVER_NAME,
    'Offline sandbox of a calendar. Events are kept in a local file; nobody is invited for real.',
  );
  registerCreateEvent(server, runtime);
  registerUpdateEvent(server, runtime, book);
  registerDeleteEvent(server, runtime, book);
  registerListEvents(server, book);
  return { server, runtime, events: book.events };
}

function registerCreateEvent(server: McpServer, runtime: SandboxRuntime): void {
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
}

function registerUpdateEvent(server: McpServer, runtime: SandboxRuntime, book: CalendarBook): void {
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
          const ev = book.live(args.event_id);
          if (!ev) return NOT_FOUND;
          return rangeError(args.start ?? ev.start, args.end ?? ev.end);
        },
        perform: () => {
          const ev = book.live(args.event_id)!;
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
}

function registerDeleteEvent(server: McpServer, runtime: SandboxRuntime, book: CalendarBook): void {
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
        validate: () => (book.live(args.event_id) ? undefined : NOT_FOUND),
        perform: () => ({
          id: args.event_id,
          text: `Event deleted. id: ${args.event_id}`,
          structured: { event_id: args.event_id, deleted: true },
        }),
      }),
  );
}

function registerListEvents(server: McpServer, book: CalendarBook): void {
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
      const found = book
        .overlapping(lo, hi)
        .map((ev) => ({ event_id: ev.event_id, title: ev.title, start: ev.start, end: ev.end, timeZone: ev.timeZone }));
      return {
        content: [{ type: 'text', text: `${found.length} event(s) between ${from} and ${to}.` }],
        structuredContent: { events: found },
      };
    },
  );
}

if (isEntryPoint(import.meta.url)) {
  void serveStdio(CALENDAR_SERVER_NAME, buildCalendarServer);
}
