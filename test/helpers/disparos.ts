import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { DisparoStatus } from '../../src/core/model/index.js';
import { withTenant } from '../../src/db/tenant.js';
import { plantingFixtures } from './transition-guard.js';

export interface PlantedDisparo {
  status: DisparoStatus;
  destino?: string;
  canal?: 'whatsapp' | 'email';
  enviado_em?: string | null;
  created_at?: string;
  updated_at?: string;
  message_id_externo?: string;
}

/** Plants a disparo already in a given state (a past send, one in flight, one whose outcome is unknown). */
export async function plantDisparo(
  db: Kysely<Database>,
  tenantId: string,
  leadId: string,
  d: PlantedDisparo,
): Promise<string> {
  return withTenant(db, tenantId, async (tx) => {
    await plantingFixtures(tx);
    const { disparo_id } = await tx
      .insertInto('disparos')
      .values({
        tenant_id: tenantId,
        lead_id: leadId,
        canal: d.canal ?? 'whatsapp',
        destino: d.destino ?? `+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        template: 'x',
        idempotency_key: `planted-${randomUUID()}`,
        status: d.status,
        enviado_em: d.enviado_em ?? null,
        message_id_externo: d.message_id_externo ?? null,
        // A row in flight is leased (disparos_lease_ck).
        ...(d.status === 'em_execucao' ? { claimed_by: 'planted', lease_until: '2100-01-01T00:00:00Z' } : {}),
        ...(d.created_at ? { created_at: d.created_at } : {}),
        ...(d.updated_at ? { updated_at: d.updated_at } : {}),
      } as never)
      .returning('disparo_id')
      .executeTakeFirstOrThrow();
    return disparo_id;
  });
}
