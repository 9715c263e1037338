/**
 * WhatsApp as the platform runs it: a business-initiated message outside the 24-hour customer-service
 * window must be a template the provider approved (Cloud API: name + language + numbered parameters;
 * Twilio: a Content SID HX… + ContentVariables). Inside the window, opened by the person's last message,
 * free text is allowed. Pure: the registry rows (migration 039) are read by core/outreach/approved-sql.ts.
 */
import { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES, type TemplateCategory, type TemplateStatus } from '../model/index.js';
import type { TemplateDef } from './types.js';

export { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES, type TemplateCategory, type TemplateStatus };

/** How long a person's message keeps the window open (WhatsApp's customer-service window). */
export const WHATSAPP_WINDOW_MS = 24 * 3600_000;

/**
 * What the WhatsApp channel's downstream speaks: `meta` (Cloud API names), `twilio` (Content SIDs),
 * `sandbox` (the bundled sandbox: Cloud API names, and the built-in templates count as approved there),
 * `livre` (unofficial gateways — WhatsApp Web bridges — that know no templates: always free text).
 */
export type WhatsappProvider = 'meta' | 'twilio' | 'sandbox' | 'livre';

/** The presets of unofficial gateways: they send free text only, and know no window. */
const FREE_TEXT_PRESETS = ['lharries-whatsapp', 'waha', 'evolution-api'];

/**
 * The provider kind of the WhatsApp channel by its preset. A custom profile (no preset) is treated
 * like the sandbox: the built-in templates' names are taken as approved unless the registry says otherwise.
 *
 * @example whatsappProviderOf('twilio-whatsapp') // 'twilio'
 */
export function whatsappProviderOf(preset: string | null | undefined): WhatsappProvider {
  if (preset === 'twilio-whatsapp') return 'twilio';
  if (preset && FREE_TEXT_PRESETS.includes(preset)) return 'livre';
  if (!preset || preset.startsWith('sandbox')) return 'sandbox';
  return 'meta';
}

/** A template's identity as the provider approved it (a modelos_aprovados row, or the sandbox default). */
export interface ApprovedIdentity {
  provedor: 'meta' | 'twilio';
  nome: string | null;
  idioma: string;
  categoria: TemplateCategory;
  status: TemplateStatus;
  /** Our variables in parameter order: {{1}} is parametros[0] (Twilio: ContentVariables "1"). */
  parametros: string[];
  content_sid: string | null;
  /** Not registered: the sandbox's default for a built-in template. */
  padrao?: boolean;
}

/**
 * The identity to send `def` with on `provider`: the registered one, else on the sandbox the built-in
 * template's own spec (approved, utility). Null: none — outside the window the message cannot go.
 */
export function identityFor(
  def: TemplateDef,
  provider: WhatsappProvider,
  registered: ApprovedIdentity | null,
): ApprovedIdentity | null {
  if (registered) return registered;
  if (provider !== 'sandbox' || !def.whatsapp) return null;
  const w = def.whatsapp;
  return {
    provedor: 'meta',
    nome: w.nome_aprovado,
    idioma: w.idioma,
    categoria: 'utility',
    status: 'approved',
    parametros: [...w.parametros],
    content_sid: null,
    padrao: true,
  };
}

/** Why a template cannot go outside the window (a block code of core/model), or null when it can. */
export type TemplateBlock = 'sem_template_aprovado' | 'template_pausado' | 'template_desativado';

/** @example templateBlock(null) // 'sem_template_aprovado' */
export function templateBlock(id: ApprovedIdentity | null): TemplateBlock | null {
  return id ? statusBlock(id.status) : 'sem_template_aprovado';
}

/**
 * What a registered template's status means outside the window: paused (Meta, low quality) or
 * rejected / disabled, or null when approved.
 *
 * @example statusBlock('disabled') // 'template_desativado'
 */
