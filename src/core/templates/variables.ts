/**
 * The standard variables of a lead, as the built-in templates expect them.
 */
import { maskDocument } from '../normalize/document.js';
import { cleanText, isPlaceholder, stripAccents } from '../normalize/text.js';

/** The lead fields the variables come from (a subset of the leads row). */
export interface LeadForTemplate {
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: 'cpf' | 'cnpj' | null;
}

/**
 * Greeting used when no first name is known: "Olá, cliente!" reads naturally in Brazil, while a
 * company name in the greeting ("Olá, Padaria Sol Ltda!") sounds like a mail merge gone wrong.
 */
export const CONTATO_FALLBACK = 'cliente';

// Titles people type before the name ("Sr. João", "Dra. Ana") — greet the name, not the title.
const HONORIFICS = new Set([
  'sr',
  'sra',
  'srta',
  'dr',
  'dra',
  'prof',
  'profa',
  'professor',
  'professora',
  'dona',
  'd',
  'seu',
  'eng',
  'enga',
]);
// Contact cells often hold a department or role instead of a person; "Olá, Financeiro!" is wrong.
const NOT_A_NAME = new Set([
  'financeiro',
  'financeira',
  'comercial',
  'compras',
  'administrativo',
  'administracao',
  'adm',
  'contabilidade',
  'contabil',
  'juridico',
  'rh',
  'sac',
  'atendimento',
  'recepcao',
  'setor',
  'departamento',
  'contato',
  'responsavel',
  'gerente',
  'gerencia',
  'diretor',
  'diretora',
  'diretoria',
  'proprietario',
  'proprietaria',
  'socio',
  'socia',
  'dono',
  'dona',
  'cliente',
  'empresa',
  'loja',
  'escritorio',
]);

function titleCaseWord(word: string): string {
  // Only fix names typed all upper or all lower case; mixed case ("DeAndre") is kept as typed.
  if (word !== word.toUpperCase() && word !== word.toLowerCase()) return word;
  return word
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

/**
 * First name of a person in Title Case, or null when the value is empty, a placeholder, only an
 * initial, or a department/role rather than a person.
 *
 * @example firstName('MARIA DA SILVA') // 'Maria'
 * @example firstName('Sr. joão pedro') // 'João'
 * @example firstName('Financeiro')     // null
 */
export function firstName(fullName: string | null | undefined): string | null {
  const text = cleanText(fullName);
  if (text === '' || isPlaceholder(text)) return null;
  for (const token of text.split(/[\s/,;]+/)) {
    const key = stripAccents(token).toLowerCase().replace(/\.$/, '');
    if (HONORIFICS.has(key)) continue;
    const word = /^[\p{L}][\p{L}'’-]*/u.exec(token)?.[0] ?? '';
    if (word.length < 2 || NOT_A_NAME.has(stripAccents(word).toLowerCase())) return null;
    return titleCaseWord(word);
  }
  return null;
}

/**
 * Variables for the built-in templates: `contato`, `empresa`, `documento_mascarado`, `remetente`.
 * A variable whose source is empty is left out, so rendering reports it as missing instead of
 * sending a message with a blank.
 *
 * - contato: first name of `contato_nome`; for a pessoa física (CPF) without a contact, the
 *   first name of `nome` (it is the person's own name); otherwise {@link CONTATO_FALLBACK}.
 * - empresa: `nome` cleaned, casing kept as typed: title-casing an all-caps razão social would
 *   mangle acronyms and legal suffixes ("ABC COMERCIO ME" → "Abc Comercio Me").
 * - documento_mascarado: `maskDocument` (LGPD: never the full CPF/CNPJ in a message).
 *
 * @example
 * leadVariables(
 *   { nome: 'Padaria Sol Ltda', contato_nome: 'MARIA DA SILVA', documento: '11222333000181', documento_tipo: 'cnpj' },
 *   'Cobra Fácil',
 * )
 * // { contato: 'Maria', empresa: 'Padaria Sol Ltda', documento_mascarado: '11.222.***\/****-81',
 * //   remetente: 'Cobra Fácil' }
 */
export function leadVariables(lead: LeadForTemplate, remetente: string): Record<string, string> {
  const vars: Record<string, string> = {};
  vars.contato =
    firstName(lead.contato_nome) ?? (lead.documento_tipo === 'cpf' ? firstName(lead.nome) : null) ?? CONTATO_FALLBACK;
  const empresa = cleanText(lead.nome);
  if (empresa !== '') vars.empresa = empresa;
  if (cleanText(lead.documento) !== '') vars.documento_mascarado = maskDocument(lead.documento);
  const sender = cleanText(remetente);
  if (sender !== '') vars.remetente = sender;
  return vars;
}
