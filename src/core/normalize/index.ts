/**
 * Pure normalisation of Brazilian contact data (names, phones, e-mails, CPF/CNPJ, time
 * zones). No I/O and no side effects on import.
 */
export { cleanText, cleanCell, stripAccents, nameKey, isPlaceholder } from './text.js';
export { recoverNumericCell, type RecoveredNumericCell } from './numeric-cell.js';
export { normalizePhone, splitPhones, phoneVariants, dddOf, type PhoneType, type NormalizedPhone } from './phone.js';
export { normalizeEmail, splitEmails, type NormalizedEmail } from './email.js';
export {
  normalizeDocument,
  formatDocument,
  maskDocument,
  isValidCpf,
  isValidCnpj,
  type NormalizedDocument,
} from './document.js';
export { timezoneForDdd, utcOffsetMinutes, VALID_DDDS, DEFAULT_TIMEZONE } from './timezone.js';
