import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { DisparoStatus, ErrorClass, SendChannel } from '../../model/index.js';
import type { Outcome } from '../outcome.js';

/** A row as recorded: what the lead moves and the fallback need. */
export interface Recorded {
  disparo_id: string;
  lead_id: string;
  canal: SendChannel;
  destino: string;
  status: DisparoStatus;
  erro_classe: ErrorClass | null;
  idempotency_key: string;
  campanha_id: string | null;
}

/**
 * Writes the outcomes of a batch in one statement, only for rows still leased to this worker (fencing:
 * a row whose lease expired and was recovered by another executor is not overwritten). A row handed back
 * unsent does not count its attempt; a sent row's enviado_em is when its call was made.
 * A row going back to the queue (handed back unsent, a retry, a deferral) whose campaign was paused or
 * cancelled while it was in flight follows its campaign: adiado until resumed, or cancelado — else it
 * would be claimed again and leave after the pause or cancel (control_dispatch moves only queued rows).
 */
export async function recordOutcomes(
  tx: Tx,
  workerId: string,
  outcomes: readonly Outcome[],
  now: Date,
): Promise<Recorded[]> {
  const json = JSON.stringify(outcomes.map((o) => ({ ...o, raw: o.raw === undefined ? null : JSON.stringify(o.raw) })));
  const { rows } = await sql<Recorded>`
    update disparos d set
      status = case when o.parada is null then o.status when o.parada = 'pausado' then 'adiado' else 'cancelado' end,
      message_id_externo = o.message_id,
      tentativas = case when o.devolvido then d.tentativas - 1 else d.tentativas end,
      erro = o.erro, erro_classe = o.erro_classe, resposta_bruta = o.raw::jsonb,
      motivo = case when o.parada is null then coalesce(o.motivo, d.motivo)
                    when o.parada = 'pausado' then 'campanha pausada' else 'campanha cancelada' end,
      proxima_tentativa_em = case when o.parada = 'pausado' then 'infinity'
                                  else coalesce(o.proxima, d.proxima_tentativa_em) end,
      enviado_em = case when o.status = 'enviado' then coalesce(o.sent_at, ${now}) else d.enviado_em end,
      talvez_entregue = d.talvez_entregue or coalesce(o.talvez_entregue, false),
      claimed_by = null, lease_until = null, updated_at = ${now}
    from (
      select o.*, case when o.status in ('pendente', 'adiado') then
               (select k.status from disparos x join campanhas k on k.campanha_id = x.campanha_id
                where x.disparo_id = o.disparo_id and k.status in ('pausado', 'cancelado')) end as parada
      from jsonb_to_recordset(${json}::jsonb)
        as o(disparo_id uuid, status text, message_id text, erro text, erro_classe text, motivo text,
             proxima timestamptz, raw text, devolvido boolean, sent_at timestamptz, talvez_entregue boolean)) o
    where d.disparo_id = o.disparo_id and d.status = 'em_execucao' and d.claimed_by = ${workerId}
    returning d.disparo_id, d.lead_id, d.canal, d.destino, d.status, d.erro_classe, d.idempotency_key,
              d.campanha_id`.execute(tx);
  return rows;
}
