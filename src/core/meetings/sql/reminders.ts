/** The statements of send_reminders: the meetings due a reminder, and the claim of one. */
import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { AGENDAMENTO_STANDING } from '../../model/index.js';
import type { MeetingRow } from '../agendamento.js';

/** Standing meetings starting in (now, until] whose reminder has not been claimed, soonest first. */
export async function dueReminders(tx: Tx, tenantId: string, now: Date, until: Date, limit: number) {
  const rows = await tx
    .selectFrom('agendamentos')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', AGENDAMENTO_STANDING)
    .where('lembrete_enviado_em', 'is', null)
    .where('inicio', '>', now)
    .where('inicio', '<=', until)
    .orderBy('inicio')
    .limit(limit)
    .execute();
  return rows as MeetingRow[];
}

/**
 * Claims a meeting's reminder: lembrete_enviado_em null → now, only while the meeting stands. Of two
 * concurrent runs exactly one gets true (the conditional UPDATE serialises them on the row).
 */
export async function claimReminder(tx: Tx, tenantId: string, agendamentoId: string, now: Date): Promise<boolean> {
  const { rows } = await sql<{ agendamento_id: string }>`
    update agendamentos set lembrete_enviado_em = ${now}, updated_at = ${now}
    where tenant_id = ${tenantId} and agendamento_id = ${agendamentoId} and lembrete_enviado_em is null
      and status = any(${AGENDAMENTO_STANDING}::text[])
    returning agendamento_id`.execute(tx);
  return rows.length > 0;
}
