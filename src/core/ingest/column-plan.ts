/** A header mapping compiled once into what mapRow walks for every row (columns per field, DDD columns, extras). */
import { DEBT_FIELDS, type ColumnMapping, type DebtField, type LeadField } from './column-types.js';
import { headerMatch, normalizeHeader } from './header-synonyms.js';

/** Precomputed per mapping: which columns feed which field, in priority order, and extras keys. */
export interface Plan {
  single: Partial<Record<'nome' | 'contato_nome' | 'lead_id_externo' | 'uf' | DebtField, number>>;
  documento: number[];
  telefone: number[];
  email: number[];
  /** Phone column index → the DDD column that completes it ("DDD | Telefone" layouts). */
  ddd: Map<number, number>;
  extras: Array<{ index: number; key: string }>;
  /** Whether any column feeds a debt field (valor, vencimento, contrato, descrição). */
  hasDebt: boolean;
  headerNorms: Map<number, string>;
  /** headerNorms as two parallel arrays: walked for every row, without a [key, value] pair per entry. */
  headerIndexes: number[];
  headerNormList: string[];
  width: number;
}

const plans = new WeakMap<ColumnMapping, Plan>();

export function planFor(mapping: ColumnMapping): Plan {
  let plan = plans.get(mapping);
  if (!plan) {
    plan = compilePlan(mapping);
    plans.set(mapping, plan);
  }
  return plan;
}

function compilePlan(mapping: ColumnMapping): Plan {
  const cols = [...mapping.columns].sort((a, b) => a.index - b.index);
  const of = (f: LeadField) => cols.filter((c) => c.field === f);
  const plan: Plan = {
    single: {},
    documento: of('documento')
      .map((c) => ({ c, rank: headerMatch(c.header)?.field === 'documento' ? headerMatch(c.header)!.rank : 9 }))
      .sort((a, b) => a.rank - b.rank || a.c.index - b.c.index)
      .map(({ c }) => c.index),
    telefone: of('telefone').map((c) => c.index),
    email: of('email').map((c) => c.index),
    ddd: new Map(),
    extras: [],
    hasDebt: cols.some((c) => DEBT_FIELDS.includes(c.field as DebtField)),
    headerNorms: new Map(cols.filter((c) => c.field).map((c) => [c.index, normalizeHeader(c.header)])),
    headerIndexes: [],
    headerNormList: [],
    width: cols.reduce((w, c) => Math.max(w, c.index + 1), 0),
  };
  for (const [index, norm] of plan.headerNorms) {
    plan.headerIndexes.push(index);
    plan.headerNormList.push(norm);
  }
  for (const f of ['nome', 'contato_nome', 'lead_id_externo', 'uf', ...DEBT_FIELDS] as const) {
    const first = of(f)[0];
    if (first) plan.single[f] = first.index;
  }
  const used = new Set<string>();
  for (const c of cols) {
    // A document column may lose to another (CNPJ | CPF); debt and city/UF columns stay readable as the sheet had them.
    if (c.field && c.field !== 'documento' && c.field !== 'uf' && !DEBT_FIELDS.includes(c.field as DebtField)) continue;
    plan.extras.push({ index: c.index, key: uniqueKey(c.header || `Coluna ${columnLetter(c.index)}`, used) });
  }
  const dddCols = cols.filter((c) => !c.field && /^ddd\s*\d*$/.test(normalizeHeader(c.header))).map((c) => c.index);
  for (const phone of plan.telefone) {
    const left = dddCols.filter((d) => d < phone).pop();
    const ddd =
      dddCols.length === 1
        ? dddCols[0]
        : left !== undefined && !plan.telefone.some((p) => p > left && p < phone)
          ? left
          : undefined;
    if (ddd !== undefined) plan.ddd.set(phone, ddd);
  }
  return plan;
}

function uniqueKey(key: string, used: Set<string>): string {
  let candidate = key;
  for (let n = 2; used.has(candidate); n++) candidate = `${key} (${n})`;
  used.add(candidate);
  return candidate;
}

/** 0 → 'A', 25 → 'Z', 26 → 'AA'. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
