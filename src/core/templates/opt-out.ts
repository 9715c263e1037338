/**
 * The opt-out line every built-in template ends with. One wording everywhere, so the inbound
 * side only has to recognise "SAIR", and LGPD's "free and immediate" opt-out is always one reply away.
 */
export const OPT_OUT_KEYWORD = 'SAIR';

/** @example corpo.endsWith(OPT_OUT_TEXT) // true for every built-in template */
export const OPT_OUT_TEXT = `Se não quiser mais receber mensagens, responda ${OPT_OUT_KEYWORD}.`;
