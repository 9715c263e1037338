/**
 * Renders a template for one lead. Required variables are checked before rendering, so a
 * message never goes out with a hole where a name should be; plain text is rendered without
 * HTML escaping ("Silva & Filhos" stays readable) and the HTML body with it.
 */
import Mustache from 'mustache';
import { AppError } from '../errors.js';
import { cleanText } from '../normalize/text.js';
import type { RenderResult, TemplateDef } from './types.js';
import { parsePart, templateVariables, validateTemplate } from './validate.js';

export { templateVariables, validateTemplate } from './validate.js';

// Escapers are passed per call through Mustache's `config` (v4.2+), so the global
// Mustache.escape is never touched.
const NO_ESCAPE = { escape: (s: string) => s };
// Mustache's default also escapes / ` =, turning a meeting link into "https:&#x2F;&#x2F;…" in the
// source, which some clients then fail to autolink. These five suffice for text and quoted attributes.
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_ESCAPE = { escape: (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]) };

type Vars = Record<string, string | null | undefined>;

/**
 * A value ready to go into the template, or '' when missing/blank. WhatsApp parameters may not
 * contain line breaks, tabs or runs of spaces (Meta rejects them), so they become one line; e-mail
 * values are only trimmed.
 */
function prepareValue(vars: Vars, name: string, singleLine: boolean): string {
  const raw = Object.hasOwn(vars, name) ? vars[name] : undefined;
  if (raw == null || cleanText(raw) === '') return '';
  return singleLine ? cleanText(raw) : String(raw).normalize('NFC').trim();
}

/**
 * Renders `def` with `vars`. Missing or blank variables → `{ ok: false, faltando, motivo }`
 * without rendering; an invalid template → `ok: false` with the problems in `motivo`.
 * WhatsApp templates with a `whatsapp` spec also return `parametros`, the values in {{1}}, {{2}}… order.
 *
 * @example
 * renderTemplate(getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!, { contato: 'Maria', empresa: 'Padaria Sol' })
 * // { ok: false, faltando: ['remetente', 'documento_mascarado'],
 * //   motivo: 'variáveis ausentes: remetente, documento_mascarado' }
 */
export function renderTemplate(def: TemplateDef, vars: Vars): RenderResult {
  const problems = validateTemplate(def);
  if (problems.length > 0) {
    return { ok: false, faltando: [], motivo: `modelo ${def.id} inválido: ${problems.join('; ')}` };
  }

  const singleLine = def.canal === 'whatsapp';
  const view: Record<string, string> = {};
  const faltando: string[] = [];
  for (const name of templateVariables(def)) {
    const value = prepareValue(vars, name, singleLine);
    if (value === '') faltando.push(name);
    else view[name] = value;
  }
  if (faltando.length > 0) {
    const rotulo = faltando.length === 1 ? 'variável ausente' : 'variáveis ausentes';
    return { ok: false, faltando, motivo: `${rotulo}: ${faltando.join(', ')}` };
  }

  const texto = Mustache.render(def.corpo, view, undefined, NO_ESCAPE);
  const result: RenderResult = { ok: true, texto };
  if (def.assunto !== undefined) {
    // A line break in a subject is a header-injection risk; a subject is always one line.
    result.assunto = cleanText(Mustache.render(def.assunto, view, undefined, NO_ESCAPE));
  }
  if (def.html !== undefined) result.html = Mustache.render(def.html, view, undefined, HTML_ESCAPE);
  if (def.whatsapp) result.parametros = def.whatsapp.parametros.map((name) => view[name]);
  return result;
}

/**
 * The body in Meta's numbered form, each `{{name}}` replaced by `{{n}}` following
 * `whatsapp.parametros` — the text registered for approval. Throws for a template without
 * a `whatsapp` spec or whose body uses anything but variables listed there.
 *
 * @example toNumberedBody({
 *   ...def,
 *   corpo: 'Olá, {{contato}}! Aqui é {{remetente}}.',
 *   whatsapp: { ..., parametros: ['contato', 'remetente'] },
 * })
 * // 'Olá, {{1}}! Aqui é {{2}}.'
 */
export function toNumberedBody(def: TemplateDef): string {
  if (!def.whatsapp) {
    throw new AppError(
      'invalid_argument',
      `Template ${def.id} has no whatsapp spec; only approved WhatsApp templates have a numbered body.`,
    );
  }
  const parsed = parsePart(def.corpo);
  if ('error' in parsed)
    throw new AppError('invalid_argument', `Template ${def.id}: invalid mustache in corpo (${parsed.error}).`);
  const order = def.whatsapp.parametros;
  let out = '';
  let last = 0;
  for (const [type, name, start, end] of parsed.tokens) {
    if (type === 'text') continue;
    const index = order.indexOf(name);
    if (type !== 'name' || index < 0) {
      throw new AppError(
        'invalid_argument',
        `Template ${def.id}: {{${type === 'name' ? '' : type}${name}}} ` +
          'is not a variable listed in whatsapp.parametros.',
      );
    }
    out += `${def.corpo.slice(last, start)}{{${index + 1}}}`;
    last = end;
  }
  return out + def.corpo.slice(last);
}
