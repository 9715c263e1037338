import type { Tx } from '../../db/tenant.js';
import { renderFallbackEmail } from '../dispatch/fallback.js';
import { firstValidEmail } from '../dispatch/sql/first-valid-email.js';
import { invalidateDestination } from '../dispatch/sql/invalidate-destination.js';
import type { DeliveryStatus } from '../model/index.js';
import { applyProviderAction } from '../outreach/provider-actions.js';
import { addSuppression } from '../outreach/suppression.js';
import { failureMeaning } from './failure-codes.js';
import type { InboundStatus } from './parse/index.js';
import { applyDelivery } from './sql/apply-delivery.js';
import { insertLeadEvents } from './sql/lead-event.js';

export interface StatusApplied {
  disparo_id: string | null;
  applied: boolean;
  status: DeliveryStatus;
}

const LABEL: Record<DeliveryStatus, string> = {
  enviado: 'enviada',
  entregue: 'entregue',
  lido: 'lida',
  falhou: 'falhou após aceita',
};

/**
 * One delivery status of one of our messages: the disparo's status moves forward (never back) with
 * its time, a lead event records it, and a failure code says what follows — a destination that is
 * permanently bad (not a WhatsApp user, invalid number) is marked invalid and the e-mail version is
 * queued, as for a refusal at send time; a person who stopped such messages has the destination
 * suppressed. A status for a message we do not know, or one that would move backwards, changes nothing.
 */
export async function applyStatus(
  tx: Tx,
  ctx: { tenantId: string; actor: string; now: Date },
  s: InboundStatus,
): Promise<StatusApplied> {
  const bare = s.providerId.replace(/^<(.*)>$/, '$1');
  const row = await applyDelivery(tx, ctx.tenantId, [bare, `<${bare}>`], s);
  if (!row) return { disparo_id: null, applied: false, status: s.status };
  const code = s.code ? ` (código ${s.code}${s.detail ? `: ${s.detail.slice(0, 120)}` : ''})` : '';
  await insertLeadEvents(
    tx,
    ctx.tenantId,
    [
      {
        leadId: row.lead_id,
        tipo: 'entrega',
        motivo: `mensagem ${row.canal} ${LABEL[s.status]}${code}`,
        dados: {
          disparo_id: row.disparo_id,
          entrega: s.status,
          de: row.previous,
          codigo: s.code,
          em: s.at.toISOString(),
        },
      },
    ],
    ctx.actor,
  );
  // A code with an action (core/outreach/provider-codes.ts PROVIDER_ACTIONS) is executed; others by meaning.
  const acted =
    s.status === 'falhou' &&
    (await applyProviderAction(tx, ctx.tenantId, row, s.code, { actor: ctx.actor, now: ctx.now, atSendTime: false }));
  if (s.status === 'falhou' && !acted) {
    const meaning = failureMeaning(s.code);
    if (meaning === 'destino_invalido') {
      await invalidateDestination(tx, ctx.tenantId, row, ctx.now);
      const email = row.canal === 'whatsapp' ? await firstValidEmail(tx, ctx.tenantId, row.lead_id) : null;
      if (email) await renderFallbackEmail(tx, ctx.tenantId, row, email, { actor: ctx.actor, now: ctx.now });
    } else if (meaning === 'parou')
      await addSuppression(tx, ctx.tenantId, {
        tipo: row.canal === 'whatsapp' ? 'telefone' : 'email',
        valor: row.destino,
        origem: 'opt_out',
        leadId: row.lead_id,
        ator: ctx.actor,
        motivo: `o provedor recusou: a pessoa parou de receber estas mensagens${code}`,
      });
  }
  return { disparo_id: row.disparo_id, applied: true, status: s.status };
}
