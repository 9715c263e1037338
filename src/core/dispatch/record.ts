import type { Tx } from '../../db/tenant.js';
import { transitionLeads } from '../leads/transition.js';
import { OUTREACH_ELIGIBLE, OUTREACH_SENDABLE } from '../model/index.js';
import { applyProviderAction } from '../outreach/provider-actions.js';
import { renderFallbackEmail } from './fallback.js';
import type { Outcome } from './outcome.js';
import { firstValidEmail } from './sql/first-valid-email.js';
import { invalidateDestination } from './sql/invalidate-destination.js';
import { blockedLeadsToRelease } from './sql/release-blocked-leads.js';
import { recordOutcomes, type Recorded } from './sql/record-outcomes.js';
import { saveWaIds } from './sql/save-wa-ids.js';

/** Where a lead may be when one of its outreach messages is delivered: it becomes contatado. */
const CONTACTED_FROM = OUTREACH_SENDABLE.filter((s) => s !== 'contatado');

/**
 * Writes a batch's outcomes (only rows still leased to this worker) and what follows from them, in
 * the caller's transaction: the WhatsApp ids reported, the leads reached (→ contatado) or failed
 * (→ erro), and for a destination refused permanently its invalidation and the fallback. Returns the
 * campaigns whose rows were recorded.
 */
export async function recordBatch(
  tx: Tx,
  tenantId: string,
  outcomes: readonly Outcome[],
  opts: { workerId: string; actor: string; now: Date },
): Promise<{ campaigns: string[]; recorded: Recorded[] }> {
  const { actor, now } = opts;
  const done = await recordOutcomes(tx, opts.workerId, outcomes, now);
  // The id is a fact about the phone whether or not this worker still held the row's lease.
  const waIds = outcomes.flatMap((o) =>
    o.status === 'enviado' && o.wa_id ? [{ disparo_id: o.disparo_id, wa_id: o.wa_id }] : [],
  );
  await saveWaIds(tx, tenantId, waIds, now);
  // A message reached the lead: wherever outreach had it (queued, failed, without a channel), it was
  // contacted. Leads in a conversation or a meeting stay where they are.
  const sent = done.filter((r) => r.status === 'enviado').map((r) => r.lead_id);
  await transitionLeads(tx, tenantId, sent, 'contatado', { reason: 'mensagem enviada', actor, from: CONTACTED_FROM });
  for (const r of done.filter((r) => r.status === 'falhou' && r.erro_classe === 'destino_invalido'))
    await destinationRefused(tx, tenantId, r, actor, now);
  // A provider code's action (provider-codes.ts): marketing suppression, slowing, a paused template, …
  const codes = new Map(outcomes.filter((o) => o.codigo).map((o) => [o.disparo_id, o.codigo!]));
  for (const r of done.filter((r) => codes.has(r.disparo_id)))
    await applyProviderAction(tx, tenantId, r, codes.get(r.disparo_id), { actor, now, atSendTime: true });
  const failed = done
    .filter((r) => r.status === 'falhou' && r.erro_classe !== 'destino_invalido')
    .map((r) => r.lead_id);
  await transitionLeads(tx, tenantId, failed, 'erro', { reason: 'envio falhou', actor, from: ['em_disparo'] });
  // Back from the send unsent while its campaign was cancelled: as the cancel does for queued rows.
  const cancelled = done.filter((r) => r.status === 'cancelado').map((r) => r.lead_id);
  await transitionLeads(tx, tenantId, cancelled, 'novo', { reason: 'campanha cancelada', actor, from: ['em_disparo'] });
  await releaseBlocked(tx, tenantId, done, actor);
  return { campaigns: [...new Set(done.map((r) => r.campanha_id).filter((c): c is string => !!c))], recorded: done };
}

/**
 * A message a gate stopped at send time (a template disabled, a marketing refusal, … since it was
 * queued) leaves its lead where it was before it was queued, when nothing else is queued for it: a
 * lead left em_disparo would be out of every later decision, so the next campaign could not reach it
 * once the cause is fixed. An opt-out or a suppression found at send time keeps its own status (the
 * lead is no longer em_disparo, or no longer eligible, and is left alone).
 */
async function releaseBlocked(tx: Tx, tenantId: string, done: readonly Recorded[], actor: string): Promise<void> {
  const blocked = done.filter((r) => r.status === 'bloqueado').map((r) => r.lead_id);
  const back = await blockedLeadsToRelease(tx, tenantId, blocked);
  for (const to of OUTREACH_ELIGIBLE) {
    const ids = back
      .filter((b) => (OUTREACH_ELIGIBLE.includes(b.antes) ? b.antes : 'novo') === to)
      .map((b) => b.lead_id);
    await transitionLeads(tx, tenantId, ids, to, {
      reason: 'envio bloqueado na hora do envio',
      actor,
      from: ['em_disparo'],
    });
  }
}

/**
 * A destination the channel refused permanently: mark that phone / e-mail invalid, and when a refused
 * WhatsApp lead still has a valid e-mail, queue the e-mail version of the message (fallback). With no
 * channel left, a lead being contacted for the first time becomes sem_canal; a lead contacted before
 * keeps contatado (it was reached, and may still reply).
 */
async function destinationRefused(tx: Tx, tenantId: string, r: Recorded, actor: string, now: Date): Promise<void> {
  await invalidateDestination(tx, tenantId, r, now);
  const email = r.canal === 'whatsapp' ? await firstValidEmail(tx, tenantId, r.lead_id) : null;
  if (email) await renderFallbackEmail(tx, tenantId, r, email, { actor, now });
  else
    await transitionLeads(tx, tenantId, [r.lead_id], 'sem_canal', {
      reason: `destino ${r.canal} inválido e nenhum outro canal válido`,
      actor,
      from: ['em_disparo', 'novo'],
    });
}
