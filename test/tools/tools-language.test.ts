import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISPARO_STATUSES } from '../../src/core/model/index.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';

/**
 * The language rule for tool fields (README, "Tool fields"): every input and output field name is
 * English snake_case; the seed's record nouns (lead, disparo, agendamento, dry_run) keep their names;
 * a field keyed by a stored value (a campaign's counts by disparo status) is that value. Every word of
 * every field name must be in the vocabulary below: a pt-BR word (canal, motivo, destino…) fails the
 * test. A new English word is added here, in order — a reviewer sees it.
 */
export const FIELD_WORDS = new Set(
  (
    '24h action actor address after agenda already applied at attribution avoided base64 basis batch block blocked ' +
    'body busy by calendar campaign changed channel channels checked class code column company confidence ' +
    'confirmation confirmed contact content counts created creditor cursor data database day days decisions ' +
    'deferred delivery description destination detail dispatch document duplicate duplicates duration e164 ' +
    'email emails enabled end enqueue entries error eta event events external extra failure file filename ' +
    'filter finished folders for force found from has history holidays hours html id idempotency ids in ' +
    'inbound inbox ingest invalid items job jobs key kind label last leads legal limit local location map max ' +
    'message messages migrations min minutes mode name next normalized note notice now number only open ' +
    'organizer origin original pace path pct pending per phones points prescription preset previous problems ' +
    'progress proof provider queued read reason received recipients reminder reminders repaired replies reply ' +
    'respect result row rows run sample scheduled second seconds send sendable sender sends sent server sheet ' +
    'skip slots slug source start started state status step subject success suggested summary suppressed tax ' +
    'template tenant text timeline timezone title to total transport type types updated valid validate value ' +
    'version warning whatsapp window without would years registry registries numbers effective replaced date phone ' +
    'request requests limits params category uf ddd totals none changed ' +
    'personal url webhook webhooks bucket funnel scope view'
  ).split(' '),
);
/** The seed's record nouns, kept as they are in ids and objects (glossary in the README). */
export const RECORD_NOUNS = new Set(['lead', 'disparo', 'agendamento', 'agendamentos', 'dry']);
/** Fields named by a stored value (counts by disparo status). */
const STORED_VALUE_KEYS = new Set<string>(DISPARO_STATUSES);

type Schema = { properties?: Record<string, Schema>; items?: Schema | Schema[]; [k: string]: unknown };

/** Every property name in a JSON schema, with its path. */
function fieldNames(s: unknown, path: string, out: Array<{ name: string; path: string }>) {
  if (!s || typeof s !== 'object') return;
  if (Array.isArray(s)) return s.forEach((x, i) => fieldNames(x, `${path}[${i}]`, out));
  const schema = s as Schema;
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    out.push({ name: k, path: `${path}.${k}` });
    fieldNames(v, `${path}.${k}`, out);
  }
  for (const k of ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties'] as const)
    fieldNames(schema[k], path, out);
  for (const k of ['$defs', 'definitions'] as const)
    for (const v of Object.values((schema[k] as Record<string, unknown>) ?? {})) fieldNames(v, path, out);
}

/** The words of a field name that break the rule (empty: the name follows it). */
export function offendingWords(name: string): string[] {
  if (STORED_VALUE_KEYS.has(name)) return [];
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(name)) return [name];
  return name.split('_').filter((w) => !FIELD_WORDS.has(w) && !RECORD_NOUNS.has(w));
}

describe(`tool fields follow the language rule (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  beforeAll(async () => {
    db = await openTestDb();
    client = await connectClient(await makeDeps(db, { env: { MICRO_AGENT_DISPARO_ENABLED: 'true' } }));
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('recognises pt-BR words, camelCase and stored values', () => {
    expect(offendingWords('destino')).toEqual(['destino']);
    expect(offendingWords('codigo_bloqueio')).toEqual(['codigo', 'bloqueio']);
    expect(offendingWords('blockCode')).toEqual(['blockCode']);
    expect(offendingWords('block_code')).toEqual([]);
    expect(offendingWords('agendamento_id')).toEqual([]);
    expect(offendingWords('em_execucao')).toEqual([]);
  });

  it('every input and output field name of every tool is English snake_case', async () => {
    const { tools } = await client.listTools();
    const bad: string[] = [];
    for (const t of tools) {
      const names: Array<{ name: string; path: string }> = [];
      fieldNames(t.inputSchema, `${t.name}(input)`, names);
      fieldNames(t.outputSchema, `${t.name}(output)`, names);
      for (const n of names) {
        const words = offendingWords(n.name);
        if (words.length) bad.push(`${n.path}: ${words.join(', ')}`);
      }
    }
    expect(bad, 'rename these fields (or, for a new English word, add it to FIELD_WORDS)').toEqual([]);
  });
});
