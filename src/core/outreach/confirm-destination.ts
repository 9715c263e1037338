import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { normalizeEmail, normalizePhone } from '../normalize/index.js';

/**
 * Confirms a shared destination (a phone or e-mail other leads have too) as one lead's: collection
 * messages may then go to it for this lead, and never for the others (contato_compartilhado). The lead
 * must have that destination. Audited twice: the confirmation row names who made it, and the lead's
 * history gets a note (the destination masked). Returns whether anything changed.
 */
export async function confirmDestination(
  tx: Tx,
  tenantId: string,
  input: { leadId: string; value: string; reason: string; actor: string },
): Promise<boolean> {
  const { tipo, valor } = destinationOf(input.value);
  const owns =
    tipo === 'telefone'
      ? await sql`select 1 from lead_telefones where tenant_id = ${tenantId} and lead_id = ${input.leadId}
                    and numero_e164 = ${valor}`.execute(tx)
      : await sql`select 1 from lead_emails where tenant_id = ${tenantId} and lead_id = ${input.leadId}
                    and email_normalizado = ${valor}`.execute(tx);
  if (!owns.rows.length)
    throw new AppError('not_found', `Lead ${input.leadId} does not have this ${tipo}: confirm a destination it has.`);
  const res = await sql`
    insert into destinos_confirmados (tenant_id, tipo, valor, lead_id, motivo, ator)
    values (${tenantId}, ${tipo}, ${valor}, ${input.leadId}, ${input.reason}, ${input.actor})
    on conflict (tenant_id, tipo, valor) do update set lead_id = excluded.lead_id, motivo = excluded.motivo,
      ator = excluded.ator, created_at = now()
    where destinos_confirmados.lead_id <> excluded.lead_id`.execute(tx);
  const changed = Number(res.numAffectedRows ?? 0) > 0;
  if (changed)
    await tx
      .insertInto('lead_eventos')
      .values({
        tenant_id: tenantId,
        lead_id: input.leadId,
        tipo: 'nota',
        motivo: `${tipo} ${masked(tipo, valor)} confirmado como deste lead (compartilhado com outros): ${input.reason}`,
        ator: input.actor,
      })
      .execute();
  return changed;
}

/** A phone (any form) as E.164, or an e-mail normalised; anything else is refused. */
function destinationOf(value: string): { tipo: 'telefone' | 'email'; valor: string } {
  if (value.includes('@')) {
    const e = normalizeEmail(value);
    if (!e.email_normalizado) throw new AppError('invalid_argument', `"${value}" is not a usable e-mail.`);
    return { tipo: 'email', valor: e.email_normalizado };
  }
  const p = normalizePhone(value);
  if (!p.numero_e164) throw new AppError('invalid_argument', `"${value}" is not a usable phone number.`);
  return { tipo: 'telefone', valor: p.numero_e164 };
}

const masked = (tipo: 'telefone' | 'email', v: string) =>
  tipo === 'telefone' ? `${v.slice(0, 5)}****${v.slice(-4)}` : `${v.slice(0, 2)}***@${v.split('@')[1]}`;
