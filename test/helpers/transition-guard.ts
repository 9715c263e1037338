import { sql, type Kysely } from 'kysely';
import * as model from '../../src/core/model/index.js';

/**
 * A test-only guard, installed in the migrated template databases (global setup) so that the whole
 * suite — every path that creates or moves a lead, a disparo, a meeting, a campaign or an import, on
 * PGlite and on PostgreSQL, in-process and in spawned servers — runs under it:
 * - an insert in a status outside the model's *_INITIAL, or an update of `status` to a status the
 *   model's transition table forbids, raises at once ("illegal … transition");
 * - every change of a lead's status must have its lead_eventos 'transicao' row in the same
 *   transaction (checked at commit).
 * The rules are generated from src/core/model, the one source of truth; nothing here repeats them.
 */
export const GUARDED: Array<{
  table: string;
  initial: readonly string[];
  moves: Readonly<Record<string, readonly string[]>>;
}> = [
  { table: 'leads', initial: model.LEAD_INITIAL, moves: model.LEAD_TRANSITIONS },
  { table: 'disparos', initial: model.DISPARO_INITIAL, moves: model.DISPARO_TRANSITIONS },
  { table: 'agendamentos', initial: model.AGENDAMENTO_INITIAL, moves: model.AGENDAMENTO_TRANSITIONS },
  { table: 'campanhas', initial: model.CAMPAIGN_INITIAL, moves: model.CAMPAIGN_TRANSITIONS },
  { table: 'ingest_jobs', initial: model.INGEST_JOB_INITIAL, moves: model.INGEST_JOB_TRANSITIONS },
];

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function transitionGuardStatements(): string[] {
  const out = [
    `create or replace function test_guard_status() returns trigger language plpgsql as $$
     declare rules jsonb := tg_argv[0]::jsonb;
     begin
       if coalesce(current_setting('test.fixture', true), '') = 'on' then
         return new;
       end if;
       if tg_op = 'INSERT' then
         if not (rules -> 'initial') ? new.status then
           raise exception 'illegal % insert in status % (test guard: not in src/core/model *_INITIAL)', tg_table_name, new.status;
         end if;
       elsif new.status is distinct from old.status and not coalesce((rules -> 'moves' -> old.status) ? new.status, false) then
         raise exception 'illegal % transition % -> % (test guard: not in src/core/model)', tg_table_name, old.status, new.status;
       end if;
       return new;
     end $$`,
    `create or replace function test_guard_lead_audit() returns trigger language plpgsql security definer as $$
     begin
       if coalesce(current_setting('test.fixture', true), '') = 'on' then
         return null;
       end if;
       if not exists (select 1 from lead_eventos e where e.tenant_id = new.tenant_id and e.lead_id = new.lead_id
                      and e.tipo = 'transicao' and e.status_de = old.status and e.status_para = new.status) then
         raise exception 'lead % moved % -> % without its lead_eventos row (test guard)', new.lead_id, old.status, new.status;
       end if;
       return null;
     end $$`,
  ];
  for (const g of GUARDED) {
    const rules = JSON.stringify({ initial: g.initial, moves: g.moves });
    out.push(
      `drop trigger if exists test_guard_status on ${g.table}`,
      `create trigger test_guard_status before insert or update of status on ${g.table}
       for each row execute function test_guard_status(${lit(rules)})`,
    );
  }
  out.push(
    `drop trigger if exists test_guard_lead_audit on leads`,
    `create constraint trigger test_guard_lead_audit after update of status on leads deferrable initially deferred
     for each row when (old.status is distinct from new.status) execute function test_guard_lead_audit()`,
  );
  return out;
}

/**
 * Marks the current transaction as a test planting fixtures (a lead already `respondeu`, a job already
 * `concluido`): the guard lets it write any state. The product's code never sets this.
 */
export async function plantingFixtures(tx: Kysely<any>): Promise<void> {
  await sql`select set_config('test.fixture', 'on', true)`.execute(tx);
}

/** SQL text of the same, for tests that talk to PostgreSQL with a plain client. */
export const PLANTING_FIXTURES_SQL = "select set_config('test.fixture', 'on', true)";

/** Installs the guard (as the owner: run before the app role is taken). */
export async function installTransitionGuard(db: Kysely<any>): Promise<void> {
  for (const s of transitionGuardStatements()) await sql.raw(s).execute(db);
}
