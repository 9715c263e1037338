import { z } from 'zod';
import { sendReminders } from '../app/reminders.js';
import { defineTool } from './define-tool.js';
import { MeetingMessageSchema } from './meeting-schemas.js';

export const sendRemindersTool = defineTool({
  name: 'send_reminders',
  title: 'Send meeting reminders',
  description:
    'Queues one reminder per meeting starting within window_hours — never twice, even concurrently (cron-safe); deferred ' +
    'outside the lead\'s send window. Dry run unless MICRO_AGENT_DISPARO_ENABLED="true".',
  toolset: 'meetings',
  access: 'send',
  input: {
    window_hours: z.number().min(1).max(168).default(24).describe('Meetings starting within this many hours'),
    limit: z.number().int().min(1).max(1000).default(200),
  },
  output: {
    modo: z.enum(['real', 'dry_run']),
    janela_horas: z.number(),
    encontrados: z.number(),
    lembretes: z.number(),
    adiados: z.number(),
    itens: z.array(
      z.object({
        agendamento_id: z.string(),
        lead_id: z.string(),
        inicio_local: z.string(),
        resultado: z.enum(['lembrete', 'adiado', 'sem_horario', 'ja_enviado']),
        motivo: z.string().nullable(),
        previsto_para: z.string().nullable(),
        mensagem: MeetingMessageSchema.nullable(),
      }),
    ),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { deps }) => {
    const r = await sendReminders(deps, { windowHours: args.window_hours, limit: args.limit });
    const head = r.modo === 'dry_run' ? 'DRY RUN (nothing sent): ' : '';
    return {
      data: r,
      text: `${head}${r.encontrados} meeting(s) within ${r.janela_horas} h: ${r.lembretes} reminder(s), ${r.adiados} deferred to the send window.`,
    };
  },
});
