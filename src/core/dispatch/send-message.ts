import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, notFound } from '../errors.js';
import { CAMPAIGN_MODES, DECIDED_CHANNELS } from '../model/index.js';
import { loadDecisionContext } from '../outreach/decision-context.js';
import { decide, writeDryRunLog } from '../outreach/decide.js';
import { maskDestination, renderDecision } from '../outreach/preview.js';
import { uuid, type Infer } from '../schemas.js';
import { describeFlag, type Scope } from '../scope.js';
import { sendOne } from './send-one.js';

export const sendMessageInput = {
  lead_id: uuid(),
  template: z.string().max(100).optional().describe("Template id (default: the channel's collections template)"),
  idempotency_key: z.string().min(8).max(200).optional().describe('Same key → never sent twice'),
};

export const sendMessageOutput = {
  sent: z.boolean().describe('true only if a message really left through the channel'),
  mode: z.enum(CAMPAIGN_MODES),
  lead_id: z.string(),
  channel: z.enum(DECIDED_CHANNELS),
  destination: z.string().nullable(),
  template: z.string().nullable(),
  status: z.string().describe('dry_run | bloqueado | adiado | enviado | falhou | incerto | pendente'),
  reason: z.string(),
  message: z.string().nullable(),
  dry_run_batch_id: z.string().nullable(),
  disparo_id: z.string().nullable(),
  message_id: z.string().nullable(),
};
export type SendMessageOutput = Infer<typeof sendMessageOutput>;

/**
 * One template message to one lead on its decided channel, after every gate. Sends only when sending
 * is on (MICRO_AGENT_DISPARO_ENABLED exactly "true"): then the message is queued (idempotent on the
 * key) and the answer is its outcome from the executor. Otherwise the same decision is recorded as a
 * dry run and nothing reaches a channel.
 */
export async function sendMessage(scope: Scope, input: Infer<typeof sendMessageInput>): Promise<SendMessageOutput> {
  if (!scope.sending.enabled) return rehearseMessage(scope, input);
  if (!scope.channels)
    throw new AppError(
      'unavailable',
      'Sending is on but no channel layer is running in this process (check get_status channels).',
    );
  return sendOne(scope, input);
}

/** Sending is off: the decision and the rendered message, recorded in dry_run_log; no channel is touched. */
async function rehearseMessage(scope: Scope, input: Infer<typeof sendMessageInput>): Promise<SendMessageOutput> {
  const choice = input.template ? { whatsapp: input.template, email: input.template } : {};
  const { d, batchId, preview } = await scope.tx(async (tx) => {
    const ctx = await loadDecisionContext(tx, scope, choice);
    const [d] = await decide(tx, ctx, { leadIds: [input.lead_id] });
    if (!d) throw notFound('Lead', input.lead_id);
    const batchId = randomUUID();
    await writeDryRunLog(tx, ctx, { leadIds: [input.lead_id] }, batchId);
    return { d, batchId, preview: renderDecision(d, ctx) };
  });
  const flag = describeFlag(scope.sending);
  const reason = d.seria_enviado_agora
    ? `Dry run: would send now via ${d.canal}. Nothing was sent because MICRO_AGENT_DISPARO_ENABLED is ${flag}, ` +
      'not "true".'
    : `Dry run: would not send now — ${d.codigo_bloqueio}: ${d.razao_bloqueio}. Nothing was sent ` +
      `(MICRO_AGENT_DISPARO_ENABLED is ${flag}).`;
  return {
    sent: false,
    mode: 'dry_run',
    lead_id: d.lead_id,
    channel: d.canal,
    destination: maskDestination(d.canal, d),
    template: d.template,
    status: d.seria_enviado_agora ? 'dry_run' : d.previsto_para ? 'adiado' : 'bloqueado',
    reason,
    message: preview.text,
    dry_run_batch_id: batchId,
    disparo_id: null,
    message_id: null,
  };
}
