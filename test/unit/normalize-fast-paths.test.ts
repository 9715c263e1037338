/**
 * Differential test for the cheap-checks-first paths of normalizeEmail, normalizeDocument and
 * mapRow: the functions as they were before those paths (copied below, unchanged) are the reference,
 * and on many thousands of generated values both must give exactly the same result.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scripts/make-sample-leads.js';
import { detectHeader, mapRow, normalizeHeader, type RawLead, type SheetRow } from '../../src/core/ingest/columns.js';
import {
  isValidCnpj,
  isValidCpf,
  normalizeDocument,
  type NormalizedDocument,
} from '../../src/core/normalize/document.js';
import { normalizeEmail, type NormalizedEmail } from '../../src/core/normalize/email.js';
import { splitPhones } from '../../src/core/normalize/phone.js';
import { recoverNumericCell } from '../../src/core/normalize/numeric-cell.js';
import { cleanCell, cleanText, isPlaceholder, nameKey } from '../../src/core/normalize/text.js';

const oldEmail = (() => {
  const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
  const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
  const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

  // Misspellings of the providers Brazilian leads actually use. Only exact domains: a fuzzy
  // matcher would flag legitimate small-company domains.
  const TYPO_DOMAINS = new Set([
    'gmail.con',
    'gmail.co',
    'gmail.cm',
    'gmail.om',
    'gmail.cmo',
    'gmail.ocm',
    'gmail.comm',
    'gmail.com.com',
    'gmal.com',
    'gmial.com',
    'gmai.com',
    'gamil.com',
    'gnail.com',
    'gmaill.com',
    'gmeil.com',
    'gmsil.com',
    'gimail.com',
    'hotmal.com',
    'hotmial.com',
    'hotmai.com',
    'homail.com',
    'hotmil.com',
    'hotamil.com',
    'hotmaill.com',
    'hormail.com',
    'hotmail.con',
    'hotmail.co',
    'hotmail.cm',
    'hotmail.com.brr',
    'hotmail.combr',
    'yahoo.con',
    'yaho.com',
    'yahoo.com.bt',
    'yahho.com',
    'yhaoo.com',
    'yahoo.combr',
    'outlok.com',
    'outloo.com',
    'outlook.con',
    'outlook.co',
    'otlook.com',
    'outllok.com',
    'uol.con',
    'uol.com.bt',
    'bol.con',
    'bol.com.bt',
    'terra.con',
    'icloud.con',
    'icoud.com',
    'live.con',
  ]);
  // ".con", ".cmo"… are not TLDs anywhere; ".com.rb" and friends are swapped ".com.br".
  const TYPO_SUFFIX = /\.(?:con|cmo|ocm|vom|xom|comm|cpm|coom|com\.rb|com\.be|com\.bt|combr|br\.com)$/;

  function invalid(original: string, normalizado: string | null, motivo: string): NormalizedEmail {
    return {
      email_original: original,
      email_normalizado: normalizado,
      valido_para_disparo: false,
      motivo_invalido: motivo,
    };
  }

  /** Undo wrappers spreadsheets and mail clients add: mailto:, "Name <a@b>", quotes, punctuation. */
  function unwrap(v: string): string {
    let s = cleanText(v);
    const angle = /<([^<>]*@[^<>]*)>/.exec(s); // "João <joao@x.com>"
    if (angle) s = angle[1];
    s = s.replace(/^mailto:/i, '');
    s = s.replace(/^["'“”‘’(<[\s]+|["'“”‘’)>\]\s]+$/g, '');
    s = s.replace(/^mailto:/i, ''); // '"mailto:…"': quotes came first
    return s
      .replace(/[.,;:!?]+$/, '')
      .replace(/^[.,;:]+/, '')
      .toLowerCase();
  }

  /**
   * Normalises one e-mail address (trim, unwrap, lowercase) and checks it is sendable.
   *
   * @example normalizeEmail('MAILTO:Joao@Empresa.com.br').email_normalizado // 'joao@empresa.com.br'
   * @example normalizeEmail('sem email').motivo_invalido                  // 'placeholder'
   * @example normalizeEmail('-').motivo_invalido                          // 'vazio'
   * @example normalizeEmail('joao@gmail.con').motivo_invalido
   *   // 'domínio com erro de digitação provável: gmail.con'
   */
  function oldNormalizeEmail(raw: string): NormalizedEmail {
    const original = raw == null ? '' : String(raw);
    const trimmed = cleanText(original);
    if (trimmed === '' || nameKey(trimmed) === '') return invalid(original, null, 'vazio');
    if (isPlaceholder(trimmed)) return invalid(original, null, 'placeholder');

    const email = unwrap(trimmed);
    if (email === '') return invalid(original, null, 'vazio');
    if (/\s/.test(email)) return invalid(original, email, 'e-mail contém espaços');
    const at = email.split('@').length - 1;
    if (at === 0) return invalid(original, email, 'e-mail sem @');
    if (at > 1) return invalid(original, email, 'e-mail com mais de um @');
    if (/[^\x21-\x7e]/.test(email)) return invalid(original, email, 'e-mail com acento ou caractere especial');

    const [local, domain] = email.split('@');
    if (local === '' || local.length > 64 || !LOCAL_PART.test(local)) {
      return invalid(original, email, 'parte antes do @ inválida');
    }
    const labels = domain.split('.');
    if (
      domain === '' ||
      domain.length > 253 ||
      labels.length < 2 ||
      !labels.every((l) => DOMAIN_LABEL.test(l)) ||
      !TLD.test(labels[labels.length - 1])
    ) {
      return invalid(original, email, `domínio inválido: ${domain}`);
    }
    if (email.length > 254) return invalid(original, email, 'e-mail longo demais');
    if (TYPO_DOMAINS.has(domain) || TYPO_SUFFIX.test(domain)) {
      return invalid(original, email, `domínio com erro de digitação provável: ${domain}`);
    }
    return { email_original: original, email_normalizado: email, valido_para_disparo: true, motivo_invalido: null };
  }
  return { normalizeEmail: oldNormalizeEmail };
})();

