import type { DeliveryStatus, SendChannel } from '../../model/index.js';

/** One inbound message, as every provider's payload is read into it. */
export interface InboundMessage {
  channel: SendChannel;
  /** The provider's id of this message (wamid, MessageSid, WAHA/Evolution id, e-mail Message-ID). */
  providerId: string;
  /** The sender as the provider wrote it (digits, `whatsapp:+55…`, `…@c.us`, an e-mail address). */
  from: string;
  /** Other ids of the same sender the payload carries (a BSUID, a profile wa_id). */
  fromAlso?: string[];
  text: string;
  /** When the provider says it was sent or received (not when we got it). */
  receivedAt: Date;
  /** The id of the message it answers (WhatsApp context.id, In-Reply-To), when the payload has one. */
  replyTo: string | null;
  /** E-mail References: the ids of the thread it belongs to, oldest first (tried after replyTo). */
  references?: string[];
}

/** One delivery status of one of our messages. */
export interface InboundStatus {
  /** The provider's id of OUR message (the one disparos.message_id_externo holds). */
  providerId: string;
  status: DeliveryStatus;
  at: Date;
  /** The provider's failure code (131026, 63024, …), when it failed. */
  code: string | null;
  detail: string | null;
}

/** What one raw event holds; `ignored` counts entries that are neither (our own echoes, reactions…). */
export interface ParsedEvent {
  messages: InboundMessage[];
  statuses: InboundStatus[];
  ignored: number;
}

export const emptyEvent = (): ParsedEvent => ({ messages: [], statuses: [], ignored: 0 });

/** A Unix time in seconds or milliseconds (number or numeric string) as a Date; null when unreadable. */
export function unixTime(v: unknown): Date | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n < 1e12 ? n * 1000 : n);
}

export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
