/** What phone cells hold besides the number, as patterns (phone.ts, phone-split.ts). */

// Long-distance carrier codes ("código de seleção de prestadora") from libphonenumber's BR
// metadata: "0 15 11 98765-4321" dials DDD 11 through carrier 15.
export const CARRIER_CODES = /^(?:1[245]|2[1-35]|31|4[13]|[56]5|99)$/;
// Nationwide shared-cost numbers ("números únicos") people sometimes write after a DDD.
export const SHARED_COST_SUBSCRIBER = /^(?:300\d|400\d|4020)\d{4}$/;
export const LABEL_WORDS =
  'telefones?|tel|fones?|celular(?:es)?|cel|cell|fixo|whats ?app|whats|wpp|zap|contatos?|' +
  'comercial|residencial|pessoal|principal|recados?|outro|alternativo|fax|mobile|phone';
/** Labels anywhere in a phone string ("Cel:", "WhatsApp", "Tel."). Numbers have no letters, so this is safe. */
export const LABEL = new RegExp(`(?<![\\p{L}])(?:${LABEL_WORDS})(?![\\p{L}])\\.?\\s*:?`, 'giu');
/** Short labels only count with a colon ("Com: …"), otherwise "falar com João" would split. */
export const SHORT_LABEL = /(?<![\p{L}])(?:com|res|nr|num|n[º°o])\.?\s*:/giu;
/** Only digits, spaces and the punctuation of a single number: nothing to split or strip. */
export const SIMPLE_PHONE = /^[\d()+\-. ]+$/;
/** Trailing extension: "ramal 23", "r. 23", "ext 5", "x 23". */
export const EXTENSION = /(?:^|[\s,;(-])(?:ramal|ram|ext|extens[aã]o|r|x)\.?\s*:?\s*\d{1,5}\)?\s*$/iu;
