import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { InboundProvider } from '../model/index.js';
import { applyStatus } from './apply-status.js';
import { parseEvent } from './parse/index.js';
import { receiveMessage } from './receive-message.js';

/** After this many failed attempts an event is set aside (processado_em set, erro kept) for a person. */
export const MAX_EVENT_ATTEMPTS = 5;

export interface EventSummary {
  event_id: string;
  messages: number;
  duplicates: number;
  statuses: number;
  statuses_applied: number;
  refused: string[];
  opt_outs: number;
}

/**
 * Processes the oldest stored events of the tenant still waiting (up to `limit`, skipping those another
 * process holds), in the caller's transaction: their messages are received (receive-message.ts), their
 * statuses applied (apply-status.ts), and they are marked processed — all or nothing, so a process
 * killed half-way leaves them waiting and they are processed once, later. A message the input rules
 * refuse (a time in the future, a sender that is no address) is listed in its event's summary; the
 * rest still count. Returns one summary per event processed (none: nothing waits).
 */
export async function processEvents(
  tx: Tx,
  ctx: { tenantId: string; actor: string; now: Date },
  limit: number,
  onClaim?: (eventId: string) => void,
): Promise<EventSummary[]> {
  const evs = await tx
    .selectFrom('eventos_recebidos')
    .select(['evento_id', 'provedor', 'corpo', 'recebido_em', 'tentativas'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('processado_em', 'is', null)
    .orderBy('recebido_em')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  const out: EventSummary[] = [];
  for (const ev of evs) {
    onClaim?.(ev.evento_id);
    out.push(await processOne(tx, ctx, ev));
  }
  return out;
}

async function processOne(
  tx: Tx,
  ctx: { tenantId: string; actor: string; now: Date },
  ev: { evento_id: string; provedor: InboundProvider; corpo: string; recebido_em: Date | string; tentativas: number },
): Promise<EventSummary> {
  const sum: EventSummary = {
    event_id: ev.evento_id,
    messages: 0,
    duplicates: 0,
    statuses: 0,
    statuses_applied: 0,
    refused: [],
    opt_outs: 0,
  };
  let erro: string | null = null;
  try {
    const parsed = parseEvent(ev.provedor, ev.corpo, new Date(ev.recebido_em));
    for (const m of parsed.messages) {
      try {
        const r = await receiveMessage(tx, { ...ctx, provider: ev.provedor, eventId: ev.evento_id }, m);
        sum.messages++;
        if (r.duplicate) sum.duplicates++;
        else if (r.class === 'opt_out') sum.opt_outs++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        sum.refused.push(err.message.slice(0, 300));
      }
    }
    for (const s of parsed.statuses) {
      sum.statuses++;
      if ((await applyStatus(tx, ctx, s)).applied) sum.statuses_applied++;
    }
  } catch (err) {
    // A body the provider's reader cannot read (not JSON…): kept, marked, never retried in a loop.
    if (!(err instanceof SyntaxError)) throw err;
    erro = `corpo ilegível: ${err.message.slice(0, 200)}`;
  }
  await tx
    .updateTable('eventos_recebidos')
    .set({
      processado_em: ctx.now,
      tentativas: ev.tentativas + 1,
      erro,
      resumo: JSON.stringify(sum),
    })
    .where('evento_id', '=', ev.evento_id)
    .execute();
  return sum;
}

/** Records a failed attempt (the processing transaction rolled back); the event is set aside after the last. */
export async function recordEventFailure(
  tx: Tx,
  ctx: { tenantId: string; now: Date },
  eventId: string,
  message: string,
): Promise<void> {
  const ev = await tx
    .selectFrom('eventos_recebidos')
    .select('tentativas')
    .where('tenant_id', '=', ctx.tenantId)
    .where('evento_id', '=', eventId)
    .executeTakeFirst();
  if (!ev) return;
  await tx
    .updateTable('eventos_recebidos')
    .set({
      tentativas: ev.tentativas + 1,
      erro: message.slice(0, 1000),
      processado_em: ev.tentativas + 1 >= MAX_EVENT_ATTEMPTS ? ctx.now : null,
    })
    .where('evento_id', '=', eventId)
    .execute();
}
