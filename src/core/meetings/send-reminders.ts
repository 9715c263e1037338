import { z } from 'zod';
import { HOUR_MS } from '../model/index.js';
import { loadPolicy, type OutreachPolicy } from '../outreach/policy.js';
import { checkSendWindow } from '../policy/index.js';
import type { Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { toZonedIso } from '../time/index.js';
import type { MeetingRow } from './agendamento.js';
import { meetingMessageOutput, queueMeetingMessage } from './meeting-message.js';
import { claimReminder, dueReminders } from './sql/reminders.js';

export const sendRemindersInput = {
  window_hours: z.number().min(1).max(168).default(24).describe('Meetings starting within this many hours'),
  limit: z.number().int().min(1).max(1000).default(200),
};
const item = z.object({
  agendamento_id: z.string(),
  lead_id: z.string(),
  start_local: z.string(),
  result: z
    .enum(['lembrete', 'adiado', 'sem_horario', 'ja_enviado'])
    .describe('adiado: a later run sends it; sem_horario: no send window before the start'),
  reason: z.string().nullable(),
  scheduled_for: z.string().nullable(),
  message: meetingMessageOutput.nullable(),
});
export const sendRemindersOutput = {
  mode: z.enum(['real', 'dry_run']),
  window_hours: z.number(),
  found: z.number(),
  reminders: z.number(),
  deferred: z.number(),
  items: z.array(item),
};
type Item = z.infer<typeof item>;
type Output = Infer<typeof sendRemindersOutput>;

/**
 * One reminder per meeting starting within the next `window_hours`: each meeting is claimed with a
 * conditional UPDATE of lembrete_enviado_em (null → now) in the same transaction that queues the
 * message, so concurrent runs (cron every minute) never remind twice. Outside the lead's send window
 * nothing is claimed: a later run picks it up. With sending off it is a dry run and nothing is claimed.
 * Called by the send_reminders tool and by the `reminders` CLI command.
 */
export async function sendReminders(scope: Scope, input: Infer<typeof sendRemindersInput>): Promise<Output> {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const until = new Date(now.getTime() + input.window_hours * HOUR_MS);
  const { due, policy } = await scope.tx(async (tx) => ({
    policy: await loadPolicy(tx, scope.tenant),
    due: await dueReminders(tx, t, now, until, input.limit),
  }));
  const items: Item[] = [];
  for (const m of due) items.push(await remind(scope, m, now, policy));
  return {
    mode: scope.sending.enabled ? 'real' : 'dry_run',
    window_hours: input.window_hours,
    found: due.length,
    reminders: items.filter((i) => i.result === 'lembrete').length,
    deferred: items.filter((i) => i.result === 'adiado').length,
    items,
  };
}

/** One meeting's reminder, in its own transaction: deferred, or claimed and queued. */
async function remind(scope: Scope, m: MeetingRow, now: Date, policy: OutreachPolicy): Promise<Item> {
  const start = new Date(m.inicio);
  const base = { agendamento_id: m.agendamento_id, lead_id: m.lead_id, start_local: toZonedIso(start, m.timezone) };
  const w = checkSendWindow(now, m.timezone, policy.janela);
  if (!w.inside) {
    const late = !w.next || w.next.getTime() >= start.getTime();
    return {
      ...base,
      result: late ? 'sem_horario' : 'adiado',
      reason: late ? `${w.motivo}; a janela só abre depois do início da reunião` : w.motivo,
      scheduled_for: w.next?.toISOString() ?? null,
      message: null,
    };
  }
  return scope.tx(async (tx): Promise<Item> => {
    if (scope.sending.enabled && !(await claimReminder(tx, scope.tenant.tenant_id, m.agendamento_id, now))) {
      const reason = 'outra execução já enviou este lembrete';
      return { ...base, result: 'ja_enviado', reason, scheduled_for: null, message: null };
    }
    const message = await queueMeetingMessage(tx, scope, { ...m, inicio: start }, 'lembrete', policy);
    return { ...base, result: 'lembrete', reason: null, scheduled_for: null, message };
  });
}
