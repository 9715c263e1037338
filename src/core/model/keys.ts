import { createHash } from 'node:crypto';

/**
 * Idempotency keys: the same intent always makes the same key, so a repeated call, a re-run campaign
 * or a retried downstream call never does the thing twice. disparos.idempotency_key is unique per
 * tenant; calendar keys go to the downstream server when it honours them.
 */
const sha = (s: string, hexChars: number) => createHash('sha256').update(s).digest('hex').slice(0, hexChars);

/**
 * One campaign message: the same lead, template and campaign key → the same key.
 * @example disparoKey(t, lead, 'cobranca_padrao_whatsapp', 'nov-2026') // 'd:3f9c…' (48 hex)
 */
export const disparoKey = (tenantId: string, leadId: string, template: string, campaignKey: string): string =>
  'd:' + sha(`${tenantId}|${leadId}|${template}|${campaignKey}`, 48);

/** send_message with a caller's key: the caller's key, namespaced so it cannot collide with ours. */
export const callerKey = (key: string): string => `k:${key}`;

/** The e-mail that replaces a WhatsApp message whose number was refused permanently. */
export const fallbackKey = (originalKey: string): string => `${originalKey}:email`;

/** A campaign started without a key: the same target and templates on the same day → the same campaign. */
export const derivedCampaignKey = (target: unknown, templates: unknown, day: string): string =>
  sha(JSON.stringify([target, templates, day]), 32);

/** A meeting's confirmation or reminder, for the meeting at that start (a rescheduled meeting gets new ones). */
export const meetingMessageKey = (agendamentoId: string, kind: 'confirmacao' | 'lembrete', start: Date): string =>
  `ag:${agendamentoId}:${kind}:${start.toISOString()}`;

/** The calendar event of a meeting (create). */
export const calendarCreateKey = (agendamentoId: string): string => `ag:${agendamentoId}`;

/** Moving a meeting's calendar event to a new start. */
export const calendarMoveKey = (agendamentoId: string, start: Date): string =>
  `ag:${agendamentoId}:${start.toISOString()}`;
