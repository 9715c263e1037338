/** Reading a stored or reported number back: its DDD, and the forms WhatsApp may report it in. */
import { VALID_DDDS } from './timezone.js';

function brNational(e164: string): string | null {
  // Accepts "+5511…", "5511…" and WhatsApp JIDs ("5511…@s.whatsapp.net", "5511…:3@…").
  const digits = String(e164 ?? '')
    .split(/[@:]/)[0]
    .replace(/\D/g, '');
  if (!digits.startsWith('55')) return null;
  const nsn = digits.slice(2);
  if (nsn.length !== 10 && nsn.length !== 11) return null;
  return VALID_DDDS.has(nsn.slice(0, 2)) ? nsn : null;
}

/**
 * DDD of a Brazilian geographic number, or null (foreign, 0800, malformed…).
 *
 * @example dddOf('+5511987654321') // '11'
 * @example dddOf('+14155552671')   // null
 */
export function dddOf(e164: string): string | null {
  const nsn = brNational(e164);
  return nsn ? nsn.slice(0, 2) : null;
}

/**
 * Forms under which a number may come back from WhatsApp. Accounts created before the ninth
 * digit still report the old 8-digit number, so a BR mobile matches with and without the 9.
 * The given form comes first; non-BR or non-mobile numbers return just themselves.
 *
 * @example phoneVariants('+5511987654321') // ['+5511987654321', '+551187654321']
 * @example phoneVariants('+551187654321')  // ['+551187654321', '+5511987654321']
 */
export function phoneVariants(e164: string): string[] {
  const digits = String(e164 ?? '')
    .split(/[@:]/)[0]
    .replace(/\D/g, '');
  if (digits === '') return [];
  const self = `+${digits}`;
  const nsn = brNational(e164);
  if (!nsn) return [self];
  const ddd = nsn.slice(0, 2);
  const sub = nsn.slice(2);
  if (sub.length === 9 && sub[0] === '9') return [self, `+55${ddd}${sub.slice(1)}`];
  if (sub.length === 8 && sub[0] >= '6') return [self, `+55${ddd}9${sub}`];
  return [self];
}