const oldDocument = (() => {
  const CPF_LENGTH = 11;
  const CNPJ_LENGTH = 14;
  const CNPJ_WEIGHTS_1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  const CNPJ_WEIGHTS_2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  const CNPJ_SHAPE = /^[0-9A-Z]{12}[0-9]{2}$/;

  /** Mod-11 check digit as used by both CPF and CNPJ: remainder < 2 → 0, else 11 − remainder. */
  function mod11(values: number[], weights: number[]): number {
    let sum = 0;
    for (let i = 0; i < weights.length; i++) sum += values[i] * weights[i];
    const r = sum % 11;
    return r < 2 ? 0 : 11 - r;
  }

  function strip(doc: string): string {
    return String(doc ?? '')
      .replace(/[\s.\-/\\]/g, '')
      .toUpperCase();
  }

  function allEqual(s: string): boolean {
    return /^(.)\1*$/.test(s);
  }

  /**
   * CPF check (11 digits, punctuation allowed, no zero-padding here).
   *
   * @example oldIsValidCpf('529.982.247-25') // true
   * @example oldIsValidCpf('111.111.111-11') // false
   */
  function oldIsValidCpf(doc: string): boolean {
    const d = strip(doc);
    if (!/^\d{11}$/.test(d) || allEqual(d)) return false;
    const n = [...d].map(Number);
    const w1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
    const w2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    return mod11(n, w1) === n[9] && mod11(n, w2) === n[10];
  }

  /**
   * CNPJ check, numeric or alphanumeric (punctuation allowed, case-insensitive).
   *
   * @example oldIsValidCnpj('11.222.333/0001-81') // true
   * @example oldIsValidCnpj('12.ABC.345/01DE-35') // true (alphanumeric CNPJ)
   */
  function oldIsValidCnpj(doc: string): boolean {
    const d = strip(doc);
    if (!CNPJ_SHAPE.test(d) || allEqual(d)) return false;
    const v = [...d].map((c) => c.charCodeAt(0) - 48);
    return mod11(v, CNPJ_WEIGHTS_1) === v[12] && mod11(v, CNPJ_WEIGHTS_2) === v[13];
  }

  function result(documento: string | null, tipo: 'cpf' | 'cnpj' | null, motivo: string | null): NormalizedDocument {
    return { documento, documento_tipo: tipo, documento_valido: motivo === null, motivo_invalido: motivo };
  }

  function checked(doc: string, tipo: 'cpf' | 'cnpj'): NormalizedDocument {
    const label = tipo.toUpperCase();
    if (allEqual(doc)) return result(doc, tipo, `${label} inválido: todos os dígitos iguais`);
    const ok = tipo === 'cpf' ? oldIsValidCpf(doc) : oldIsValidCnpj(doc);
    return result(doc, tipo, ok ? null : `${label} com dígito verificador inválido`);
  }

  /**
   * Normalises a CPF or CNPJ as found in a spreadsheet and validates its check digits.
   *
   * Leading zeros lost in numeric cells are restored by length: up to 11 digits is read as a
   * CPF padded to 11; 12–14 digits can only be a CNPJ (a CPF never has more than 11), padded to
   * 14. A short number that fails as CPF but passes as zero-padded CNPJ is taken as CNPJ, as is
   * one written with "/" or labelled "CNPJ" (the CNPJ branch separator).
   *
   * @example normalizeDocument('529.982.247-25')  // { documento: '52998224725', documento_tipo: 'cpf', documento_valido: true, motivo_invalido: null }
   * @example normalizeDocument('11222333000181')  // { documento: '11222333000181', documento_tipo: 'cnpj', documento_valido: true, … }
   * @example normalizeDocument('1.23457E+13')     // { documento: null, documento_valido: false, motivo_invalido: 'número perdeu precisão na planilha…' }
   */
  function oldNormalizeDocument(raw: string): NormalizedDocument {
    let s = cleanText(raw);
    if (s === '' || isPlaceholder(s)) return result(null, null, 'vazio');

    // "CNPJ: 11.222.333/0001-81", "CPF/CNPJ 123…": the label is a hint, not part of the value.
    const label = /^(cpf|cnpj)(?:\s*\/\s*(?:cpf|cnpj))?\s*(?:n[º°o.]?)?\s*[:\-]?\s*/i.exec(s);
    const labelHint = label && !/\//.test(label[0]) ? label[1].toLowerCase() : null;
    if (label) s = s.slice(label[0].length);

    const cell = recoverNumericCell(s);
    if (cell.precisionLost) {
      return result(
        null,
        null,
        `número perdeu precisão na planilha (notação científica: ${s}); formate a coluna como texto e digite o documento de novo`,
      );
    }
    const slashHint = cell.text.includes('/');
    const doc = strip(cell.text);
    if (doc === '') return result(null, null, 'vazio');
    if (/[^0-9A-Z]/.test(doc)) return result(doc, null, 'documento com caracteres inválidos');

    if (/[A-Z]/.test(doc)) {
      // Letters only exist in the new alphanumeric CNPJ, which is typed as text, so no padding.
      if (doc.length !== CNPJ_LENGTH)
        return result(doc, null, `documento com letras deve ter 14 caracteres (tem ${doc.length})`);
      if (!CNPJ_SHAPE.test(doc)) return result(doc, 'cnpj', 'CNPJ inválido: os 2 últimos caracteres devem ser dígitos');
      return checked(doc, 'cnpj');
    }

    if (doc.length > CNPJ_LENGTH) return result(doc, null, `documento com dígitos demais (${doc.length})`);
    if (doc.length > CPF_LENGTH || slashHint || labelHint === 'cnpj')
      return checked(doc.padStart(CNPJ_LENGTH, '0'), 'cnpj');
    const cpf = doc.padStart(CPF_LENGTH, '0');
    const cnpj = doc.padStart(CNPJ_LENGTH, '0');
    if (labelHint !== 'cpf' && !oldIsValidCpf(cpf) && oldIsValidCnpj(cnpj)) return checked(cnpj, 'cnpj');
    return checked(cpf, 'cpf');
  }
  return { normalizeDocument: oldNormalizeDocument, isValidCpf: oldIsValidCpf, isValidCnpj: oldIsValidCnpj };
})();

