/**
 * What a provider's failure code reported after acceptance means, in the executor's terms (the same
 * meanings src/channels/readers.ts gives the same codes at send time): the destination is
 * permanently bad (→ the phone is marked invalid and the e-mail version queued, as for a refusal at
 * send time), or the person stopped such messages (→ the destination is suppressed). Other codes are
 * recorded on the disparo and change nothing else.
 */
const DESTINATION_INVALID = new Set([
  // WhatsApp Cloud API
  '131026', // Message undeliverable (not a WhatsApp user, old app, …)
  '131021', // Recipient cannot be sender
  '131030', // Recipient phone number not in allowed list
  // Twilio (WhatsApp and SMS)
  '63003', // Channel could not find To address (not a WhatsApp user)
  '63024', // Invalid message recipient
  '21211', // Invalid 'To' phone number
  '21614', // 'To' number is not a valid mobile number
  '30005', // Unknown destination handset
  '30006', // Landline or unreachable carrier
]);

const STOPPED = new Set([
  '131050', // WhatsApp: the user stopped marketing messages from this business
  '21610', // Twilio: the recipient unsubscribed (replied STOP)
]);

export type FailureMeaning = 'destino_invalido' | 'parou' | 'outro';

/** @example failureMeaning('131026') // 'destino_invalido' */
export function failureMeaning(code: string | null): FailureMeaning {
  if (!code) return 'outro';
  if (DESTINATION_INVALID.has(code)) return 'destino_invalido';
  if (STOPPED.has(code)) return 'parou';
  return 'outro';
}
