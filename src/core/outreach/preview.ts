import type { DecidedChannel } from '../model/index.js';
import { leadVariables, renderTemplate } from '../templates/index.js';
import type { DecisionContext } from './decision-context.js';
import type { DecisionRow } from './decide.js';

export interface RenderedPreview {
  subject: string | null;
  text: string | null;
  missing: string[];
}

/** The message a decision would send, rendered with the lead's variables. */
export function renderDecision(d: DecisionRow, ctx: DecisionContext): RenderedPreview {
  if (d.canal === 'none') return { subject: null, text: null, missing: [] };
  const r = renderTemplate(ctx.templates[d.canal], leadVariables(d, ctx.policy.remetente, ctx.policy.credor));
  return r.ok
    ? { subject: r.assunto ?? null, text: r.texto, missing: [] }
    : { subject: null, text: null, missing: r.faltando };
}

/**
 * A destination for people to read.
 * @example maskDestination('whatsapp', { telefone: '+5511987654321', email: null }) // '+5511 9****-4321'
 * @example maskDestination('email', { telefone: null, email: 'joana@empresa.com.br' }) // 'jo***@empresa.com.br'
 */
export function maskDestination(
  channel: DecidedChannel,
  d: { telefone: string | null; email: string | null },
): string | null {
  if (channel === 'whatsapp' && d.telefone)
    return `${d.telefone.slice(0, 5)} ${d.telefone.slice(5, 6)}****-${d.telefone.slice(-4)}`;
  if (channel === 'email' && d.email) {
    const [user, domain] = d.email.split('@');
    return `${user.slice(0, 2)}***@${domain}`;
  }
  return null;
}
