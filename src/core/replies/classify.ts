/**
 * Pure pt-BR classifier for inbound replies (WhatsApp / e-mail) to collections or sales outreach.
 *
 * No I/O, no env, nothing runs on import besides building constant tables. The output is meant to
 * be handed to the calling model/agent: a class, a rough confidence, the cue that matched (pt-BR)
 * and a suggested next step.
 *
 * Precedence (first hit wins):
 *   1. opt_out     — checked FIRST and deliberately greedy (a false positive costs one lost lead; a
 *                    miss is a LGPD / anti-spam problem). An opt-out phrased as a question keeps it.
 *   2. recusa      — checked before interesse/confirmacao so negations ("não tenho interesse",
 *                    "não confirmo") are not read as their positive form. Keeps its class with "?".
 *   3. confirmacao — skipped when the message contains "?" ("pode ser?", "fechado?" are questions).
 *   4. interesse   — kept even with "?" ("podemos conversar amanhã?" is interest).
 *   5. pergunta    — contains "?" or starts with qual/quanto/como/quando/onde/por que/quem/…
 *   6. outro       — greetings, thanks, media-only / empty messages.
 *
 * Matching runs on a normalised form: lowercase, no accents, emojis/punctuation → space, runs of a
 * repeated letter squashed to one ("saaair" → "sair", also "interesse" → "interese"), and a few
 * WhatsApp abbreviations expanded ("naum"/"n" → "nao", "msg" → "mensagem", "vc" → "voce"…).
 * Pattern sources below are written in plain Portuguese and squashed the same way by {@link rx}.
 *
 * Deliberate choices on ambiguous inputs:
 *   - Bare "sair" / "parar" / "para" / "cancelar" / "remover" / "bloquear" as the WHOLE message → opt_out.
 *     Inside a sentence they need context ("sair da lista", "quero sair", "parar de mandar", "vou bloquear"),
 *     so "não consigo sair de casa", "vou sair do trabalho" and "vou parar no escritório" are not opt-outs.
 *   - "pode parar de me ligar e mandar por whatsapp" → opt_out ("parar de ligar" wins; a human may
 *     re-read it, but we never keep messaging someone who wrote "parar de …").
 *   - "pare/para de me cobrar" → opt_out (stop-contact request, even if it is also a dispute).
 *   - "não me liga" / "não me ligue mais" → opt_out; "não me liga agora, …" is not.
 *   - "me tira uma dúvida" is not "me tira (da lista)".
 *   - "spam", "denunciar", "procon" → opt_out (stop contacting).
 *   - "ok" / "sim" / "pode" / 👍 alone → confirmacao with lower confidence.
 */
import type { ReplyClass } from '../model/index.js';
import { normalizeReply } from './normalize-reply.js';
import {
  AFFIRMATIVE_CORE,
  AFFIRMATIVE_FILLERS,
  COMMAND_FILLERS,
  COMMANDS,
  CONFIRMACAO_RULES,
  INTERESSE_RULES,
  OPT_OUT_RULES,
  QUESTION_START,
  RECUSA_RULES,
  THUMBS,
  type Rule,
} from './reply-rules.js';

export { normalizeReply } from './normalize-reply.js';
export type { ReplyClass } from '../model/index.js';

export interface ReplyClassification {
  classe: ReplyClass;
  /** 0..1, heuristic. */
  confianca: number;
  /** pt-BR: which cue matched. */
  motivo: string;
  /** pt-BR: suggested next step for the calling model. */
  acao_sugerida: string;
}

export const ACOES_SUGERIDAS: Readonly<Record<ReplyClass, string>> = {
  opt_out: 'Registrar opt-out imediato em todos os canais e não responder com oferta',
  confirmacao: 'Confirmar a reunião (update_meeting, action confirm) se houver uma agendada',
  interesse: 'Propor horários (propose_slots) e agendar',
  recusa: 'Marcar como perdido ou revisar a cobrança; não insistir',
  pergunta: 'Responder a dúvida; um humano pode ser necessário',
  outro: 'Sem intenção clara: responder de forma neutra ou aguardar; não insistir com oferta',
};

