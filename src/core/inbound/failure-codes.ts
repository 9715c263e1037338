import { providerCodeReason } from '../outreach/provider-codes.js';

/**
 * What a provider's failure code reported after acceptance means, in the executor's terms — from the
 * same table the send-time readers use (core/outreach/provider-codes.ts), so a code means one thing
 * whenever it arrives: the destination is permanently bad (not a WhatsApp user, invalid number → the
 * phone is marked invalid and the e-mail version queued, as for a refusal at send time), or the person
 * stopped such messages (→ the destination is suppressed). Other codes are recorded on the disparo
 * and change nothing else.
 */
export type FailureMeaning = 'destino_invalido' | 'parou' | 'outro';

/** @example failureMeaning('131026') // 'destino_invalido' */
export function failureMeaning(code: string | null): FailureMeaning {
  const reason = providerCodeReason(code);
  if (reason === 'bad_destination' || reason === 'not_whatsapp_user') return 'destino_invalido';
  if (reason === 'opted_out') return 'parou';
  return 'outro';
}
