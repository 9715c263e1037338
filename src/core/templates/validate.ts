/**
 * Static checks on a template: which variables it uses and whether it stays logic-less.
 * Only plain `{{var}}` is allowed, so the variables a template needs are exactly the ones it
 * shows, a missing one is caught before rendering, and a WhatsApp body maps 1:1 onto Meta's
 * numbered placeholders.
 */
import Mustache from 'mustache';
import type { TemplateDef } from './types.js';

type Part = 'assunto' | 'corpo' | 'html';
const PARTS: readonly Part[] = ['assunto', 'corpo', 'html'];

/** snake_case, like the column names the variables usually come from. */
const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;
/** Meta's rule for template names: lowercase letters, digits and underscores. */
const META_TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
/** Meta's limit for the body of a template. */
const WHATSAPP_BODY_MAX = 1024;

/** A mustache token as Mustache.parse returns it: [type, value, start, end, children?]; only what we read. */
export type Token = [string, string, number, number, Token[]?];

/**
 * Parsed tokens of a template part, or the parser's error message. Mustache caches parses, so
 * validating before every render costs little.
 *
 * @example parsePart('Olá, {{contato}}!')
 * // { tokens: [['text', 'Olá, ', 0, 5], ['name', 'contato', 5, 16], ['text', '!', 16, 17]] }
 */
