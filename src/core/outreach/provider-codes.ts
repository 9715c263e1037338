import type { RefusalReason } from './channel-port.js';

/**
 * Providers' error codes by meaning: the one table both readers of them use — the send-time readers
 * (src/channels/readers.ts: a refusal in the downstream answer) and the delivery statuses reported
 * after acceptance (core/inbound/failure-codes.ts: a webhook's or a poll's `failed` with its code).
 * A code means the same thing whenever it arrives.
 */

/** Twilio (https://www.twilio.com/docs/api/errors), WhatsApp and SMS. */
export const TWILIO_CODES: Readonly<Record<string, RefusalReason>> = {
  '21211': 'bad_destination', // Invalid 'To' Phone Number
  '21217': 'bad_destination', // Phone number does not appear to be valid
  '21401': 'bad_destination', // Invalid Phone Number
  '21407': 'bad_destination', // This Phone Number type does not support SMS or MMS
  '21421': 'bad_destination', // PhoneNumber is invalid
  '21612': 'bad_destination', // The 'To' phone number is not currently reachable via SMS
  '21614': 'bad_destination', // 'To' number is not a valid mobile number
  '63024': 'bad_destination', // Invalid message recipient
  '30005': 'bad_destination', // Unknown destination handset (after acceptance)
  '30006': 'bad_destination', // Landline or unreachable carrier (after acceptance)
  '63003': 'not_whatsapp_user', // Channel could not find To address
  '63016': 'template_refused', // Outside the 24 h window: only an approved template may go
  '63027': 'template_refused', // Template does not exist for a language and locale
  '63028': 'template_refused', // Number of parameters does not match the template
  '63030': 'template_refused', // Unsupported parameter for type of channels message
  '63005': 'template_refused', // Channel did not accept given content
  '63041': 'template_refused', // Template paused by WhatsApp (low quality)
  '63042': 'template_refused', // Template disabled by WhatsApp
  '63049': 'refused', // Meta chose not to deliver this marketing message (ecosystem health)
  '21656': 'template_refused', // The ContentVariables parameter is invalid
  '21655': 'template_refused', // The ContentSid is invalid (unknown, deleted, another account's)
  '21654': 'template_refused', // ContentSid required (ContentVariables without it)
  '21610': 'opted_out', // Attempt to send to unsubscribed recipient (replied STOP)
  '20003': 'auth', // Authenticate
  '20005': 'auth', // Account not active
  '20403': 'auth', // Forbidden
  '63007': 'auth', // Twilio could not find a Channel with the specified From address
  '20429': 'rate_limited', // Too Many Requests
  '14107': 'rate_limited', // Message rate limit exceeded
  '63018': 'rate_limited', // Rate limit exceeded for channel
  '20500': 'server_error', // Internal Server Error
  '20503': 'server_error', // Service Unavailable
};

/** WhatsApp Cloud API (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). */
export const WHATSAPP_CLOUD_CODES: Readonly<Record<string, RefusalReason>> = {
  '131026': 'not_whatsapp_user', // Message undeliverable (not a WhatsApp user, old app, …)
  '131021': 'bad_destination', // Recipient cannot be sender
  '131030': 'bad_destination', // Recipient phone number not in allowed list
  '131050': 'refused', // The user stopped marketing messages from this business (only marketing: see actions)
  '131049': 'refused', // Not delivered to keep the ecosystem healthy (retry later)
  '131048': 'rate_limited', // Spam rate limit hit
  '131047': 'template_refused', // Re-engagement message: more than 24 h since the last reply
  '132015': 'template_refused', // Template is paused (low quality)
  '132016': 'template_refused', // Template is disabled
  '130429': 'rate_limited', // Rate limit hit
  '131056': 'rate_limited', // Pair rate limit hit
};

/** What a provider's code means, from whichever provider uses it (null: not one we know). */
export function providerCodeReason(code: string | number | null | undefined): RefusalReason | null {
  if (code === null || code === undefined) return null;
  const c = String(code).trim();
  return TWILIO_CODES[c] ?? WHATSAPP_CLOUD_CODES[c] ?? null;
}

/**
 * What to do about a provider's code: the one table of next steps (issue 16), executed where send
 * outcomes are recorded (dispatch/record.ts, classify.ts) and where delivery statuses arrive
 * (inbound/apply-status.ts) — core/outreach/provider-actions.ts.
 * - retry: try again after delaysH[attempt] hours (131049: Meta held it for ecosystem health);
 * - not_on_whatsapp: mark the phone not sendable on WhatsApp and fall back to e-mail (dispatch/fallback.ts);
 * - suppress_marketing: the person stopped marketing from us: no marketing template to that phone ever
 *   again, never retried (utility messages still go);
 * - slow_channel: the channel is over a platform limit: slow it (slowChannel: the channel's next send slot moves for every worker);
 * - pause_template: the template's approval changed (paused / disabled): no more sends with it;
 * - needs_template: outside the 24-hour window free text is refused: only an approved template may go.
 */
export type ProviderAction =
  | { kind: 'retry'; delaysH: readonly number[] }
  | { kind: 'not_on_whatsapp' }
  | { kind: 'suppress_marketing' }
  | { kind: 'slow_channel'; seconds: number }
  | { kind: 'pause_template'; status: 'paused' | 'disabled' }
  | { kind: 'needs_template' };

const NOT_ON_WHATSAPP: ProviderAction = { kind: 'not_on_whatsapp' };
const NEEDS_TEMPLATE: ProviderAction = { kind: 'needs_template' };

export const PROVIDER_ACTIONS: Readonly<Record<string, ProviderAction>> = {
  '131049': { kind: 'retry', delaysH: [12, 24, 48] },
  '63049': { kind: 'retry', delaysH: [12, 24, 48] },
  '131026': NOT_ON_WHATSAPP,
  '63024': NOT_ON_WHATSAPP,
  '63003': NOT_ON_WHATSAPP,
  '131050': { kind: 'suppress_marketing' },
  '131048': { kind: 'slow_channel', seconds: 60 },
  '130429': { kind: 'slow_channel', seconds: 60 },
  '63018': { kind: 'slow_channel', seconds: 60 },
  '132015': { kind: 'pause_template', status: 'paused' },
  '63041': { kind: 'pause_template', status: 'paused' },
  '132016': { kind: 'pause_template', status: 'disabled' },
  '63042': { kind: 'pause_template', status: 'disabled' },
  '131047': NEEDS_TEMPLATE,
  '63016': NEEDS_TEMPLATE,
};

/** The next step a provider's code asks for (null: none beyond its reason). */
export function providerAction(code: string | number | null | undefined): ProviderAction | null {
  if (code === null || code === undefined) return null;
  return PROVIDER_ACTIONS[String(code).trim()] ?? null;
}
