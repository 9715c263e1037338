import { NOT_AN_ID } from '../core/schemas.js';

/**
 * Argument errors in plain words that say what to change. The SDK checks a tool's (and a prompt's)
 * arguments against its schema and puts the issues' messages in the error the model reads; zod's own
 * ("Too small: expected string to have >=16 characters", "Invalid input: expected number, received
 * string") name a validator, not what to give. withPlainIssues rewrites every issue of a schema's
 * validation once, here, for every tool: a missing argument, a wrong type, a size, a list of options, a
 * format; an id that is not one says which tool finds it. A message a schema wrote itself (a refinement
 * such as a date-time's, or `{ error: … }` on a field) is kept.
 */

interface Issue {
  readonly code?: string;
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  readonly expected?: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly values?: ReadonlyArray<unknown>;
  readonly format?: string;
  readonly pattern?: string;
  readonly keys?: ReadonlyArray<string>;
  readonly divisor?: number;
}

/** Which tool returns each kind of id, by argument name (an id given as a name or a text says where to find it). */
const ID_SOURCES: Record<string, string> = {
  lead_id: 'find the lead with query_leads {text: "<name, phone, e-mail or document>"}',
  lead_ids: 'find the leads with query_leads {text: "<name, phone, e-mail or document>"}',
  job_id: 'job_status lists the jobs (imports and campaigns)',
  source_job_id: "the import's job_id (ingest_leads; job_status lists the jobs)",
  campaign_id: "the campaign's job_id (start_dispatch; job_status lists the jobs)",
  agendamento_id: "query_leads {lead_id} shows a lead's meetings",
  request_id: 'lgpd_request {action: "list"} lists the requests',
  webhook_id: 'manage_webhooks {action: "list"} lists the webhooks',
};

const keyOf = (p: PropertyKey | { key: PropertyKey }) => String(typeof p === 'object' ? p.key : p);

/** The argument an issue is about, as a caller writes it: `filter.status[1]`. */
function fieldName(path: Issue['path']): string {
  let out = '';
  for (const p of path ?? []) {
    const k = keyOf(p);
    out += /^\d+$/.test(k) ? `[${k}]` : out ? `.${k}` : k;
  }
  return out;
}

function valueAt(data: unknown, path: Issue['path']): unknown {
  let v = data;
  for (const p of path ?? []) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[keyOf(p)] : undefined;
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  date: 'a date',
};

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'a text';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  if (typeof v === 'boolean') return 'true/false';
  return typeof v === 'object' ? 'an object' : typeof v;
}

const n = (x: number | bigint | undefined) => String(x ?? '?');

function sizeWords(i: Issue, which: 'min' | 'max'): string {
  const bound = which === 'min' ? i.minimum : i.maximum;
  const strict = i.inclusive === false;
  switch (i.origin) {
    case 'string':
      return which === 'min'
        ? Number(bound) <= 1
          ? 'must not be empty'
          : `is too short: give at least ${n(bound)} characters`
        : `is too long: at most ${n(bound)} characters`;
    case 'array':
    case 'set':
      return which === 'min'
        ? `must list at least ${n(bound)} item(s)`
        : `lists too many: at most ${n(bound)} item(s) a call (split it into several calls)`;
    default:
      return which === 'min'
        ? `must be ${strict ? 'more than' : 'at least'} ${n(bound)}`
        : `must be ${strict ? 'less than' : 'at most'} ${n(bound)}`;
  }
}

const quoteList = (vs: ReadonlyArray<unknown>) => vs.map((v) => JSON.stringify(v)).join(', ');

/** How zod's own (English locale) messages begin; any other message is one a schema wrote and is kept. */
const ZOD_WORDS = /^(Invalid|Too small|Too big|Unrecognized key)/;

/** One issue in words, without the field's name. */
export function plainMessage(i: Issue, data: unknown): string {
  const field =
    [...(i.path ?? [])]
      .reverse()
      .map(keyOf)
      .find((k) => !/^\d+$/.test(k)) ?? '';
  if (i.message === NOT_AN_ID) {
    return `must be an id (a UUID such as 0190a000-0000-7000-8000-000000000001) that a tool returned, not a name or a text: ${
      ID_SOURCES[field] ?? 'the tool that lists these returns it'
    }`;
  }
  if (!ZOD_WORDS.test(i.message)) return i.message; // the schema's own words
  switch (i.code) {
    case 'invalid_type': {
      const got = valueAt(data, i.path);
      if (got === undefined) return 'is missing: this argument is required';
      return `must be ${TYPE_WORDS[i.expected ?? ''] ?? i.expected}, not ${kindOf(got)}`;
    }
    case 'too_small':
      return sizeWords(i, 'min');
    case 'too_big':
      return sizeWords(i, 'max');
    case 'invalid_value':
      return `must be one of ${quoteList(i.values ?? [])}`;
    case 'invalid_format':
      return i.format === 'regex' && i.pattern
        ? `is not in the expected form (it must match ${i.pattern})`
        : `must be a valid ${i.format}`;
    case 'unrecognized_keys':
      return `has unknown argument(s) ${quoteList(i.keys ?? [])}: remove them`;
    case 'invalid_union':
      return 'matches none of the forms this argument accepts (see the tool schema)';
    case 'not_multiple_of':
      return `must be a multiple of ${String(i.divisor)}`;
    case 'invalid_key':
      return 'has a key that is not accepted';
    case 'invalid_element':
      return 'has a value that is not accepted';
    default:
      return i.message;
  }
}

/** All issues of one validation, one per argument: "lead_id: is missing: …; start: must be …." */
export function plainIssues(issues: ReadonlyArray<Issue>, data: unknown): string {
  const parts = issues.map((i) => {
    const name = fieldName(i.path);
    const msg = plainMessage(i, data);
    return name ? `${name}: ${msg}` : msg;
  });
  return [...new Set(parts)].join('; ') + '.';
}

type Validate = (value: unknown) => unknown;

/**
 * The schema with its Standard Schema `validate` answering in plain words: the issues become one, with
 * no path, whose message is plainIssues's (the SDK prints a path before a message; here the names are
 * in the sentence).
 */
export function withPlainIssues<S extends { '~standard': { validate: Validate } }>(schema: S): S {
  const std = schema['~standard'];
  const plain = (data: unknown, result: { issues?: ReadonlyArray<Issue> }) =>
    result.issues?.length ? { issues: [{ message: plainIssues(result.issues, data) }] } : result;
  const validate = (data: unknown) => {
    const result = std.validate(data) as { issues?: ReadonlyArray<Issue> } | Promise<{ issues?: ReadonlyArray<Issue> }>;
    return result instanceof Promise ? result.then((r) => plain(data, r)) : plain(data, result);
  };
  Object.defineProperty(schema, '~standard', { value: { ...std, validate }, configurable: true });
  return schema;
}