export function parsePart(source: string): { tokens: Token[] } | { error: string } {
  try {
    return { tokens: Mustache.parse(source) as unknown as Token[] };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function collectNames(tokens: Token[], into: string[]): void {
  for (const t of tokens) {
    if ((t[0] === 'name' || t[0] === '&') && !into.includes(t[1])) into.push(t[1]);
    if (t[4]) collectNames(t[4], into);
  }
}

/**
 * Variable names a template uses across assunto, corpo and html, in order of first appearance.
 * Parts that do not parse are skipped ({@link validateTemplate} reports them).
 *
 * @example templateVariables({ ...def, assunto: 'Oi {{empresa}}', corpo: '{{contato}}, {{empresa}}' })
 * // ['empresa', 'contato']
 */
export function templateVariables(def: TemplateDef): string[] {
  const key = JSON.stringify([def.assunto, def.corpo, def.html]);
  let names = variablesMemo.get(key);
  if (!names) remember(variablesMemo, key, (names = variablesOf(def)));
  return [...names];
}

/*
 * What templateVariables and validateTemplate found, by the template's content (the parts they read,
 * whole, as the key): a decision checks its templates on every call (decide_channel: ~0.1 ms a call
 * parsing and walking tokens), and a changed template is a different key, so it is never stale.
 * Bounded; each call gets its own copy of the array.
 */
const MEMO_MAX = 256;
const variablesMemo = new Map<string, readonly string[]>();
const problemsMemo = new Map<string, readonly string[]>();

function remember(memo: Map<string, readonly string[]>, key: string, value: readonly string[]): void {
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
  memo.set(key, value);
}

function variablesOf(def: TemplateDef): string[] {
  const names: string[] = [];
  for (const part of PARTS) {
    const source = def[part];
    if (source === undefined) continue;
    const parsed = parsePart(source);
    if ('tokens' in parsed) collectNames(parsed.tokens, names);
  }
  return names;
}

function tokenProblems(part: Part, tokens: Token[], out: string[]): void {
  for (const [type, value] of tokens) {
    switch (type) {
      case 'text':
        break;
      case 'name':
        if (!VARIABLE_NAME.test(value)) {
          out.push(
            `${part}: nome de variável inválido {{${value}}} (use letras minúsculas, dígitos e _, começando por letra)`,
          );
        }
        break;
      case '#':
      case '^':
        out.push(`${part}: seções ({{${type}${value}}}) não são permitidas; use apenas {{variável}}`);
        break;
      case '>':
        out.push(`${part}: partials ({{>${value}}}) não são permitidos; use apenas {{variável}}`);
        break;
      case '&':
        // In html this would switch off escaping; in text it means nothing. Neither is wanted.
        out.push(`${part}: variável sem escape ({{{${value}}}} ou {{&${value}}}) não é permitida; use {{${value}}}`);
        break;
      case '!':
        out.push(`${part}: comentários ({{! ...}}) não são permitidos; use apenas {{variável}}`);
        break;
      case '=':
        out.push(`${part}: troca de delimitadores ({{=...=}}) não é permitida`);
        break;
      default:
        out.push(`${part}: elemento mustache não permitido ({{${type}${value}}})`);
    }
  }
}

function whatsappProblems(def: TemplateDef, out: string[]): void {
  const spec = def.whatsapp;
  if (!spec) return;
  if (def.canal !== 'whatsapp') out.push('a especificação "whatsapp" só vale para modelos do canal WhatsApp');
  if (!META_TEMPLATE_NAME.test(spec.nome_aprovado)) {
    out.push(`whatsapp.nome_aprovado inválido "${spec.nome_aprovado}" (use letras minúsculas, dígitos e _)`);
  }
  if (spec.idioma !== 'pt_BR') out.push(`whatsapp.idioma deve ser "pt_BR" (recebido "${String(spec.idioma)}")`);

  const parsed = parsePart(def.corpo);
  if (!('tokens' in parsed)) return;
  const used: string[] = [];
  collectNames(parsed.tokens, used);
  const seen = new Set<string>();
  for (const p of spec.parametros) {
    if (seen.has(p)) out.push(`whatsapp.parametros repete "${p}"`);
    seen.add(p);
    if (!used.includes(p)) out.push(`whatsapp.parametros lista "${p}", que o corpo não usa`);
  }
  for (const name of used) {
    if (!seen.has(name)) out.push(`o corpo usa {{${name}}}, que falta em whatsapp.parametros`);
  }
  // Meta rejects bodies that are too long or that start or end with a placeholder.
  if (def.corpo.length > WHATSAPP_BODY_MAX) {
    out.push(`corpo com ${def.corpo.length} caracteres; o WhatsApp aceita no máximo ${WHATSAPP_BODY_MAX}`);
  }
  const trimmed = def.corpo.trim();
  if (trimmed.startsWith('{{') || trimmed.endsWith('}}')) {
    out.push('o corpo de um modelo aprovado no WhatsApp não pode começar nem terminar com uma variável');
  }
}

/**
 * Problems that make a template unusable, in pt-BR; empty when the template is fine.
 * Refuses anything but plain `{{var}}` (sections, partials, comments, unescaped values, custom
 * delimiters), an e-mail without subject, a WhatsApp template with subject/HTML, and WhatsApp
 * `parametros` that do not match the body's variables exactly.
 *
 * @example validateTemplate({ ...def, corpo: '{{#vip}}Olá{{/vip}}' })
 * // ['corpo: seções ({{#vip}}) não são permitidas; use apenas {{variável}}']
 */
export function validateTemplate(def: TemplateDef): string[] {
  const key = JSON.stringify([def.id, def.canal, def.assunto, def.corpo, def.html, def.whatsapp]);
  let problems = problemsMemo.get(key);
  if (!problems) remember(problemsMemo, key, (problems = problemsOf(def)));
  return [...problems];
}

function problemsOf(def: TemplateDef): string[] {
  const out: string[] = [];
  if (!/^[a-z0-9_]+$/.test(def.id)) out.push(`id inválido "${def.id}" (use letras minúsculas, dígitos e _)`);
  if (def.corpo.trim() === '') out.push('corpo vazio');
  if (def.canal === 'email' && !def.assunto?.trim()) out.push('modelo de e-mail sem assunto');
  if (def.canal === 'whatsapp' && def.assunto !== undefined) out.push('modelo de WhatsApp não usa assunto');
  if (def.canal === 'whatsapp' && def.html !== undefined) out.push('modelo de WhatsApp não usa html');

  for (const part of PARTS) {
    const source = def[part];
    if (source === undefined) continue;
    const parsed = parsePart(source);
    if ('error' in parsed) out.push(`${part}: sintaxe mustache inválida (${parsed.error})`);
    else tokenProblems(part, parsed.tokens, out);
  }
  whatsappProblems(def, out);
  return out;
}
