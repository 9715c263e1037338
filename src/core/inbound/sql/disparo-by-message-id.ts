import type { Tx } from '../../../db/tenant.js';
import { disparoIdOfMessageId } from '../../dispatch/message-id.js';

/**
 * Our disparo that a provider id names (a reply's context, a status's message id). E-mail ids are
 * compared with and without their angle brackets (`<id@host>` in headers, `id@host` in some answers),
 * and an e-mail id we made ourselves (`<disparo_id@domain>`, core/dispatch/message-id.ts) names its
 * disparo directly, whatever id the provider reported for it.
 */
export async function disparoByMessageId(
  tx: Tx,
  tenantId: string,
  messageId: string,
): Promise<{ disparo_id: string; lead_id: string; canal: string; destino: string } | undefined> {
  const bare = messageId.trim().replace(/^<(.*)>$/, '$1');
  const ours = disparoIdOfMessageId(bare);
  return tx
    .selectFrom('disparos')
    .select(['disparo_id', 'lead_id', 'canal', 'destino'])
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      ours
        ? eb.or([eb('message_id_externo', 'in', [bare, `<${bare}>`]), eb('disparo_id', '=', ours)])
        : eb('message_id_externo', 'in', [bare, `<${bare}>`]),
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
