/**
 * An output schema as lean as a client and a model need it (tools/list budget,
 * test/tools/tools-budget.test.ts). Inputs are not touched: unknown or missing arguments are refused.
 *
 * - No `additionalProperties: false` and no `required` lists: zod closes every object of an output and
 *   lists every field again as `required` (6.7 KB of tools/list): a client reads the fields that are
 *   there, and a model learns nothing from the repetition (an empty value is null, typed so).
 * - No `propertyNames: {type: string}`: every JSON key is a string.
 * - No `enum` lists (2.5 KB across the tools): a model reads the value it gets, and the vocabularies
 *   (lead, agendamento, disparo statuses, block codes) are in the inputs that take them and in the README
 *   glossary. Inputs keep theirs; a `const` (a job's kind) stays.
 * - A nullable scalar is one schema, `{"type":["string","null"]}`, not
 *   `{"anyOf":[{…},{"type":"null"}]}`; a nullable object likewise.
 * - A subschema repeated within one tool's output (a status enum, a confirmation) is written once in
 *   `$defs` and referred to (`$ref`) where it is used, when that is shorter.
 */
export function leanOutputSchema<T>(json: T): T {
  const lean = simplify(json) as Record<string, unknown>;
  return hoistRepeated(lean) as T;
}

function simplify(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(simplify);
  if (!json || typeof json !== 'object') return json;
  const schema = 'properties' in json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === 'additionalProperties' && v === false) continue;
    if (schema && k === 'required' && Array.isArray(v)) continue;
    if (k === 'propertyNames' && isPlainString(v)) continue;
    if (k === 'enum') continue;
    out[k] = simplify(v);
  }
  return mergedAlternatives(nullableInline(out));
}

/**
 * `{oneOf:[A,B]}` of objects (a job of either kind) → one object with the fields of both: a field the
 * kinds share is written once; one they type differently is `anyOf` its types; a discriminating `const`
 * becomes its values in words ("ingest | dispatch").
 */
function mergedAlternatives(s: Record<string, unknown>): Record<string, unknown> {
  const alts = s.oneOf;
  if (!Array.isArray(alts) || !alts.every((a) => a && a.type === 'object' && a.properties)) return s;
  const props: Record<string, unknown[]> = {};
  for (const a of alts as Array<{ properties: Record<string, unknown> }>) {
    for (const [k, v] of Object.entries(a.properties)) (props[k] ??= []).push(v);
  }
  const merged: Record<string, unknown> = {};
  for (const [k, vs] of Object.entries(props)) {
    const distinct = [...new Map(vs.map((v) => [JSON.stringify(v), v])).values()] as Array<Record<string, unknown>>;
    if (distinct.length === 1) merged[k] = distinct[0];
    else if (distinct.every((v) => 'const' in v)) {
      merged[k] = { type: 'string', description: distinct.map((v) => String(v.const)).join(' | ') };
    } else merged[k] = { anyOf: distinct };
  }
  const { oneOf: _alts, ...rest } = s;
  return { ...rest, type: 'object', properties: merged };
}

const isPlainString = (v: unknown) =>
  !!v && typeof v === 'object' && Object.keys(v).length === 1 && (v as { type?: unknown }).type === 'string';

/** `{anyOf:[X,{type:null}]}` → X with `null` added to its type (and enum), when X has one plain type. */
function nullableInline(s: Record<string, unknown>): Record<string, unknown> {
  const any = s.anyOf;
  if (!Array.isArray(any) || any.length !== 2) return s;
  const nullAt = any.findIndex((x) => x && typeof x === 'object' && Object.keys(x).length === 1 && x.type === 'null');
  if (nullAt < 0) return s;
  const other = any[1 - nullAt] as Record<string, unknown>;
  if (!other || typeof other.type !== 'string' || 'const' in other || '$ref' in other) return s;
  const { anyOf: _any, ...rest } = s;
  return { ...rest, ...other, type: [other.type, 'null'] };
}

/** Writes each subschema repeated within the schema once in `$defs`, the largest first, while it saves bytes. */
function hoistRepeated(root: Record<string, unknown>): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (;;) {
    const best = mostRepeated(root, defs);
    if (!best) break;
    const name = defName(best.key, defs);
    const ref = { $ref: `#/$defs/${name}` };
    defs[name] = best.schema;
    replaceAll(root, best.json, ref);
    for (const k of Object.keys(defs)) if (k !== name) replaceAll(defs, best.json, ref, k);
  }
  return Object.keys(defs).length ? { ...root, $defs: defs } : root;
}

interface Candidate {
  json: string;
  schema: unknown;
  key: string;
  count: number;
}

function mostRepeated(root: Record<string, unknown>, defs: Record<string, unknown>): Candidate | null {
  const seen = new Map<string, Candidate>();
  const visit = (v: unknown, key: string, top: boolean) => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x, key, false));
    if (!v || typeof v !== 'object') return;
    if (!top && ('type' in v || 'enum' in v || 'anyOf' in v || 'oneOf' in v)) {
      const json = JSON.stringify(v);
      const c = seen.get(json) ?? { json, schema: v, key, count: 0 };
      c.count++;
      seen.set(json, c);
    }
    const props = (v as { properties?: Record<string, unknown> }).properties;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'properties' && props) for (const [p, s] of Object.entries(props)) visit(s, p, false);
      else if (k !== '$defs') visit(x, key, false);
    }
  };
  visit(root, 'value', true);
  for (const d of Object.values(defs)) visit(d, 'value', true);
  let best: Candidate | null = null;
  let bestSaving = 0;
  for (const c of seen.values()) {
    if (c.count < 2) continue;
    const refBytes = 20 + c.key.length + 4;
    const saving = (c.count - 1) * c.json.length - c.count * refBytes - (c.key.length + 8);
    if (saving > bestSaving) [best, bestSaving] = [c, saving];
  }
  return best;
}

function defName(key: string, defs: Record<string, unknown>): string {
  let name = key;
  for (let i = 2; name in defs; i++) name = `${key}${i}`;
  return name;
}

/** Replaces, in place, every subschema whose JSON is `json` with `ref` (under `container[only]` when given). */
function replaceAll(container: Record<string, unknown> | unknown[], json: string, ref: object, only?: string): void {
  const entries = Array.isArray(container) ? container.entries() : Object.entries(container);
  for (const [k, v] of entries) {
    if (only !== undefined && k !== only) continue;
    if (!v || typeof v !== 'object') continue;
    if (JSON.stringify(v) === json) (container as Record<string | number, unknown>)[k] = { ...ref };
    else replaceAll(v as Record<string, unknown>, json, ref);
  }
}
