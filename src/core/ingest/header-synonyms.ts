import type { LeadField } from './column-types.js';

/**
 * pt-BR column headers → lead fields. Headers are compared after {@link normalizeHeader}
 * (accents, case, punctuation and spacing ignored) and with a trailing number removed
 * ("Telefone 2", "E-mail1", "Tel. (3)"). Rank orders the candidates for fields that take one
 * column: Razão Social beats Empresa beats Nome Fantasia beats Cliente beats Nome.
 */
export interface HeaderMatch {
  field: LeadField;
  rank: number;
}

const EXACT: Record<LeadField, string[][]> = {
  nome: [
    ['razao social', 'razao social nome', 'nome razao social', 'nome da razao social'],
    [
      'empresa',
      'nome da empresa',
      'nome empresa',
      'empresa nome',
      'companhia',
      'nome da companhia',
      'organizacao',
      'estabelecimento',
      'nome do estabelecimento',
      'company',
      'company name',
      'empresa cliente',
    ],
    ['nome fantasia', 'fantasia'],
    ['cliente', 'nome do cliente', 'nome cliente', 'cliente nome', 'lead', 'nome do lead', 'nome lead'],
    ['nome', 'name', 'nome completo', 'full name'],
  ],
  contato_nome: [
    [
      'nome do responsavel',
      'nome responsavel',
      'nome do contato',
      'nome contato',
      'pessoa de contato',
      'pessoa contato',
      'nome da pessoa de contato',
      'contato nome',
      'contact name',
      'responsavel nome',
    ],
    ['responsavel', 'contato', 'contact', 'contato principal', 'representante', 'falar com', 'ac', 'aos cuidados de'],
  ],
  documento: [
    [
      'cnpj cpf',
      'cpf cnpj',
      'cnpj ou cpf',
      'cpf ou cnpj',
      'cnpj e cpf',
      'documento',
      'doc',
      'documento cnpj cpf',
      'documento cpf cnpj',
      'numero do documento',
      'n documento',
      'no documento',
      'num documento',
    ],
    ['cnpj'],
    ['cpf'],
  ],
  telefone: [
    [
      'telefone',
      'telefones',
      'tel',
      'tels',
      'fone',
      'fones',
      'celular',
      'celulares',
      'cel',
      'whatsapp',
      'whats',
      'whats app',
      'wpp',
      'zap',
      'telefone fixo',
      'telefone celular',
      'contato telefonico',
      'numero de telefone',
      'numero do telefone',
      'phone',
      'mobile',
      'telefone comercial',
      'telefone residencial',
      'telefone de contato',
    ],
  ],
  email: [['email', 'emails', 'correio eletronico', 'mail', 'endereco de email', 'endereco eletronico']],
  lead_id_externo: [
    [
      'id',
      'id externo',
      'codigo',
      'cod',
      'codigo do cliente',
      'cod cliente',
      'codigo cliente',
      'cod do cliente',
      'id cliente',
      'id do cliente',
      'id lead',
      'id do lead',
      'lead id',
      'codigo externo',
      'cod externo',
      'external id',
      'codigo interno',
      'id crm',
      'ref',
      'referencia',
    ],
  ],
  valor: [
    [
      'valor em aberto',
      'valor aberto',
      'valor devido',
      'valor da divida',
      'valor divida',
      'valor do debito',
      'valor debito',
      'saldo devedor',
      'valor em atraso',
      'valor atualizado',
      'valor a pagar',
      'debito',
      'divida',
    ],
    ['valor', 'valor total', 'valor original', 'valor do titulo', 'valor da parcela', 'valor r', 'amount'],
  ],
  vencimento: [
    [
      'vencimento',
      'data de vencimento',
      'data do vencimento',
      'data vencimento',
      'dt vencimento',
      'dt venc',
      'venc',
      'vencto',
      'dt vencto',
      'due date',
    ],
  ],
  contrato: [
    [
      'contrato',
      'numero do contrato',
      'n contrato',
      'no contrato',
      'num contrato',
      'contrato n',
      'nota fiscal',
      'numero da nota fiscal',
      'numero da nota',
      'n nota fiscal',
      'nf',
      'nfe',
      'nf e',
      'fatura',
      'numero da fatura',
      'n fatura',
      'titulo',
      'numero do titulo',
      'duplicata',
    ],
  ],
  uf: [
    [
      'cidade uf',
      'cidade estado',
      'cidade e uf',
      'municipio uf',
      'municipio estado',
      'uf cidade',
      'uf',
      'estado',
      'estado uf',
      'sigla uf',
      'uf do cliente',
      'estado do cliente',
    ],
  ],
  descricao: [
    ['descricao', 'descricao da divida', 'descricao do debito', 'historico', 'referente a', 'referencia da divida'],
  ],
};

const EXACT_INDEX = new Map<string, HeaderMatch>();
for (const [field, ranks] of Object.entries(EXACT) as Array<[LeadField, string[][]]>) {
  ranks.forEach((names, rank) => names.forEach((name) => EXACT_INDEX.set(name, { field, rank })));
}

const PHONE_WORDS = new Set([
  'telefone',
  'telefones',
  'tel',
  'tels',
  'fone',
  'fones',
  'celular',
  'celulares',
  'cel',
  'whatsapp',
  'whats',
  'wpp',
  'zap',
  'telefonico',
  'phone',
  'mobile',
]);
const CONTACT_PERSON = /^(nome (do|da) )?(responsavel|contato|pessoa de contato)\b/;

/** 'Razão  Social/Nome' → 'razao social nome'; 'E-mail 2' → 'email 2'; 'C.N.P.J.' → 'cnpj'. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/(?<=\b\p{L}) (?=\p{L}\b)/gu, '') // spelled-out letters: 'c n p j', 'a c'
    .replace(/\be (mails?)\b/g, 'e$1');
}

/** The field a header names and its rank, or null. */
export function headerMatch(header: string): HeaderMatch | null {
  const norm = normalizeHeader(header);
  if (!norm) return null;
  const base = norm.replace(/\s*\d+$/, '').replace(/^\d+\s*[oa]?\s+/, '') || norm;
  const exact = EXACT_INDEX.get(base) ?? EXACT_INDEX.get(norm);
  if (exact) return exact;

  // Longer headers ("CNPJ do cliente", "Telefone (com DDD)", "E-mail do responsável"): by keyword.
  // Long texts are titles or notes, not headers.
  const words = base.split(' ');
  if (words.length > 5) return null;
  const has = (w: string) => words.includes(w);
  if (has('cnpj') && has('cpf')) return { field: 'documento', rank: 0 };
  if (has('cnpj')) return { field: 'documento', rank: 1 };
  if (has('cpf')) return { field: 'documento', rank: 2 };
  if (has('email') || has('emails') || base.includes('correio eletronico')) {
    return { field: 'email', rank: 0 };
  }
  if (words.some((w) => PHONE_WORDS.has(w))) return { field: 'telefone', rank: 0 };
  if (CONTACT_PERSON.test(base)) return { field: 'contato_nome', rank: 1 };
  if (base.includes('razao social')) return { field: 'nome', rank: 0 };
  if (base.includes('nome fantasia')) return { field: 'nome', rank: 2 };
  if (has('uf') && words.length <= 3) return { field: 'uf', rank: 0 };
  if (has('vencimento') || has('vencto')) return { field: 'vencimento', rank: 0 };
  if (has('valor') && (has('aberto') || has('devido') || has('atraso') || has('divida') || has('debito')))
    return { field: 'valor', rank: 0 };
  return null;
}
