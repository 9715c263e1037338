/**
 * The built-in templates, by id. Tenants may add their own later; these are the ones the seed's
 * channel decision names (`cobranca_padrao_*_v2`), a sales contact opener (`contato_comercial_*_v1`, not a
 * collection message) and meeting confirmation and reminder.
 * Ids are versioned: change the text → new id, so dry_run_log and disparos keep pointing at
 * the exact text that was (or would have been) sent.
 */
import { COBRANCA_TEMPLATES } from './builtin-cobranca.js';
import { CONTATO_TEMPLATES } from './builtin-contato.js';
import { REUNIAO_TEMPLATES } from './builtin-reuniao.js';
import type { TemplateChannel, TemplateDef } from './types.js';

// Shared objects handed to every caller: frozen so nobody edits a template in place.
function freeze(def: TemplateDef): TemplateDef {
  const spec = def.whatsapp;
  const whatsapp = spec && Object.freeze({ ...spec, parametros: Object.freeze([...spec.parametros]) as string[] });
  return Object.freeze({ ...def, ...(whatsapp && { whatsapp }) });
}

/**
 * Every built-in template, keyed by id.
 *
 * @example BUILTIN_TEMPLATES.get('cobranca_padrao_email_v2')?.assunto // 'Pendência de {{empresa}} com {{credor}}'
 */
export const BUILTIN_TEMPLATES: ReadonlyMap<string, TemplateDef> = new Map(
  [...COBRANCA_TEMPLATES, ...CONTATO_TEMPLATES, ...REUNIAO_TEMPLATES].map((def) => [def.id, freeze(def)]),
);

/**
 * The first-contact template per channel (the seed's channel decision uses these).
 *
 * @example getBuiltinTemplate(DEFAULT_TEMPLATE_BY_CHANNEL.whatsapp)?.canal // 'whatsapp'
 */
export const DEFAULT_TEMPLATE_BY_CHANNEL: Readonly<Record<TemplateChannel, string>> = Object.freeze({
  whatsapp: 'cobranca_padrao_whatsapp_v2',
  email: 'cobranca_padrao_email_v2',
});

/**
 * A built-in template by id, or undefined.
 *
 * @example getBuiltinTemplate('lembrete_reuniao_whatsapp_v1')?.whatsapp?.parametros[0] // 'contato'
 */
export function getBuiltinTemplate(id: string): TemplateDef | undefined {
  return BUILTIN_TEMPLATES.get(id);
}

/**
 * All built-in templates, optionally for one channel.
 *
 * @example listBuiltinTemplates('email').map((t) => t.id) // ['cobranca_padrao_email_v2', …]
 */
export function listBuiltinTemplates(canal?: TemplateChannel): TemplateDef[] {
  return [...BUILTIN_TEMPLATES.values()].filter((def) => canal === undefined || def.canal === canal);
}