/** The per-cell helpers of mapRow as they were. */
const oldCells = (() => {
  /** NBSP and other odd spaces become spaces, zero-width characters go, ends are trimmed. */
  function oldCellText(text: string): string {
    if (PRINTABLE_ASCII.test(text)) return text.trim();
    return text
      .replace(/[\u00A0\u2007\u202F\u3000]/g, ' ')
      .replace(/[\u200B-\u200D\uFEFF]/g, '')
      .trim();
  }

  function collapse(text: string): string {
    return text.replace(/\s+/g, ' ');
  }

  const NONZERO_DIGIT = /[1-9]/;
  const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
  const PLACEHOLDERS = new Set([
    'n/a',
    'na',
    'n/d',
    'nd',
    'n.a.',
    'n.d.',
    'null',
    'none',
    'nan',
    'undefined',
    'nenhum',
    'nenhuma',
    '0',
    'x',
    'xx',
    'xxx',
    'sem',
    'sem email',
    'sem e-mail',
    'sem telefone',
    'sem tel',
    'sem fone',
    'sem celular',
    'sem contato',
    'sem cnpj',
    'sem cpf',
    'sem documento',
    'sem nome',
    'nao informado',
    'nao informada',
    'nao possui',
    'nao tem',
    'nao consta',
    'nao ha',
    'inexistente',
    'desconhecido',
    'a definir',
    'vazio',
    '(vazio)',
    '#n/a',
    '#ref!',
    '#value!',
    '#valor!',
  ]);

  function unlessPlaceholder(text: string): string {
    // Neither the set nor the pattern below holds a digit other than 0: a quick no for numbers.
    if (NONZERO_DIGIT.test(text)) return text;
    if (/^[\s\-–—_.*/\\?]*$/.test(text)) return '';
    const norm = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ');
    return PLACEHOLDERS.has(norm) ? '' : text;
  }
  return { cleanText: oldCellText, collapse, unlessPlaceholder };
})();

