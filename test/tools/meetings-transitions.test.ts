/**
 * The meeting transition table, through update_meeting and a real MCP client: a meeting planted in
 * each status takes exactly the actions AGENDAMENTO_TRANSITIONS allows (written out here, not read
 * from the table), and every other action is refused with the possible ones named and the meeting
 * left as it was. Sending is off, so cancel and reschedule are dry runs and no calendar is involved;
 * confirm / complete / no_show change our records only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENDAMENTO_STATUSES, type AgendamentoStatus } from '../../src/core/model/index.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

const NOW = '2026-11-23T13:00:00Z'; // Monday 10:00 in São Paulo
const ACTIONS = ['confirm', 'cancel', 'reschedule', 'complete', 'no_show'] as const;
const ALLOWED: Record<AgendamentoStatus, readonly (typeof ACTIONS)[number][]> = {
  pendente: ['cancel', 'reschedule'],
  agendado: ['confirm', 'cancel', 'reschedule', 'complete', 'no_show'],
  confirmado: ['confirm', 'cancel', 'reschedule', 'complete', 'no_show'],
  incerto: ['cancel', 'reschedule'],
  falhou: [],
  cancelado: [],
  realizado: [],
  nao_compareceu: [],
};
const TARGET = { confirm: 'confirmado', complete: 'realizado', no_show: 'nao_compareceu' } as const;
const DONE = {
  confirm: 'confirmed',
  cancel: 'cancelled',
  reschedule: 'rescheduled',
  complete: 'marked realizado',
  no_show: 'marked nao_compareceu',
};

describe(`update_meeting follows the meeting transition table (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let tenantId: string;
  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, { tenantSlug: 'transitions', clock: fixedClock(NOW) });
    tenantId = deps.tenant.tenant_id;
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  /** A lead agendado with one meeting in `status`, started half an hour ago (so it may be closed). */
  async function plant(status: AgendamentoStatus) {
    const lead = await insertLead(db.kysely, tenantId, { nome: `Loja ${status}`, status: 'agendado' });
    const { agendamento_id } = await asOwner(db.kysely, (tx) =>
      tx
        .insertInto('agendamentos')
        .values({
          tenant_id: tenantId,
          lead_id: lead,
          inicio: new Date('2026-11-23T12:30:00Z'),
          fim: new Date('2026-11-23T13:30:00Z'),
          timezone: 'America/Sao_Paulo',
          titulo: 'Reunião',
          status,
          evento_id_externo: 'ev-1',
        })
        .returning('agendamento_id')
        .executeTakeFirstOrThrow(),
    );
    return agendamento_id;
  }
  const row = (id: string) =>
    asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('agendamentos')
        .select(['status', 'inicio', 'erro'])
        .where('agendamento_id', '=', id)
        .executeTakeFirstOrThrow(),
    );

  it('lists every status', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual([...AGENDAMENTO_STATUSES].sort());
  });

  for (const status of AGENDAMENTO_STATUSES) {
    it(`${status}: ${ALLOWED[status].join(', ') || 'no action'}`, async () => {
      for (const action of ACTIONS) {
        const id = await plant(status);
        const before = await row(id);
        const args = { agendamento_id: id, action, ...(action === 'reschedule' ? { start: '2026-11-24T10:00' } : {}) };
        const res = await client.callTool({ name: 'update_meeting', arguments: args });
        const out = res.structuredContent as any;
        if (ALLOWED[status].includes(action)) {
          expect(res.isError, `${status} ${action}: ${textOf(res)}`).toBeFalsy();
          expect(out.previous_status).toBe(status);
          if (action === 'cancel' || action === 'reschedule') {
            expect(out.mode).toBe('dry_run');
            expect(await row(id)).toEqual(before);
          } else {
            expect(out).toMatchObject({ mode: 'real', agendamento: { status: TARGET[action] } });
            expect((await row(id)).status).toBe(TARGET[action]);
          }
        } else {
          const possible = ALLOWED[status].length
            ? `Possible actions: ${ALLOWED[status].join(', ')}.`
            : `${status} is final: no action is possible (schedule_meeting books a new one).`;
          expect(res.isError, `${status} ${action}`).toBe(true);
          expect(textOf(res)).toBe(
            `failed_precondition: Agendamento ${id} is ${status}: it cannot be ${DONE[action]}. ${possible}`,
          );
          expect(await row(id)).toEqual(before);
        }
      }
    });
  }
});
