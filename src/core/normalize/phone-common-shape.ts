import type { NormalizedPhone } from './phone.js';
import { SHARED_COST_SUBSCRIBER } from './phone-patterns.js';
import { VALID_DDDS } from './timezone.js';

/**
 * "(11) 98765-4321", "(11) 3456-7890", "11987654321", "11 8765-4321": an optional "(DD)" and 10 or 11
 * digits in groups separated by single spaces or dashes, with a valid DDD. Nearly every phone cell
 * looks like this, and for these the general path comes down to "mobile", "landline" or "old mobile,
 * repaired" after a dozen regex passes (no label, extension, float/scientific artefact, prefix,
 * trunk or carrier code can be there); this decides them in one scan, with the same result object.
 * null → the general path (any other shape, DDD or first digit, and the 4004-style numbers).
 */
export function commonShape(raw: string): NormalizedPhone | null {
  if (typeof raw !== 'string') return null;
  const n = raw.length;
  let i = 0;
  if (raw.charCodeAt(0) === 0x28 /* ( */) {
    if (n < 4 || !isDigitCode(raw.charCodeAt(1)) || !isDigitCode(raw.charCodeAt(2)) || raw.charCodeAt(3) !== 0x29)
      return null;
    i = raw.charCodeAt(4) === 0x20 ? 5 : 4;
  }
  let afterSeparator = true; // no separator first, none twice in a row, none last
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (isDigitCode(c)) afterSeparator = false;
    else if ((c === 0x20 || c === 0x2d) /* space, - */ && !afterSeparator) afterSeparator = true;
    else return null;
  }
  if (afterSeparator) return null;
  const nsn = raw.replace(/\D/g, '');
  if (nsn.length !== 10 && nsn.length !== 11) return null;
  const ddd = nsn.slice(0, 2);
  if (!VALID_DDDS.has(ddd)) return null;
  const first = nsn.charCodeAt(2);
  if (nsn.length === 11) return first === 0x39 /* 9 */ ? commonResult(raw, nsn, ddd, false) : null;
  if (SHARED_COST_SUBSCRIBER.test(nsn.slice(2))) return null;
  if (first >= 0x32 /* 2 */ && first <= 0x35 /* 5 */) {
    return {
      numero_original: raw,
      numero_e164: `+55${nsn}`,
      tipo: 'fixo',
      ddd,
      valido_para_disparo: false,
      motivo_invalido: 'telefone fixo não recebe WhatsApp',
      reparado: false,
    };
  }
  if (first >= 0x36 /* 6 */) return commonResult(raw, `${ddd}9${nsn.slice(2)}`, ddd, true);
  return null;
}

/** A dispatchable mobile, as result() builds it. */
function commonResult(original: string, nsn: string, ddd: string, reparado: boolean): NormalizedPhone {
  return {
    numero_original: original,
    numero_e164: `+55${nsn}`,
    tipo: 'movel',
    ddd,
    valido_para_disparo: true,
    motivo_invalido: null,
    reparado,
  };
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