const rand = mulberry32(42); // seeded: a failure always reproduces
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
const join = (pieces: readonly string[], n: number) => Array.from({ length: n }, () => pick(pieces)).join('');

const ODD = [
  ' ',
  '  ',
  '\u00A0',
  '\u2007',
  '\u202F',
  '\u3000',
  '\u200B',
  '\uFEFF',
  '\t',
  '\n',
  '\r\n',
  '\u00AD',
  '\u0301',
];

describe('normalizeEmail: cheap checks give what the old version gives', () => {
  const LOCALS = [
    'contato',
    'Joao.Silva',
    'vendas',
    'a',
    'ana_paula',
    'x+tag',
    'é',
    'nao',
    'sem',
    'n',
    '123',
    '',
    '.a',
    'a..b',
  ];
  const DOMAINS = [
    'gmail.com',
    'Empresa.com.br',
    'gmail.con',
    'hotmail.com.brr',
    'uol.com.br',
    'x',
    'a.b',
    'a-.com',
    'b.c0m',
    'xn--bcher-kva.com',
    'empresa.com.rb',
    'emprésa.com',
    'localhost',
    '',
    'a..com',
    '.com',
    'com.',
    '-a.com',
    'a.-com',
    'a.b.c.d.e',
    `${'a'.repeat(63)}.com`,
    `${'a'.repeat(64)}.com`,
    `${'ab.'.repeat(90)}com`,
    'a.c',
    'a.co1',
    'a.xn--p1ai',
  ];
  const BEFORE = [
    '',
    '',
    '',
    'mailto:',
    'MAILTO:',
    '<',
    '"',
    "'",
    '“',
    '(',
    '[',
    ' ',
    '.',
    ',',
    ';',
    'João <',
    'Email: ',
    '"mailto:',
  ];
  const AFTER = ['', '', '', '>', '"', "'", '”', ')', ']', ' ', '.', ',', ';', '!', '?', ':', '.,', ' e'];
  const cases: string[] = [
    '',
    '-',
    'N/A',
    'sem email',
    'sem e-mail',
    'Não possui',
    '---',
    '@',
    '@@',
    'a@b@c.com',
    '?',
    '0',
    'x',
  ];
  for (let i = 0; i < 20_000; i++) {
    const at = rand() < 0.9 ? '@' : pick(['', '@@', ' @ ', '＠']);
    cases.push(
      pick(BEFORE) +
        pick(LOCALS) +
        (rand() < 0.3 ? digits(2) : '') +
        at +
        pick(DOMAINS) +
        pick(AFTER) +
        (rand() < 0.1 ? pick(ODD) : ''),
    );
  }

  it(`on ${cases.length} cells`, () => {
    for (const v of cases) {
      const got = normalizeEmail(v);
      const want = oldEmail.normalizeEmail(v);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ v, ...got }).toEqual({ v, ...want });
    }
  });
});

