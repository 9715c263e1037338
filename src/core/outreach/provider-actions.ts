import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { renderFallbackEmail } from '../dispatch/fallback.js';
import { firstValidEmail } from '../dispatch/sql/first-valid-email.js';
import { invalidateDestination } from '../dispatch/sql/invalidate-destination.js';
import type { SendChannel } from '../model/index.js';
import { providerAction, type ProviderAction } from './provider-codes.js';

/**
 * Executes the action of a provider's code (provider-codes.ts PROVIDER_ACTIONS) for one of our messages,
 * in the caller's transaction: from a delivery status after acceptance (inbound/apply-status.ts) or from
 * a refusal at send time (dispatch/record.ts). At send time the retry (classify.ts) and the invalid
 * destination with its fallback (record.ts destinationRefused) are already done by the outcome itself.
 */
export interface ActedMessage {
  disparo_id: string;
  lead_id: string;
  canal: SendChannel;
  destino: string;
  idempotency_key: string;
}

/**
 * Slows a tenant's channel until `until` (a platform rate limit: 131048, 130429, Twilio 63018) for every
 * worker on the database: the channel's next free send slot (rate_limits.tat, the GCRA state every
 * reservation reads under its row lock, dispatch/rate-limit.ts) moves to `until` at the earliest.
 */
export async function slowChannel(tx: Tx, tenantId: string, channel: SendChannel, until: Date): Promise<void> {
  await sql`insert into rate_limits (tenant_id, canal, tat) values (${tenantId}, ${channel}, ${until})
            on conflict (tenant_id, canal) do update set tat = greatest(rate_limits.tat, excluded.tat)`.execute(tx);
}

/** Until when a tenant's channel is slowed (null: its next slot is free at `now`). */
export async function channelSlowedUntil(tx: Tx, tenantId: string, channel: SendChannel, now: Date) {
  const { rows } = await sql<{ tat: Date }>`
    select tat from rate_limits where tenant_id = ${tenantId} and canal = ${channel}`.execute(tx);
  const tat = rows[0] ? new Date(rows[0].tat) : null;
  return tat && tat > now ? tat : null;
}

/** Runs the action of `code` for message `m`; returns it (null: the code asks for nothing). */
export async function applyProviderAction(
  tx: Tx,
  tenantId: string,
  m: ActedMessage,
  code: string | null | undefined,
  opts: { actor: string; now: Date; atSendTime: boolean },
): Promise<ProviderAction | null> {
  const action = providerAction(code);
  if (!action) return null;
  const { actor, now } = opts;
  switch (action.kind) {
    case 'retry':
      if (!opts.atSendTime) await requeueLater(tx, tenantId, m, action.delaysH, now, code!);
      break;
    case 'not_on_whatsapp':
      if (!opts.atSendTime && m.canal === 'whatsapp') await notOnWhatsapp(tx, tenantId, m, actor, now);
      break;
    case 'suppress_marketing':
      await sql`insert into restricoes_marketing (tenant_id, telefone, motivo, desde)
                values (${tenantId}, ${m.destino}, ${`a pessoa parou de receber marketing (código ${code})`}, ${now})
                on conflict (tenant_id, telefone) do nothing`.execute(tx);
      break;
    case 'slow_channel':
      await slowChannel(tx, tenantId, m.canal, new Date(now.getTime() + action.seconds * 1000));
      break;
    case 'pause_template':
      await sql`update modelos_aprovados set status = ${action.status}, motivo = ${`código ${code} do provedor`},
                  updated_at = ${now}
                where tenant_id = ${tenantId} and status = 'approved'
                  and template_id = (select template from disparos where disparo_id = ${m.disparo_id})`.execute(tx);
      break;
    case 'needs_template': {
      const motivo = `sem_template_aprovado: fora da janela de 24 h o WhatsApp só aceita modelo aprovado (código ${code})`;
      await sql`update disparos set motivo = ${motivo} where disparo_id = ${m.disparo_id}`.execute(tx);
      break;
    }
  }
  return action;
}

/** Not a WhatsApp user: the phone is marked not sendable and the e-mail version queued (as a refusal at send time). */
async function notOnWhatsapp(tx: Tx, tenantId: string, m: ActedMessage, actor: string, now: Date): Promise<void> {
  await invalidateDestination(tx, tenantId, m, now);
  const email = await firstValidEmail(tx, tenantId, m.lead_id);
  if (email) await renderFallbackEmail(tx, tenantId, m, email, { actor, now });
}

/**
 * Held by Meta for ecosystem health (131049): the same message again after 12, 24, then 48 hours, as a
 * new disparo (its own idempotency key per round); after the last round, nothing more.
 */
async function requeueLater(
  tx: Tx,
  tenantId: string,
  m: ActedMessage,
  delaysH: readonly number[],
  now: Date,
  code: string,
): Promise<void> {
  const round = Number(/:adiado-(\d+)$/.exec(m.idempotency_key)?.[1] ?? 0);
  if (round >= delaysH.length) return;
  const base = m.idempotency_key.replace(/:adiado-\d+$/, '');
  const due = new Date(now.getTime() + delaysH[round] * 3600_000);
  await sql`
    insert into disparos (tenant_id, lead_id, campanha_id, agendamento_id, canal, destino, template, variaveis,
                          conteudo, assunto, idempotency_key, status, motivo, proxima_tentativa_em)
    select tenant_id, lead_id, campanha_id, agendamento_id, canal, destino, template, variaveis, conteudo, assunto,
           ${`${base}:adiado-${round + 1}`}, 'adiado',
           ${`código ${code}: a Meta segurou a mensagem; nova tentativa em ${delaysH[round]} h`}, ${due}
    from disparos where disparo_id = ${m.disparo_id}
    on conflict (tenant_id, idempotency_key) do nothing`.execute(tx);
}
