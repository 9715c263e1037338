import { z } from 'zod';
import { proposeSlots } from '../app/meeting-slots.js';
import { uuid } from './schemas.js';
import { defineTool } from './define-tool.js';

export const proposeSlotsTool = defineTool({
  name: 'propose_slots',
  title: 'Propose free meeting slots for a lead',
  description:
    "Free slots in the tenant's business hours in the LEAD's time zone, avoiding meetings and the calendar's busy times " +
    '(when it can list events): UTC, local and a pt-BR label to paste in a message. Book one with schedule_meeting.',
  toolset: 'meetings',
  access: 'read',
  input: {
    lead_id: uuid(),
    days: z.number().int().min(1).max(30).default(5).describe('Local days to look at, today included'),
    duration_minutes: z.number().int().min(15).max(240).default(30),
    max_slots: z.number().int().min(1).max(30).default(6),
    per_day: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(2)
      .describe('At most this many per day (spread over morning and afternoon)'),
    step_minutes: z.number().int().min(15).max(120).default(30).describe('Granularity of start times'),
    min_notice_minutes: z.number().int().min(0).max(2880).default(60).describe('Earliest start after now'),
    organizer: z
      .string()
      .max(320)
      .optional()
      .describe("Organiser whose agenda to avoid (default: the tenant's shared agenda)"),
  },
  output: {
    lead_id: z.string(),
    timezone: z.string(),
    slots: z.array(z.object({ inicio: z.string(), fim: z.string(), inicio_local: z.string(), rotulo: z.string() })),
    calendario: z.object({ consultado: z.boolean(), eventos_ocupados: z.number(), motivo: z.string().nullable() }),
    agendamentos_evitados: z.number(),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { deps, signal }) => {
    const r = await proposeSlots(
      deps,
      {
        leadId: args.lead_id,
        days: args.days,
        durationMinutes: args.duration_minutes,
        maxSlots: args.max_slots,
        perDay: args.per_day,
        stepMinutes: args.step_minutes,
        minNoticeMinutes: args.min_notice_minutes,
        organizer: args.organizer,
      },
      signal,
    );
    const lines = r.slots.map((s, i) => `${i + 1}. ${s.rotulo} — ${s.inicio_local}`);
    const cal = r.calendario.consultado
      ? `calendar consulted (${r.calendario.eventos_ocupados} busy)`
      : `calendar not consulted: ${r.calendario.motivo}`;
    return {
      data: r,
      text: r.slots.length
        ? `${r.slots.length} free slot(s) in ${r.timezone}; ${cal}.\n${lines.join('\n')}`
        : `No free slot in the next ${args.days} day(s); ${cal}.`,
    };
  },
});