describe('normalizeDocument: string-based check digits give what the old version gives', () => {
  const withCheck = (base: string, weights: number[]) => {
    const sum = weights.reduce((s, w, k) => s + w * (base.charCodeAt(k) - 48), 0);
    const r = sum % 11;
    return base + (r < 2 ? 0 : 11 - r);
  };
  const cpf = () => withCheck(withCheck(digits(9), [10, 9, 8, 7, 6, 5, 4, 3, 2]), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  const cnpj = (root = digits(8)) =>
    withCheck(withCheck(`${root}0001`, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]), [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const fmt = (d: string) =>
    d.length === 11
      ? `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`
      : d.length === 14
        ? `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`
        : d;
  const cases: string[] = [
    '',
    '-',
    'N/A',
    '00000000000',
    '11111111111',
    '00000000000000',
    '1.23457E+13',
    '1.1222333000181E+13',
    '11222333000181.0',
    'CNPJ: 11.222.333/0001-81',
    'CPF 529.982.247-25',
    'CPF/CNPJ 11222333000181',
    '12.ABC.345/01DE-35',
    '12abc34501de35',
    'AAAAAAAAAAAAAA',
    'ÇÇÇ',
    '\n\n',
    'a\nb',
  ];
  for (let i = 0; i < 20_000; i++) {
    const kind = rand();
    let d =
      kind < 0.3
        ? cpf()
        : kind < 0.6
          ? cnpj()
          : kind < 0.7
            ? cnpj().replace(/^0+/, '')
            : kind < 0.8
              ? join(ALNUM, 12) + digits(2)
              : digits(1 + Math.floor(rand() * 16));
    if (rand() < 0.2) d = d.slice(0, -1) + String((Number(d.slice(-1)) + 1) % 10); // wrong check digit
    if (rand() < 0.3) d = fmt(d);
    if (rand() < 0.1) d = d.toLowerCase();
    cases.push(
      pick(['', '', '', 'CNPJ: ', 'CPF ', 'cpf/cnpj ', ' ', 'Nº ']) + d + pick(['', '', '', ' ', '.0', '\u00A0', '/']),
    );
  }

  it(`on ${cases.length} cells`, () => {
    for (const v of cases) {
      const got = normalizeDocument(v);
      const want = oldDocument.normalizeDocument(v);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ v, ...got }).toEqual({ v, ...want });
      if (isValidCpf(v) !== oldDocument.isValidCpf(v))
        expect({ v, cpf: isValidCpf(v) }).toEqual({ v, cpf: oldDocument.isValidCpf(v) });
      if (isValidCnpj(v) !== oldDocument.isValidCnpj(v))
        expect({ v, cnpj: isValidCnpj(v) }).toEqual({ v, cnpj: oldDocument.isValidCnpj(v) });
    }
  });
});

