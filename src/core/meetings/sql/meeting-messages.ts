/** The statements on a meeting's messages (disparos tied to an agendamento) and on dry_run_log. */
import type { Insertable } from 'kysely';
import type { DisparosTable, DryRunLogTable } from '../../../db/schema.js';
import type { Tx } from '../../../db/tenant.js';
import { DISPARO_QUEUED } from '../../model/index.js';

/** Cancels the meeting's messages that have not left yet (its confirmation and reminder), saying why. */
export async function cancelQueuedMessages(tx: Tx, tenantId: string, agendamentoId: string, why: string, now: Date) {
  await tx
    .updateTable('disparos')
    .set({ status: 'cancelado', motivo: why, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', agendamentoId)
    .where('status', 'in', DISPARO_QUEUED)
    .execute();
}

/**
 * Queues a message in the outbox unless one with the same idempotency key exists. Returns its
 * disparo_id, or undefined when the key was taken.
 */
export async function insertMessage(tx: Tx, row: Insertable<DisparosTable>): Promise<string | undefined> {
  const r = await tx
    .insertInto('disparos')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returning('disparo_id')
    .executeTakeFirst();
  return r?.disparo_id;
}

/** The disparo that holds an idempotency key. */
export async function disparoIdByKey(tx: Tx, tenantId: string, key: string): Promise<string | null> {
  const r = await tx
    .selectFrom('disparos')
    .select('disparo_id')
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return r?.disparo_id ?? null;
}

/** Records what a rehearsal would have done (sending off). */
export async function insertDryRun(tx: Tx, row: Insertable<DryRunLogTable>): Promise<void> {
  await tx.insertInto('dry_run_log').values(row).execute();
}
