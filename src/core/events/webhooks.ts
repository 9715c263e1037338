import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import type { Scope } from '../scope.js';
import { EVENT_PREFIX, type EventType } from './outbox.js';

/**
 * The tenant's webhook endpoints (migration 043, eventos_destinos of tipo 'webhook'): registered, listed,
 * given a new secret, removed. The secret (whsec_…, Standard Webhooks) is shown once, when created or
 * rotated; after a rotation the previous one still signs for ROTATION_HOURS, so a receiver can switch.
 */
export const ROTATION_HOURS = 24;

export interface WebhookView {
  webhook_id: string;
  url: string;
  types: string[] | null;
  personal_data: boolean;
  active: boolean;
  disabled_reason: string | null;
  pending: number;
  delivered: number;
  gave_up: number;
  /** Only when just created or rotated: shown once. */
  secret?: string;
}

export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** A URL an endpoint may have: http(s), no credentials, no fragment, ≤ 2048 characters (SECURITY.md). */
export function checkWebhookUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AppError(
      'invalid_argument',
      `url must be an absolute http(s) URL, e.g. https://example.com/hooks; got "${raw.slice(0, 80)}"`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AppError('invalid_argument', `url must use https:// (or http://); got ${u.protocol}`);
  if (u.username || u.password)
    throw new AppError(
      'invalid_argument',
      'url must not carry a user or password; the signature authenticates the sender',
    );
  if (u.hash) throw new AppError('invalid_argument', 'url must not have a #fragment');
  if (u.href.length > 2048) throw new AppError('invalid_argument', 'url is longer than 2048 characters');
  return u.href;
}

export async function addWebhook(
  scope: Scope,
  input: { url: string; types?: readonly EventType[]; personal_data?: boolean },
): Promise<WebhookView> {
  const url = checkWebhookUrl(input.url);
  const secret = newSecret();
  const types = input.types?.length ? input.types.map((t) => EVENT_PREFIX + t) : null;
  const id = await scope.tx(async (tx) => {
    const { rows } = await sql<{ destino_id: string }>`
      insert into eventos_destinos (tenant_id, tipo, url, segredo, tipos, dados_pessoais, cursor_seq)
      values (${scope.tenant.tenant_id}, 'webhook', ${url}, ${secret}, ${types}::text[], ${input.personal_data ?? false},
              coalesce((select ultimo from eventos_contador where tenant_id = ${scope.tenant.tenant_id}), 0))
      on conflict do nothing returning destino_id`.execute(tx);
    return rows[0]?.destino_id;
  });
  if (!id) throw new AppError('conflict', `A webhook for ${url} already exists; remove it first or rotate its secret.`);
  return { ...(await findWebhook(scope, id)), secret };
}

export async function listWebhooks(scope: Scope): Promise<WebhookView[]> {
  return scope.tx((tx) => selectWebhooks(tx));
}

/** A new secret; the previous one keeps signing (second signature) for ROTATION_HOURS. Re-enables a disabled endpoint. */
export async function rotateWebhook(scope: Scope, webhookId: string): Promise<WebhookView> {
  const secret = newSecret();
  const n = await scope.tx(async (tx) => {
    const r = await sql`
      update eventos_destinos set segredo_anterior = segredo, segredo = ${secret},
        segredo_anterior_ate = now() + make_interval(hours => ${ROTATION_HOURS}), ativo = true, desativado_motivo = null
      where destino_id = ${webhookId} and tipo = 'webhook'`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  });
  if (!n) throw notFound('Webhook', webhookId);
  return { ...(await findWebhook(scope, webhookId)), secret };
}

export async function removeWebhook(scope: Scope, webhookId: string): Promise<void> {
  const n = await scope.tx(async (tx) => {
    const r = await sql`delete from eventos_destinos where destino_id = ${webhookId} and tipo = 'webhook'`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  });
  if (!n) throw notFound('Webhook', webhookId);
}

async function findWebhook(scope: Scope, id: string): Promise<WebhookView> {
  const [w] = await scope.tx((tx) => selectWebhooks(tx, id));
  if (!w) throw notFound('Webhook', id);
  return w;
}

async function selectWebhooks(tx: Tx, id?: string): Promise<WebhookView[]> {
  const one = id ? sql`and d.destino_id = ${id}` : sql``;
  const { rows } = await sql<{
    destino_id: string;
    url: string;
    tipos: string[] | null;
    dados_pessoais: boolean;
    ativo: boolean;
    desativado_motivo: string | null;
    pendentes: string;
    entregues: string;
    desistiu: string;
  }>`
    select d.destino_id, d.url, d.tipos, d.dados_pessoais, d.ativo, d.desativado_motivo,
      (select count(*) from eventos_entregas e where e.destino_id = d.destino_id and e.status = 'pendente') as pendentes,
      (select count(*) from eventos_entregas e where e.destino_id = d.destino_id and e.status = 'entregue') as entregues,
      (select count(*) from eventos_entregas e where e.destino_id = d.destino_id and e.status = 'desistiu') as desistiu
    from eventos_destinos d where d.tipo = 'webhook' ${one} order by d.criado_em`.execute(tx);
  return rows.map((r) => ({
    webhook_id: r.destino_id,
    url: r.url,
    types: r.tipos?.map((t) => t.slice(EVENT_PREFIX.length)) ?? null,
    personal_data: r.dados_pessoais,
    active: r.ativo,
    disabled_reason: r.desativado_motivo,
    pending: Number(r.pendentes),
    delivered: Number(r.entregues),
    gave_up: Number(r.desistiu),
  }));
}
