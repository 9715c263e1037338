import type { InboundProvider } from '../../model/index.js';
import { parseEvolution } from './evolution.js';
import { parseTwilio } from './twilio.js';
import type { ParsedEvent } from './types.js';
import { parseWaha } from './waha.js';
import { parseWhatsAppCloud } from './whatsapp-cloud.js';

export type { InboundMessage, InboundStatus, ParsedEvent } from './types.js';

/**
 * A stored raw event read into messages and statuses, by its provider. `receivedAt` (when we stored
 * it) stands in for a time the payload does not carry. Throws on a body that is not what the provider
 * sends (not JSON, for a JSON provider): the event is kept with the error, for a person to look at.
 */
export function parseEvent(provider: InboundProvider, body: string, receivedAt: Date): ParsedEvent {
  switch (provider) {
    case 'twilio':
      return parseTwilio(new URLSearchParams(body), receivedAt);
    case 'whatsapp_cloud':
      return parseWhatsAppCloud(JSON.parse(body), receivedAt);
    case 'waha':
      return parseWaha(JSON.parse(body), receivedAt);
    case 'evolution':
      return parseEvolution(JSON.parse(body), receivedAt);
    default:
      return parseStored(JSON.parse(body) as ParsedEvent, receivedAt);
  }
}

/** A ParsedEvent stored as JSON (polled, pasted): its times back to Dates (unreadable: when stored). */
function parseStored(e: ParsedEvent, receivedAt: Date): ParsedEvent {
  const time = (v: unknown) => {
    const t = typeof v === 'string' || typeof v === 'number' ? new Date(v) : null;
    return t && !Number.isNaN(t.getTime()) ? t : receivedAt;
  };
  return {
    messages: (e.messages ?? []).map((m) => ({ ...m, receivedAt: time(m.receivedAt) })),
    statuses: (e.statuses ?? []).map((s) => ({ ...s, at: time(s.at) })),
    ignored: e.ignored ?? 0,
  };
}
