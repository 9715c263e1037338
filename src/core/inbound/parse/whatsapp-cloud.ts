import type { DeliveryStatus } from '../../model/index.js';
import { arr, emptyEvent, obj, str, unixTime, type ParsedEvent } from './types.js';

const STATUS: Record<string, DeliveryStatus> = {
  sent: 'enviado',
  delivered: 'entregue',
  read: 'lido',
  failed: 'falhou',
};

/**
 * A WhatsApp Cloud API webhook (`object: whatsapp_business_account`): `entry[].changes[].value` with
 * `messages[]` (from, id, timestamp, type, text.body / button.text / interactive reply title,
 * context.id when it answers one of ours) and `statuses[]` (id, status, timestamp, errors[].code).
 * The sender's other ids come from `contacts[]` (wa_id; user_id, the business-scoped user id, when
 * Meta sends one).
 */
export function parseWhatsAppCloud(body: unknown, fallbackTime: Date): ParsedEvent {
  const out = emptyEvent();
  for (const entry of arr(obj(body).entry)) {
    for (const change of arr(obj(entry).changes)) {
      const value = obj(obj(change).value);
      const contacts = arr(value.contacts).map(obj);
      for (const raw of arr(value.messages)) {
        const m = obj(raw);
        const from = str(m.from) ?? str(m.from_user_id);
        const id = str(m.id);
        const text = messageText(m);
        if (!from || !id || text === null) {
          out.ignored++;
          continue;
        }
        const contact = contacts.find((c) => c.wa_id === from) ?? contacts[0] ?? {};
        out.messages.push({
          channel: 'whatsapp',
          providerId: id,
          from,
          fromAlso: [str(contact.wa_id), str(contact.user_id), str(m.from_user_id)].filter(
            (x): x is string => !!x && x !== from,
          ),
          text,
          receivedAt: unixTime(m.timestamp) ?? fallbackTime,
          replyTo: str(obj(m.context).id),
        });
      }
      for (const raw of arr(value.statuses)) {
        const s = obj(raw);
        const status = STATUS[String(s.status)];
        const id = str(s.id);
        if (!status || !id) {
          out.ignored++;
          continue;
        }
        const err = obj(arr(s.errors)[0]);
        out.statuses.push({
          providerId: id,
          status,
          at: unixTime(s.timestamp) ?? fallbackTime,
          code: err.code === undefined ? null : String(err.code),
          detail: str(err.title) ?? str(err.message),
        });
      }
    }
  }
  return out;
}

/** The words of a message a person typed or tapped; null for media without a caption, reactions… */
function messageText(m: Record<string, unknown>): string | null {
  return (
    str(obj(m.text).body) ??
    str(obj(m.button).text) ??
    str(obj(obj(m.interactive).button_reply).title) ??
    str(obj(obj(m.interactive).list_reply).title) ??
    str(obj(m.image).caption) ??
    str(obj(m.document).caption) ??
    null
  );
}