describe('mapRow: cheap per-cell checks give what the old helpers give', () => {
  const HEADER = ['Empresa', 'Contato', 'CNPJ', 'Telefone', 'Email', 'Cidade'];
  const mapping = detectHeader([{ sheet: 'Leads', rowNumber: 1, cells: HEADER }])!;
  const norms = HEADER.slice(0, 5).map(normalizeHeader);
  const WORDS = [
    'Comercial',
    'São',
    'Jorge',
    'Ltda',
    'Ana',
    'Ñandu',
    'Ødegaard',
    'N/A',
    'n.a.',
    '-',
    '—',
    '_',
    '?',
    '*',
    'sem email',
    'Sem E-mail',
    'Não possui',
    'nao tem',
    '#N/A',
    '(vazio)',
    '0',
    'x',
    'XX',
    'null',
    'Desconhecido',
    'a definir',
    'Empresa',
    'Contato',
    'CNPJ',
    'C.N.P.J.',
    'Telefone',
    'E-mail',
    'Email',
    'e mail',
    '(11) 98765-4321',
    '98765-4321',
    '11222333000181',
    'contato1@gmail.com',
    'Nadia',
    'Semana',
    'Inês',
    'Vítor',
    'Ünal',
    'Ação',
    '1',
    '00',
    'ﬁ',
    '中文',
  ];
  const cell = () => (rand() < 0.15 ? '' : join([...WORDS, ...ODD], 1 + Math.floor(rand() * 4)));

  function reference(row: SheetRow): RawLead | null | 'footer?' {
    const cells = row.cells.map(oldCells.cleanText);
    if (cells.filter((c) => c !== '').length <= 2) return 'footer?'; // isFooter is unchanged: not compared
    let same = 0;
    norms.forEach((norm, i) => {
      if (norm && normalizeHeader(cells[i] ?? '') === norm) same++;
    });
    if (same >= 2) return null;
    const value = (i: number) => oldCells.unlessPlaceholder(cells[i] ?? '');
    const lead: RawLead = {
      rowNumber: row.rowNumber,
      sheet: row.sheet,
      nome: oldCells.collapse(value(0)),
      contato_nome: oldCells.collapse(value(1)),
      documento: value(2),
      telefones: [value(3)].filter((v) => v !== ''),
      emails: [value(4)].filter((v) => v !== ''),
      lead_id_externo: '',
      extras: {},
    };
    if (value(2) === '' && cells[2]) lead.extras.CNPJ = cells[2];
    if (cells[5]) lead.extras.Cidade = cells[5];
    return lead;
  }

  it('on 20000 generated rows', () => {
    let compared = 0;
    for (let n = 0; n < 20_000; n++) {
      const row: SheetRow = { sheet: 'Leads', rowNumber: n + 2, cells: Array.from({ length: 6 }, cell) };
      const want = reference(row);
      if (want === 'footer?') continue;
      compared++;
      const got = mapRow(mapping, row);
      if (JSON.stringify(got) !== JSON.stringify(want))
        expect({ cells: row.cells, got }).toEqual({ cells: row.cells, got: want });
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});

describe('splitPhones: a one-number cell is kept as it is unless its ends need stripping, as before', () => {
  // The old one-number branch, in full.
  const old = (cell: string): string[] | null => {
    const text = cleanCell(cell);
    if (text === '' || isPlaceholder(text)) return [];
    if (!/^[\d()+\-. ]+$/.test(text) || text.replace(/\D/g, '').length > 14) return null; // not that branch
    const part = cleanText(text.replace(/^[\s:.\-–—]+|[\s:\-–—]+$/g, ''));
    return part !== '' && /\d/.test(part) && !isPlaceholder(part) ? [part] : [];
  };
  const PIECES = [
    '1',
    '9',
    '0',
    '00',
    '11',
    '98765',
    '4321',
    ' ',
    '  ',
    '-',
    '--',
    '.',
    '(',
    ')',
    '+',
    '\u00A0',
    '\t',
    ':',
  ];

  it('on 20000 generated cells', () => {
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const cell = join(PIECES, 1 + Math.floor(rand() * 8));
      const want = old(cell);
      if (want === null) continue;
      compared++;
      const got = splitPhones(cell);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ cell, got }).toEqual({ cell, got: want });
    }
    expect(compared).toBeGreaterThan(5_000);
  });
});