export function statusBlock(status: TemplateStatus): Exclude<TemplateBlock, 'sem_template_aprovado'> | null {
  if (status === 'paused') return 'template_pausado';
  if (status !== 'approved') return 'template_desativado';
  return null;
}

/** The block reasons, in pt-BR (the decision's razao_bloqueio). */
export const TEMPLATE_BLOCK_TEXT: Readonly<Record<TemplateBlock | 'marketing_recusado', string>> = {
  sem_template_aprovado:
    'Fora da janela de 24 h do WhatsApp (a pessoa não escreveu nas últimas 24 h) e o modelo não tem versão ' +
    'aprovada registrada para este provedor: registre-a com manage_templates',
  template_pausado: 'Fora da janela de 24 h e o modelo aprovado está pausado pela Meta (qualidade baixa)',
  template_desativado: 'Fora da janela de 24 h e o modelo aprovado foi rejeitado ou desativado pela Meta',
  marketing_recusado: 'A pessoa parou de receber mensagens de marketing desta empresa (WhatsApp 131050)',
};

/** How a WhatsApp message goes: an approved template, or free text inside the window. */
export type MessageForm = 'modelo' | 'texto_livre';

/**
 * The send payload's template fields for an identity and the rendered parameter values: the Cloud API
 * template object, Twilio's ContentSid and ContentVariables ({"1": "…", "2": "…"}).
 *
 * @example templatePayload(id, ['Maria']).contentVariables // '{"1":"Maria"}'
 */
export function templatePayload(
  id: ApprovedIdentity,
  values: string[],
): {
  template?: string;
  templateLanguage: string;
  templateParams: string[];
  contentSid?: string;
  contentVariables: string;
} {
  const vars = Object.fromEntries(values.map((v, i) => [String(i + 1), v]));
  return {
    ...(id.nome ? { template: id.nome } : {}),
    templateLanguage: id.idioma,
    templateParams: values,
    ...(id.content_sid ? { contentSid: id.content_sid } : {}),
    contentVariables: JSON.stringify(vars),
  };
}

/**
 * What a queued WhatsApp message stores about its form (disparos.variaveis `__forma`, `__modelo`): the
 * executor builds the send payload from them (dispatch/executor.ts payloadOf). A template carries the
 * provider's identity and the values in parameter order. Free text carries when the person's window
 * closes (`__janela_ate`) and, when an approved template exists, that template too: a message that
 * waits past the window (a send window, a deferral, the tier budget) then goes as the template.
 */
export function formVariables(
  form: MessageForm,
  identity: ApprovedIdentity | null,
  vars: Record<string, string>,
  windowUntil: Date | string | null = null,
): Record<string, unknown> {
  const template = () =>
    templatePayload(
      identity!,
      identity!.parametros.map((p) => vars[p] ?? ''),
    );
  if (form === 'texto_livre' || !identity) {
    if (!windowUntil) return { __forma: 'texto_livre' };
    const until = new Date(windowUntil).toISOString();
    return identity && !templateBlock(identity)
      ? { __forma: 'texto_livre', __janela_ate: until, __modelo: template() }
      : { __forma: 'texto_livre', __janela_ate: until };
  }
  return { __forma: 'modelo', __modelo: template() };
}

/**
 * Whether a queued WhatsApp message (its formVariables) goes as its approved template at `now`: queued
 * as one, or queued as free text whose window has closed by then, with the template beside it.
 *
 * @example sendsAsTemplate({ __forma: 'modelo', __modelo: { template: 'x' } }) // true
 */
export function sendsAsTemplate(v: Record<string, unknown>, now?: Date): boolean {
  if (!v.__modelo || typeof v.__modelo !== 'object') return false;
  if (v.__forma === 'modelo') return true;
  return (
    v.__forma === 'texto_livre' &&
    typeof v.__janela_ate === 'string' &&
    !!now &&
    Date.parse(v.__janela_ate) <= now.getTime()
  );
}
