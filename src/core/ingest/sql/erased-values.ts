import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { existingKey, hmacOf } from '../../lgpd/subject.js';
import { EMAIL_NORMALIZADO, PHONE_E164, type Contacts } from '../merge-rows.js';

const MOTIVO = 'reimportado após eliminação a pedido do titular (LGPD art. 18, VI)';

/**
 * A phone or e-mail of an erased person that an import brings back into an existing lead (a company's
 * sheet listing her number, say): the suppression list held it only as a hash, which decisions do not
 * read, so its clear value is put back on the list (origin lgpd) — it is in clear in the lead again
 * anyway, and an erase of that lead hashes it again. New leads are born opted out (markSuppressed).
 * Returns how many values went back on the list.
 */
export async function resuppressErasedValues(tx: Tx, tenantId: string, leads: Iterable<Contacts>): Promise<number> {
  const key = await existingKey(tx, tenantId);
  if (!key) return 0;
  const byHash = new Map<string, { tipo: 'telefone' | 'email'; valor: string; lead: string }>();
  for (const l of leads) {
    for (const p of l.phones.values())
      if (p[PHONE_E164])
        byHash.set(hmacOf(key, 'telefone', p[PHONE_E164] as string), {
          tipo: 'telefone',
          valor: p[PHONE_E164] as string,
          lead: l.lead_id,
        });
    for (const e of l.emails.values())
      if (e[EMAIL_NORMALIZADO])
        byHash.set(hmacOf(key, 'email', e[EMAIL_NORMALIZADO] as string), {
          tipo: 'email',
          valor: e[EMAIL_NORMALIZADO] as string,
          lead: l.lead_id,
        });
  }
  if (!byHash.size) return 0;
  const { rows } = await sql<{ valor: string }>`
    select valor from supressoes where tenant_id = ${tenantId} and valor = any(${[...byHash.keys()]}::text[])`.execute(
    tx,
  );
  let added = 0;
  for (const { valor } of rows) {
    const v = byHash.get(valor)!;
    const r = await sql`
      insert into supressoes (tenant_id, tipo, valor, motivo, origem, lead_id, ator)
      values (${tenantId}, ${v.tipo}, ${v.valor}, ${MOTIVO}, 'lgpd', ${v.lead}, 'ingest')
      on conflict do nothing`.execute(tx);
    added += Number(r.numAffectedRows ?? 0);
  }
  return added;
}
