import type { Tx } from '../../../db/tenant.js';

/**
 * Our disparo that a provider id names (a reply's context, a status's message id). E-mail ids are
 * compared with and without their angle brackets (`<id@host>` in headers, `id@host` in some answers).
 */
export async function disparoByMessageId(
  tx: Tx,
  tenantId: string,
  messageId: string,
): Promise<{ disparo_id: string; lead_id: string; canal: string; destino: string } | undefined> {
  const bare = messageId.trim().replace(/^<(.*)>$/, '$1');
  return tx
    .selectFrom('disparos')
    .select(['disparo_id', 'lead_id', 'canal', 'destino'])
    .where('tenant_id', '=', tenantId)
    .where('message_id_externo', 'in', [bare, `<${bare}>`])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