function firstMatch(rules: Rule[], s: string): { rule: Rule; trecho: string } | null {
  for (const rule of rules) {
    const m = rule.re.exec(s);
    if (m) {
      // Extend a prefix match ("mand") to the end of its word ("mandar") for a readable motivo.
      const end = m.index + m[0].length;
      const rest = /^[a-z0-9]*/.exec(s.slice(end))?.[0] ?? '';
      return { rule, trecho: (m[0] + rest).trim() };
    }
  }
  return null;
}

function out(classe: ReplyClass, confianca: number, motivo: string): ReplyClassification {
  return { classe, confianca, motivo, acao_sugerida: ACOES_SUGERIDAS[classe] };
}

function fromRule(classe: ReplyClass, label: string, hit: { rule: Rule; trecho: string }): ReplyClassification {
  return out(classe, hit.rule.conf, `${label}: ${hit.rule.cue} (trecho: "${hit.trecho}")`);
}

/** Classifies one inbound reply. Pure and total: never throws, any input yields a classification. */
export function classifyReply(text: string): ReplyClassification {
  const raw = typeof text === 'string' ? text : text == null ? '' : String(text);
  const s = normalizeReply(raw);
  const tokens = s ? s.split(' ') : [];
  const hasQuestionMark = /[?¿]/.test(raw);

  // 1. Opt-out (first, greedy).
  const meaningful = tokens.filter((t) => !COMMAND_FILLERS.has(t));
  if (meaningful.length > 0 && meaningful.length <= 3 && meaningful.every((t) => COMMANDS.has(t))) {
    return out('opt_out', 0.93, `Opt-out: a mensagem é só o comando "${meaningful.join(' ')}"`);
  }
  const optOut = firstMatch(OPT_OUT_RULES, s);
  if (optOut) return fromRule('opt_out', 'Opt-out', optOut);

  // 2. Recusa (before positive classes, so negations win).
  const recusa = firstMatch(RECUSA_RULES, s);
  if (recusa) return fromRule('recusa', 'Recusa', recusa);

  // 3. Confirmação (not when the message is a question: "pode ser?", "fechado?").
  if (!hasQuestionMark) {
    const conf = firstMatch(CONFIRMACAO_RULES, s);
    if (conf) return fromRule('confirmacao', 'Confirmação', conf);
    const thumbs = THUMBS.test(raw);
    const allAffirmative = tokens.every(
      (t) => AFFIRMATIVE_CORE.has(t) || AFFIRMATIVE_FILLERS.has(t) || /^\d{1,2}(?:h\d{0,2})?$/.test(t),
    );
    const hasCore = tokens.some((t) => AFFIRMATIVE_CORE.has(t));
    if (allAffirmative && (hasCore || thumbs)) {
      if (thumbs && tokens.length === 0)
        return out('confirmacao', 0.75, 'Confirmação: só emoji de aprovação (👍/👌/✅)');
      const weak = tokens.length === 1 && (tokens[0] === 'ok' || tokens[0] === 'pode');
      return out('confirmacao', weak ? 0.6 : 0.7, `Confirmação: resposta curta afirmativa ("${s}")`);
    }
  }

  // 4. Interesse (kept even when phrased as a question).
  const interesse = firstMatch(INTERESSE_RULES, s);
  if (interesse) return fromRule('interesse', 'Interesse', interesse);

  // 5. Pergunta.
  if (hasQuestionMark) return out('pergunta', 0.75, 'Pergunta: a mensagem contém "?"');
  const qm = QUESTION_START.exec(s);
  if (qm) return out('pergunta', 0.65, `Pergunta: começa com "${qm[0]}"`);

  // 6. Outro.
  if (raw.trim() === '') return out('outro', 0.9, 'Mensagem vazia');
  if (tokens.length === 0) return out('outro', 0.5, 'Sem texto (só emoji/pontuação) e sem sinal de aprovação');
  return out('outro', 0.4, 'Nenhum sinal reconhecido (saudação, agradecimento ou assunto não relacionado)');
}
