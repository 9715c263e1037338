/**
 * The standard variables of a lead, as the built-in templates expect them.
 */
import { formatDocument, maskDocument } from '../normalize/document.js';
import { formatDateBr } from '../normalize/due-date.js';
import { formatAmount } from '../normalize/money.js';
import { cleanText, isPlaceholder, stripAccents } from '../normalize/text.js';

/** The lead fields the variables come from (a subset of the leads row). */
export interface LeadForTemplate {
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: 'cpf' | 'cnpj' | null;
  /** The lead's open debts (decisions-sql.ts div): sum in centavos, earliest due date (ISO), contracts. */
  divida_centavos?: number | null;
  divida_vencimento?: string | null;
  divida_contratos?: string | null;
}

/** The creditor a collection message names (CDC art. 42-A): the tenant's configuration. */
export interface CreditorForTemplate {
  razao_social: string;
  /** 14 characters, check digits valid. */
  cnpj: string;
  endereco: string;
  /** How to pay or talk: a phone, an e-mail, a site. */
  contato: string;
}

/**
 * Every variable a template may use, with where it comes from: set_outreach_policy refuses a template
 * override that uses another one, naming these.
 */
export const TEMPLATE_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  contato: 'primeiro nome do contato (ou "cliente")',
  empresa: 'nome do lead (razão social)',
  documento_mascarado: 'CPF/CNPJ do lead mascarado (LGPD)',
  remetente: 'quem envia: sender_name, senão a razão social do credor',
  valor_divida: 'soma das dívidas em aberto não prescritas, "R$ 1.234,56"',
  vencimento_divida: 'vencimento mais antigo dessas dívidas, "05/03/2026"',
  contrato_divida: 'contratos / notas dessas dívidas, separados por vírgula',
  credor: 'razão social do credor',
  credor_cnpj: 'CNPJ do credor, "11.222.333/0001-81"',
  credor_endereco: 'endereço do credor',
  credor_contato: 'canal para pagar ou conversar com o credor',
  data_reuniao: 'reuniões: "terça-feira, 10/03/2026"',
  hora_reuniao: 'reuniões: "14:00"',
  fuso: 'reuniões: "horário de Brasília"',
  link_ou_local: 'reuniões: link ou local',
});

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
 * Variables for the built-in templates ({@link TEMPLATE_VARIABLES}): `contato`, `empresa`,
 * `documento_mascarado`, `remetente`; the debt (`valor_divida`, `vencimento_divida`, `contrato_divida`,
 * when the lead has open debts) and the creditor (`credor`, `credor_cnpj`, `credor_endereco`,
 * `credor_contato`, when configured).
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
export function leadVariables(
  lead: LeadForTemplate,
  remetente: string,
  credor?: CreditorForTemplate | null,
): Record<string, string> {
  const vars: Record<string, string> = {};
  vars.contato =
    firstName(lead.contato_nome) ?? (lead.documento_tipo === 'cpf' ? firstName(lead.nome) : null) ?? CONTATO_FALLBACK;
  const empresa = cleanText(lead.nome);
  if (empresa !== '') vars.empresa = empresa;
  if (cleanText(lead.documento) !== '') vars.documento_mascarado = maskDocument(lead.documento);
  const sender = cleanText(remetente);
  if (sender !== '') vars.remetente = sender;
  if (lead.divida_centavos != null) vars.valor_divida = formatAmount(lead.divida_centavos);
  if (lead.divida_vencimento) vars.vencimento_divida = formatDateBr(lead.divida_vencimento);
  if (lead.divida_contratos) vars.contrato_divida = lead.divida_contratos;
  if (credor) {
    vars.credor = credor.razao_social;
    vars.credor_cnpj = formatDocument(credor.cnpj, 'cnpj');
    vars.credor_endereco = credor.endereco;
    vars.credor_contato = credor.contato;
  }
  return vars;
}
