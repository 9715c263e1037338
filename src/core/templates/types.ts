/**
 * Message templates: what a template is and what rendering one returns. Templates are
 * logic-less mustache (only `{{var}}`), so a template can be reviewed — and approved by Meta
 * for WhatsApp — by reading it, and every variable it needs is known before anything is sent.
 */

export type TemplateChannel = 'whatsapp' | 'email';

/**
 * A message template.
 *
 * @example
 * const def: TemplateDef = {
 *   id: 'aviso_whatsapp_v1',
 *   canal: 'whatsapp',
 *   descricao: 'Aviso curto',
 *   corpo: 'Olá, {{contato}}! Aqui é a equipe de {{remetente}}.',
 *   whatsapp: { nome_aprovado: 'aviso_whatsapp_v1', idioma: 'pt_BR', parametros: ['contato', 'remetente'] },
 * };
 */
export interface TemplateDef {
  /** Stable id stored in disparos.template / dry_run_log.template_selecionado, e.g. 'cobranca_padrao_whatsapp_v2'. */
  id: string;
  canal: TemplateChannel;
  descricao: string;
  /** E-mail subject (mustache). */
  assunto?: string;
  /** Plain-text body (mustache, logic-less: only {{var}} — no sections/partials). */
  corpo: string;
  /** Optional e-mail HTML body (mustache, values HTML-escaped). */
  html?: string;
  /**
   * For approved WhatsApp Business templates: the approved name and the variables in placeholder
   * order, so the body can be sent as numbered {{1}}, {{2}} parameters.
   */
  whatsapp?: { nome_aprovado: string; idioma: 'pt_BR'; parametros: string[] };
}

/**
 * Outcome of rendering. `ok: false` is an expected outcome (a lead without a document, say), not an
 * error: `faltando` names the variables to fill in and `motivo` says it in pt-BR for the operator.
 */
export type RenderResult =
  | { ok: true; texto: string; assunto?: string; html?: string; parametros?: string[] }
  | { ok: false; faltando: string[]; motivo: string };
