import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_PERSONAL, PERSONAL_DATA } from '../../src/core/lgpd/personal-data.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';

/**
 * The LGPD erase (src/core/lgpd) is complete only while PERSONAL_DATA names every column that can hold
 * a person's data. A new text, jsonb or array column whose name looks personal must be added there
 * (found and erased) or to NOT_PERSONAL (with the reason it never holds a person's data): this fails
 * until one of the two is done.
 */
const LOOKS_PERSONAL = new RegExp(
  (
    'nome name telefone fone celular whats phone numero mail cliente pessoa titular apelido nasc ' +
    'cidade observ coment bruto payload body text content address documento cpf cnpj destino conteudo ' +
    'texto corpo remetente assunto variaveis resposta dados extras origem valor descricao titulo ' +
    'local motivo razao erro resumo contrato wa_id formas mensagem alvo definicao arquivo owner credor ' +
    'nota endereco contato'
  )
    .split(' ')
    .join('|'),
);

describe(`LGPD personal-data map covers the schema (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  const columns = async () =>
    (
      await sql<{ t: string; c: string; type: string }>`
        select c.table_name as t, c.column_name as c, c.data_type as type from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')
        order by 1, 2`.execute(db.kysely)
    ) // views only read the tables
    .rows;

  it('every personal-looking text/jsonb/array column is in PERSONAL_DATA or NOT_PERSONAL', async () => {
    const all = await columns();
    expect(all.length).toBeGreaterThan(50);
    const uncovered = all
      .filter(({ c }) => LOOKS_PERSONAL.test(c))
      .map(({ t, c }) => `${t}.${c}`)
      .filter((tc) => {
        const [t, c] = tc.split('.');
        return !PERSONAL_DATA[t]?.columns.includes(c) && !(tc in NOT_PERSONAL);
      });
    expect(uncovered, 'add each to src/core/lgpd/personal-data.ts (PERSONAL_DATA or NOT_PERSONAL)').toEqual([]);
  });

  it('the map names only columns that exist (it follows renames)', async () => {
    const have = new Set((await columns()).map(({ t, c }) => `${t}.${c}`));
    const named = [
      ...Object.entries(PERSONAL_DATA).flatMap(([t, d]) => d.columns.map((c) => `${t}.${c}`)),
      ...Object.keys(NOT_PERSONAL),
    ];
    expect(named.filter((tc) => !have.has(tc))).toEqual([]);
  });
});
