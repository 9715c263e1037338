import type { DeliveryStatus } from '../../model/index.js';
import { emptyEvent, type ParsedEvent } from './types.js';

const STATUS: Record<string, DeliveryStatus> = {
  sent: 'enviado',
  delivered: 'entregue',
  read: 'lido',
  failed: 'falhou',
  undelivered: 'falhou',
};

/**
 * A Twilio webhook (application/x-www-form-urlencoded): an incoming message (MessageSid, From
 * `whatsapp:+55…`, Body, WaId, OriginalRepliedMessageSid when it quotes one of ours) or a status
 * callback (MessageSid, MessageStatus, ErrorCode). Twilio sends no time: the time we got it is used.
 */
export function parseTwilio(form: URLSearchParams, receivedAt: Date): ParsedEvent {
  const out = emptyEvent();
  const sid = form.get('MessageSid') ?? form.get('SmsSid');
  if (!sid) return { ...out, ignored: 1 };
  const status = form.get('MessageStatus') ?? form.get('SmsStatus');
  const from = form.get('From');
  if (status && status !== 'received' && status !== 'receiving') {
    const s = STATUS[status];
    if (!s) return { ...out, ignored: 1 };
    const code = form.get('ErrorCode');
    out.statuses.push({
      providerId: sid,
      status: s,
      at: receivedAt,
      code: code || null,
      detail: form.get('ErrorMessage') || null,
    });
    return out;
  }
  if (!from) return { ...out, ignored: 1 };
  const email = !from.startsWith('whatsapp:') && from.includes('@');
  const waId = form.get('WaId');
  out.messages.push({
    channel: email ? 'email' : 'whatsapp',
    providerId: sid,
    from,
    fromAlso: waId ? [waId] : [],
    text: form.get('Body') ?? '',
    receivedAt,
    replyTo: form.get('OriginalRepliedMessageSid') || null,
  });
  return out;
}
