import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/client';
import { BackgroundTasks } from '../../src/background.js';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger, type Clock } from '../../src/core/ports.js';
import type { Db } from '../../src/db/connect.js';
import { sql } from 'kysely';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import type { ServerDeps } from '../../src/deps.js';
import { buildServer } from '../../src/server.js';

export interface DepsOverrides extends Partial<Omit<ServerDeps, 'config'>> {
  tenantSlug?: string;
  /**
   * The tenant's creditor (collection messages are blocked without one): TEST_CREDITOR unless the
   * tenant already has one; null leaves it as it is (unset for a new tenant).
   */
  creditor?: typeof TEST_CREDITOR | null;
  env?: NodeJS.ProcessEnv;
  config?: Partial<Config>;
}

/** ServerDeps for a test: the given database, a tenant, config from a controlled env (not the shell's). */
export async function makeDeps(db: Db, o: DepsOverrides = {}): Promise<ServerDeps> {
  const { tenantSlug, env, config: configOverrides, creditor, ...rest } = o;
  const tenant = o.tenant ?? (await ensureTenant(db.kysely, tenantSlug ?? 'default'));
  if (creditor !== null) await seedCreditor(db, tenant.tenant_id, creditor ?? TEST_CREDITOR);
  const config = { ...loadConfig(env ?? {}), ...configOverrides };
  return {
    db,
    logger: silentLogger,
    clock: o.clock ?? { now: () => new Date() },
    transport: 'memory',
    tasks: new BackgroundTasks(),
    channels: () => [],
    ...rest,
    config,
    tenant,
  } as ServerDeps;
}

/** The creditor test tenants get (stored form: cnpj digits only). */
export const TEST_CREDITOR = {
  razao_social: 'Alquimista Cobranças Ltda',
  cnpj: '11222333000181',
  endereco: 'Av. Paulista, 1000, São Paulo/SP',
  contato: '(11) 4000-1000 ou cobranca@alquimista.com.br',
};

/** Sets the tenant's creditor unless it has one (tenant_politicas.credor). */
export async function seedCreditor(db: Db, tenantId: string, credor: typeof TEST_CREDITOR): Promise<void> {
  await withTenant(db.kysely, tenantId, (tx) =>
    sql`insert into tenant_politicas (tenant_id, credor) values (${tenantId}, ${JSON.stringify(credor)}::jsonb)
        on conflict (tenant_id) do update set credor = coalesce(tenant_politicas.credor, excluded.credor)`.execute(tx),
  );
}

/** A real SDK Client talking to buildServer(deps) over an in-memory transport pair. */
export async function connectClient(deps: ServerDeps): Promise<Client & { closeAll(): Promise<void> }> {
  const server = buildServer(deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientSide);
  return Object.assign(client, {
    closeAll: async () => {
      await client.close();
      await server.close();
    },
  });
}

export const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });

/** The text of a tool result. */
export function textOf(result: unknown): string {
  const r = result as { content?: Array<{ type: string; text?: string }> };
  return (r.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}
