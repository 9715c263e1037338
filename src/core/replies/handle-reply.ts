import { createHash } from 'node:crypto';
import { z } from 'zod';
import { senderForms } from '../inbound/attribute.js';
import { receiveMessage } from '../inbound/receive-message.js';
import { ATTRIBUTIONS, REPLY_CLASSES, SEND_CHANNELS } from '../model/index.js';
import { normalizeReply } from './normalize-reply.js';
import { isoDateTime, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';

export const handleReplyInput = {
  channel: z.enum(SEND_CHANNELS),
  from: z.string().min(3).max(320).describe('Sender phone/WhatsApp id or e-mail'),
  text: z.string().max(4096),
  received_at: isoDateTime().optional().describe('Default now; never future'),
  message_id: z.string().min(1).max(300).optional().describe('Provider id, if known'),
  in_reply_to: z.string().min(1).max(300).optional().describe('Id of our message it answers'),
};

export const handleReplyOutput = {
  inbound_message_id: z.string(),
  duplicate: z.boolean(),
  lead_id: z.string().nullable().describe('null: unknown sender (recorded anyway)'),
  attribution: z.enum(ATTRIBUTIONS).describe('ambigua: shared destination, nothing moved'),
  class: z.enum(REPLY_CLASSES),
  confidence: z.number(),
  reason: z.string(),
  suggested_action: z.string(),
  lead_status: z.string().nullable(),
  suppressed: z.boolean().describe('true: the sender is on the suppression list now'),
  confirmed_agendamento_id: z.string().nullable().describe("The lead's next meeting, confirmed by this reply"),
};
type HandleReplyInput = Infer<typeof handleReplyInput>;
type HandleReplyOutput = Infer<typeof handleReplyOutput>;

/**
 * A reply pasted by a person: the same path as a webhook or a polled inbox (inbound/receive-message.ts),
 * stored with provider `manual`. Without a provider id the server makes one from the sender, the text
 * and the day it was received, so pasting the same reply twice is one message.
 */
export async function handleReply(scope: Scope, input: HandleReplyInput): Promise<HandleReplyOutput> {
  const now = scope.clock.now();
  const receivedAt = input.received_at ? new Date(input.received_at) : now;
  const providerId = input.message_id ?? pastedId(input, receivedAt);
  const r = await scope.tx((tx) =>
    receiveMessage(
      tx,
      { tenantId: scope.tenant.tenant_id, actor: scope.actorLabel, now, provider: 'manual', eventId: null },
      {
        channel: input.channel,
        providerId,
        from: input.from,
        text: input.text,
        receivedAt,
        replyTo: input.in_reply_to ?? null,
      },
    ),
  );
  const { candidate_lead_ids: _, ...out } = r;
  return out;
}

/** `manual:` + a digest of the canonical sender, the reply's matching form and its day (UTC). */
function pastedId(input: HandleReplyInput, receivedAt: Date): string {
  const who = senderForms(input.channel, input.from, []);
  const key = [
    input.channel,
    who.canonical ?? who.waIds[0],
    normalizeReply(input.text),
    receivedAt.toISOString().slice(0, 10),
  ];
  return `manual:${createHash('sha256').update(key.join('\n')).digest('hex').slice(0, 40)}`;
}
