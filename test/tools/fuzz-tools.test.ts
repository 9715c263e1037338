import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode, type Tool } from '@modelcontextprotocol/client';
import type { Logger } from '../../src/core/ports.js';
import type { ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * Every tool's arguments fuzzed from the inputSchema that tools/list gives a real client: values
 * that fit the schema (enums, UUIDs of real and unknown leads, bounded strings and numbers) mixed
 * with hostile ones (wrong types, nulls, missing required, negative and huge numbers, 1 MB strings,
 * lone surrogates, NUL, path traversal, extra properties). Every call must come back as a result
 * (isError with a message a model can act on, never "internal_error") or as a protocol error for
 * invalid params — never a hang, an output that breaks its own schema, or a dead server.
 * Deterministic (fixed seed); sending is off (MICRO_AGENT_DISPARO_ENABLED unset).
 */
const SEED = 20261125;
const RUNS_PER_TOOL = Number(process.env.FUZZ_RUNS ?? 100);
const CALL_TIMEOUT_MS = 20_000;

type Schema = Record<string, any>;

describe(`fuzzing every tool from its input schema (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Client & { closeAll(): Promise<void> };
  let ids: string[] = [];
  const internalErrors: Array<{ obj: object; msg?: string }> = [];

  beforeAll(async () => {
    db = await openTestDb();
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (obj, msg) => internalErrors.push({ obj, msg }),
      child: () => logger,
    };
    deps = await makeDeps(db, { logger, env: {}, config: { ingestDirs: [tempDir('fuzz-')] } });
    expect(deps.config.dispatchEnabled).toBe(false);
    const t = deps.tenant.tenant_id;
    ids = [
      await insertLead(db.kysely, t, {
        nome: 'Fuzz Ltda',
        documento: '11222333000181',
        phones: [{ e164: '+5511987654321' }],
        emails: [{ email: 'fuzz@exemplo.com.br' }],
      }),
      await insertLead(db.kysely, t, { nome: 'Sem Canal', status: 'sem_canal' }),
    ];
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await deps?.tasks.drain();
    await db?.destroy();
  });

  it(
    `${RUNS_PER_TOOL} generated argument sets per tool: a result or an invalid-params error, never a crash or a hang`,
    { timeout: 180_000 },
    async () => {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThanOrEqual(10);
      const failures: string[] = [];
      const outcomes: Record<string, { ok: number; isError: number; invalidParams: number }> = {};
      for (const [i, tool] of tools.entries()) {
        const samples = fc.sample(argsArb(tool, ids), { seed: SEED + i, numRuns: RUNS_PER_TOOL });
        const tally = (outcomes[tool.name] = { ok: 0, isError: 0, invalidParams: 0 });
        for (const args of samples) {
          const shown = JSON.stringify(args, (_k, v) =>
            typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length})` : v,
          );
          try {
            const res = await client.callTool(
              { name: tool.name, arguments: args as Record<string, unknown> },
              { timeout: CALL_TIMEOUT_MS },
            );
            const text = textOf(res);
            if (res.isError && /Input validation error/.test(text)) {
              tally.invalidParams++; // the SDK answers schema failures as an isError result
              // …in plain words (src/tools/plain-validation.ts): zod's own messages never reach the model.
              if (/Too small|Too big|Invalid input|Invalid option|received \w+/.test(text))
                failures.push(`${tool.name} ${shown} → zod's words: ${text.slice(0, 300)}`);
            } else if (res.isError) {
              tally.isError++;
              if (!text.trim() || /internal_error/.test(text))
                failures.push(`${tool.name} ${shown} → ${text || '(no message)'}`);
            } else {
              tally.ok++;
              if (typeof res.structuredContent !== 'object' || res.structuredContent === null)
                failures.push(`${tool.name} ${shown} → no structuredContent`);
            }
          } catch (err) {
            if (
              err instanceof ProtocolError &&
              err.code === ProtocolErrorCode.InvalidParams &&
              !/output schema/i.test(err.message)
            )
              tally.invalidParams++;
            else failures.push(`${tool.name} ${shown} → threw ${(err as Error).message}`);
          }
        }
        await client.ping(); // still answering after this tool's batch
      }
      process.stdout.write(`fuzz (${testDbKind()}): ${JSON.stringify(outcomes)}\n`);
      expect(failures, failures.join('\n')).toEqual([]);
      expect(internalErrors.map((e) => JSON.stringify(e).slice(0, 500))).toEqual([]);
      // The mix reached the handlers, not only the schema validation.
      const total = Object.values(outcomes).reduce((a, o) => ({
        ok: a.ok + o.ok,
        isError: a.isError + o.isError,
        invalidParams: a.invalidParams + o.invalidParams,
      }));
      expect(total.ok).toBeGreaterThan(0);
      expect(total.isError).toBeGreaterThan(0);
      expect(total.invalidParams).toBeGreaterThan(0);
      for (const [name, o] of Object.entries(outcomes))
        expect(o.ok + o.isError, `${name} never got past validation`).toBeGreaterThan(0);
    },
  );

  it('resource templates with hostile ids: "not found" errors, never a crash', async () => {
    const ids = [...NASTY_STRINGS.filter((v) => v.length < 5000), '%00', '..%2F..%2Fetc', '%ED%A0%80', '%'];
    for (const template of ['job://', 'job-problems://']) {
      for (const id of ids) {
        const err = await client.readResource({ uri: `${template}${id}` }).then(
          () => null,
          (e: unknown) => e,
        );
        // A known-shaped id of no job may answer with an error or an empty CSV; nothing else is allowed.
        if (err) expect(err, `${template}${id}`).toBeInstanceOf(ProtocolError);
      }
    }
    await client.ping();
  });
});

