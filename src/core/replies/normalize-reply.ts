/**
 * The matching-only form of a reply: lowercase, no accents, emojis/punctuation → space, runs of a
 * repeated letter squashed to one ("saaair" → "sair", also "interesse" → "interese"), and a few
 * WhatsApp abbreviations expanded ("naum"/"n" → "nao", "msg" → "mensagem", "vc" → "voce"…). The rules
 * (reply-rules.ts) are written in plain Portuguese and squashed the same way by {@link rx}.
 */
import { stripAccents } from '../normalize/text.js';

/** Runs of one letter squashed to one: "saaair" → "sair". */
export const squash = (s: string): string => s.replace(/([a-z])\1+/g, '$1');

/** Builds a RegExp from a plain-Portuguese source, squashing doubled letters (not escapes like \\b). */
export function rx(src: string): RegExp {
  return new RegExp(src.replace(/(?<!\\)([a-z])\1+/g, '$1'));
}

/** Token aliases, keyed by the squashed token. Values are squashed again after joining. */
const ALIASES = new Map<string, string>([
  ['naum', 'nao'],
  ['nau', 'nao'],
  ['n', 'nao'],
  ['ñ', 'nao'],
  ['nn', 'nao'],
  ['vc', 'voce'],
  ['vcs', 'voces'],
  ['ce', 'voce'],
  ['q', 'que'],
  ['oq', 'o que'],
  ['pq', 'por que'],
  ['msg', 'mensagem'],
  ['msgs', 'mensagem'],
  ['mensagens', 'mensagem'],
  ['mensage', 'mensagem'],
  ['mensagen', 'mensagem'],
  ['sms', 'mensagem'],
  ['mesagem', 'mensagem'],
  ['mensajem', 'mensagem'],
  ['whats', 'whatsapp'],
  ['wpp', 'whatsapp'],
  ['zap', 'whatsapp'],
  ['wts', 'whatsapp'],
  ['pf', 'por favor'],
  ['pfv', 'por favor'],
  ['pfvr', 'por favor'],
  ['pls', 'por favor'],
  ['plz', 'por favor'],
  ['porfavor', 'por favor'],
  ['obg', 'obrigado'],
  ['obgd', 'obrigado'],
  ['obrigada', 'obrigado'],
  ['brigado', 'obrigado'],
  ['vlw', 'valeu'],
  ['blz', 'beleza'],
  ['tb', 'tambem'],
  ['tbm', 'tambem'],
  ['hj', 'hoje'],
  ['amn', 'amanha'],
  ['p', 'pra'],
  ['d', 'de'],
  ['agr', 'agora'],
  ['td', 'tudo'],
  ['cmg', 'comigo'],
  ['qto', 'quanto'],
  ['qnt', 'quanto'],
  ['qt', 'quanto'],
  ['qdo', 'quando'],
  ['qnd', 'quando'],
  ['ngm', 'ninguem'],
  ['nd', 'nada'],
  ['mt', 'muito'],
  ['mto', 'muito'],
  ['eh', 'e'],
  ['okay', 'ok'],
  ['oki', 'ok'],
  ['okey', 'ok'],
  ['tabom', 'ta bom'],
  ['optout', 'opt out'],
  ['num', 'numero'],
]);

/** Normalised, matching-only form of a reply (exported for tests/debugging). */
export function normalizeReply(text: string): string {
  const words = stripAccents(String(text ?? '').toLowerCase())
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  if (!words) return '';
  return squash(
    words
      .split(' ')
      .map((t) => {
        const sq = squash(t);
        return ALIASES.get(sq) ?? sq;
      })
      .join(' '),
  );
}
