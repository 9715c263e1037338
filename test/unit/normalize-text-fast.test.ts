/**
 * Differential test: the text helpers take cheap paths for clean Latin-1 text (scans and a table
 * instead of NFC/NFD passes and regex-replace chains). The straightforward versions below are the
 * reference (as they were before the fast paths): on many thousands of generated strings mixing
 * ASCII, Latin-1 accents, decomposed accents, odd spaces, invisible characters, line breaks, other
 * scripts and placeholder words, both must give exactly the same result.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scripts/make-sample-leads.js';
import { cleanCell, cleanText, isPlaceholder, nameKey, stripAccents } from '../../src/core/normalize/text.js';

const ref = (() => {
  const UNICODE_SPACES = /[\t\v\f\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
  const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060\uFEFF]/g;
  const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
  const COMBINING_MARKS = /\p{M}+/gu;
  const toStr = (v: string | null | undefined) => (v == null ? '' : String(v));
  const cleanText = (v: string | null | undefined): string =>
    toStr(v).normalize('NFC').replace(INVISIBLE, '').replace(UNICODE_SPACES, ' ').replace(/\s+/g, ' ').trim();
  const cleanCell = (v: string | null | undefined): string =>
    toStr(v)
      .normalize('NFC')
      .replace(INVISIBLE, '')
      .replace(LINE_BREAKS, '\n')
      .split('\n')
      .map((line) => cleanText(line))
      .filter((line) => line !== '')
      .join('\n');
  const stripAccents = (v: string): string => toStr(v).normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
  const nameKey = (v: string): string =>
    stripAccents(cleanText(v))
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  const QUALIFIED_PLACEHOLDER = new RegExp(
    '^(?:sem|nao tem|nao possui|nao ha|nao informado|nao informada|nao consta|nao cadastrado|' +
      'nao cadastrada|nenhum|nenhuma|inexistente|a definir|a confirmar|a informar)' +
      '(?: (?:o|a|de|do|da|um|uma))?' +
      '(?: (?:e ?mail|telefone|tel|fone|celular|cel|whatsapp|whats|zap|contato|numero|n|cpf|cnpj|' +
      'documento|doc|dado|dados|informacao))?$',
  );
  const BARE_PLACEHOLDERS = new Set([
    'na',
    'nd',
    'ni',
    'sn',
    'si',
    'null',
    'nulo',
    'none',
    'nil',
    'nan',
    'undefined',
    'vazio',
    'nada',
    'nao',
    'naotem',
    'x',
    'xx',
    'xxx',
    'xxxx',
    '0',
    '00',
  ]);
  const isPlaceholder = (v: string): boolean => {
    const key = nameKey(v);
    if (key === '') return true;
    if (BARE_PLACEHOLDERS.has(key.replace(/ /g, ''))) return true;
    return QUALIFIED_PLACEHOLDER.test(key);
  };
  return { cleanText, cleanCell, stripAccents, nameKey, isPlaceholder };
})();

const rand = mulberry32(7); // seeded: a failure always reproduces
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];

const LATIN1 = Array.from({ length: 0x60 }, (_, i) => String.fromCharCode(0xa0 + i)); // U+00A0–U+00FF
const PIECES = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''),
  ' ',
  ' ',
  ' ',
  '  ',
  '-',
  '.',
  '/',
  '@',
  '_',
  ',',
  ';',
  ':',
  '?',
  '*',
  '(',
  ')',
  '#',
  '!',
  "'",
  '"',
  '\\',
  '\x7f',
  ...LATIN1,
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\v',
  '\f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u1680',
  '\u2003',
  '\u2007',
  '\u202F',
  '\u205F',
  '\u3000',
  '\u180E',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u0301',
  '\u0303',
  '\u0327',
  '\u0308',
  'a\u0303',
  'c\u0327',
  'e\u0301',
  'I\u0307',
  '\u0130',
  'ﬁ',
  'Ω',
  'ř',
  'Ł',
  'ő',
  '中',
  '😀',
  'α',
  'я',
  '١',
  '²',
  'sem',
  'sem ',
  'Sem e-mail',
  'não',
  'nao ',
  'N/A',
  'n/d',
  'NULL',
  'nenhum',
  'inexistente',
  'a definir',
  'x',
  'xx',
  '0',
  'email',
  'telefone',
  'São',
  'João',
  'Antônia',
  'Conceição',
  'Ltda',
  'contato',
  '@gmail.com',
];

function randomText(): string {
  const n = Math.floor(rand() * 8);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(PIECES);
  return s;
}

const CASES = [
  '',
  ' ',
  'Comercial São Jorge 1 Ltda',
  'Ana Silva',
  'padaria sao joao ltda',
  'Padaria  São João LTDA.',
  'N/A',
  '-',
  'sem email',
  'Não possui',
  'contato1@gmail.com',
  'Nadia',
  'Semana',
  'Ñandu',
  'Æsir',
  'ªb',
  'ß',
  'µ',
  '½',
  ...LATIN1,
  ...LATIN1.map((c) => `a${c}b`),
  ...LATIN1.map((c) => `${c} ${c}`),
  ...Array.from({ length: 30_000 }, randomText),
];

describe('text helpers: fast paths give what the reference versions give', () => {
  for (const name of ['cleanText', 'cleanCell', 'stripAccents', 'nameKey', 'isPlaceholder'] as const) {
    it(`${name} on ${CASES.length} strings`, () => {
      const fast = { cleanText, cleanCell, stripAccents, nameKey, isPlaceholder }[name] as (v: string) => unknown;
      const reference = ref[name] as (v: string) => unknown;
      for (const v of CASES) {
        const got = fast(v);
        const want = reference(v);
        if (got !== want) expect({ v, got }).toEqual({ v, got: want });
      }
    });
  }
});