/** Strings the tools know (templates, a phone, an e-mail, a reply), so generated calls get past lookups. */
const DOMAIN_WORDS = [
  'cobranca_padrao_whatsapp_v2',
  'cobranca_padrao_email_v2',
  '+5511987654321',
  '11987654321',
  'fuzz@exemplo.com.br',
  'PARAR',
  'quero saber mais',
  'campanha-fuzz',
  'leads.csv',
  'Empresa;Telefone\nACME;11987654321\n',
];
const HUGE = 'x'.repeat(1024 * 1024);
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '🙂'.repeat(1000),
  '\u202e\u0301',
  "'; drop table leads; --",
  '%s%n%x',
  '../../../etc/passwd',
  '/etc/passwd',
  '/proc/self/environ',
  "=cmd|' /C calc'!A0",
  'null',
  '{}',
  '00000000-0000-0000-0000-000000000000',
  '+5511987654321',
  'a@b.c',
  HUGE,
];

/** Values of the wrong kind (or of the right kind at hostile extremes). */
const hostileArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(-1, 0, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, -0.0),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
);

function argsArb(tool: Tool, ids: string[]): fc.Arbitrary<Record<string, unknown>> {
  const schema = tool.inputSchema as Schema;
  const uuid = fc.oneof(fc.constantFrom(...ids), fc.uuid());
  return fc.oneof(
    { arbitrary: objectArb(schema, uuid, 0, true), weight: 4 },
    { arbitrary: objectArb(schema, uuid, 0, false), weight: 4 },
    { arbitrary: fc.constant({}), weight: 1 },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 20 }), hostileArb, { maxKeys: 5 }), weight: 1 },
  ) as fc.Arbitrary<Record<string, unknown>>;
}

/** An object for the schema: with `valid`, only schema-shaped values and the required keys present. */
function objectArb(
  s: Schema,
  uuid: fc.Arbitrary<string>,
  depth: number,
  valid: boolean,
): fc.Arbitrary<Record<string, unknown>> {
  const props: Record<string, Schema> = s.properties ?? {};
  const required: string[] = s.required ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, p] of Object.entries(props))
    model[k] = valid ? validArb(p, uuid, depth + 1) : valueArb(p, uuid, depth + 1);
  const base = fc.record(model, { requiredKeys: valid ? required.filter((k) => k in model) : [] });
  if (valid) return base as fc.Arbitrary<Record<string, unknown>>;
  const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), hostileArb, { maxKeys: 2 });
  return fc.tuple(base, extra).map(([b, e]) => ({ ...e, ...b }));
}

function valueArb(s: Schema, uuid: fc.Arbitrary<string>, depth: number): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: validArb(s, uuid, depth), weight: 3 }, { arbitrary: hostileArb, weight: 1 });
}

/** A value the schema accepts (best effort: unknown keywords are ignored). */
function validArb(s: Schema, uuid: fc.Arbitrary<string>, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts)) return fc.oneof(...alts.map((a: Schema) => validArb(a, uuid, depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'uuid') return uuid;
      if (s.format === 'date-time')
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (s.format === 'email') return fc.emailAddress();
      const min = s.minLength ?? 0;
      const max = Math.min(s.maxLength ?? 300, 300);
      if (s.pattern) {
        try {
          return fc
            .stringMatching(new RegExp(s.pattern))
            .filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
        } catch {
          /* a pattern fast-check cannot generate from: plain strings below */
        }
      }
      const edge = s.maxLength !== undefined ? [fc.constant('é'.repeat(s.maxLength))] : [];
      const words = fc
        .constantFrom(...DOMAIN_WORDS)
        .filter((w) => w.length >= min && w.length <= (s.maxLength ?? Infinity));
      return fc.oneof(fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }), words, ...edge);
    }
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
      const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
      return type === 'integer'
        ? fc.integer({ min: Math.max(lo, Number.MIN_SAFE_INTEGER), max: Math.min(hi, Number.MAX_SAFE_INTEGER) })
        : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(validArb(s.items ?? {}, uuid, depth + 1), {
            minLength: s.minItems ?? 0,
            maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 5, 5)),
          });
    case 'object':
      if (depth > 3) return fc.constant({});
      if (s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) {
        return fc.dictionary(
          fc.string({ minLength: 1, maxLength: 30 }),
          validArb(s.additionalProperties, uuid, depth + 1),
          { maxKeys: 4 },
        );
      }
      return objectArb(s, uuid, depth, true);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
