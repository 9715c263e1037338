import type { DeliveryStatus } from '../../model/index.js';
import { arr, emptyEvent, obj, str, unixTime, type ParsedEvent } from './types.js';

const STATUS: Record<string, DeliveryStatus> = {
  ERROR: 'falhou',
  SERVER_ACK: 'enviado',
  DELIVERY_ACK: 'entregue',
  READ: 'lido',
  PLAYED: 'lido',
};

/**
 * An Evolution API webhook `{event, instance, data, date_time, sender, apikey}`: `messages.upsert`
 * (data.key {remoteJid, fromMe, id}, data.message.conversation or extendedTextMessage {text,
 * contextInfo.stanzaId}, messageTimestamp) and `messages.update` (data.keyId or data.key.id, status).
 */
export function parseEvolution(body: unknown, fallbackTime: Date): ParsedEvent {
  const out = emptyEvent();
  const e = obj(body);
  const event = String(e.event ?? '')
    .toLowerCase()
    .replace(/_/g, '.');
  const items = Array.isArray(e.data) ? arr(e.data).map(obj) : [obj(e.data)];
  for (const d of items) {
    const key = obj(d.key);
    if (event === 'messages.upsert') {
      const from = str(key.remoteJid);
      const id = str(key.id);
      const msg = obj(d.message);
      const ext = obj(msg.extendedTextMessage);
      const text = str(msg.conversation) ?? str(ext.text);
      if (!from || !id || key.fromMe === true || from.endsWith('@g.us') || text === null) {
        out.ignored++;
        continue;
      }
      out.messages.push({
        channel: 'whatsapp',
        providerId: id,
        from,
        fromAlso: [str(key.senderPn), str(d.senderPn)].filter((x): x is string => !!x),
        text,
        receivedAt: unixTime(d.messageTimestamp) ?? fallbackTime,
        replyTo: str(obj(ext.contextInfo).stanzaId) ?? str(obj(d.contextInfo).stanzaId),
      });
    } else if (event === 'messages.update') {
      const id = str(d.keyId) ?? str(key.id);
      const s = STATUS[String(d.status)];
      if (!id || !s) {
        out.ignored++;
        continue;
      }
      out.statuses.push({
        providerId: id,
        status: s,
        at: unixTime(d.timestamp) ?? (str(e.date_time) ? new Date(String(e.date_time)) : fallbackTime),
        code: s === 'falhou' ? 'ERROR' : null,
        detail: null,
      });
    } else out.ignored++;
  }
  return out;
}
