import type { DeliveryStatus } from '../../model/index.js';
import { emptyEvent, obj, str, unixTime, type ParsedEvent } from './types.js';

/** WAHA's ack numbers: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED. */
const ACK: Record<string, DeliveryStatus> = {
  '-1': 'falhou',
  '1': 'enviado',
  '2': 'entregue',
  '3': 'lido',
  '4': 'lido',
};

/**
 * A WAHA webhook envelope `{id, timestamp, event, session, me, payload}`: `message` (payload.id,
 * from `5531…@c.us`, body, timestamp in seconds, fromMe, replyTo.id) and `message.ack` (payload.id,
 * ack). `message.any` repeats `message` plus our own sends, so only `message` is read.
 */
export function parseWaha(body: unknown, fallbackTime: Date): ParsedEvent {
  const out = emptyEvent();
  const e = obj(body);
  const p = obj(e.payload);
  const id = str(p.id);
  if (e.event === 'message' && id && p.fromMe !== true) {
    const from = str(p.from);
    if (!from || from.endsWith('@g.us')) return { ...out, ignored: 1 };
    out.messages.push({
      channel: 'whatsapp',
      providerId: id,
      from,
      text: str(p.body) ?? '',
      receivedAt: unixTime(p.timestamp) ?? unixTime(e.timestamp) ?? fallbackTime,
      replyTo: str(obj(p.replyTo).id),
    });
    return out;
  }
  if (e.event === 'message.ack' && id) {
    const s = ACK[String(p.ack)];
    if (!s) return { ...out, ignored: 1 };
    out.statuses.push({
      providerId: id,
      status: s,
      at: unixTime(e.timestamp) ?? fallbackTime,
      code: s === 'falhou' ? String(p.ackName ?? 'ERROR') : null,
      detail: null,
    });
    return out;
  }
  return { ...out, ignored: 1 };
}
