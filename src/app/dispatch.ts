import { createHash } from 'node:crypto';
import { AppError } from '../core/errors.js';
import { enqueueDisparos, type EnqueueResult } from '../core/dispatch/enqueue.js';
import type { Target } from '../core/outreach/decide.js';
import { withTenant } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { decisionContext, dryRun, type TemplateChoice } from './outreach.js';

export interface CampaignRequest {
  target: Target;
  templates: TemplateChoice;
  /** Names the campaign: the same key never sends twice to a lead (default: derived from target, templates and day). */
  campaignKey?: string;
}

/**
 * Starts a campaign. With sending off it is a dry-run campaign (dry_run_log, nothing queued); with
 * it on, disparos are enqueued set-based and the executors send them in the background.
 */
export async function startCampaign(
  deps: ServerDeps,
  req: CampaignRequest,
): Promise<{
  campaignId: string;
  modo: 'real' | 'dry_run';
  enqueue?: EnqueueResult;
  dry?: Awaited<ReturnType<typeof dryRun>>;
}> {
  const t = deps.tenant.tenant_id;
  const now = deps.clock.now();
  const key =
    req.campaignKey ??
    createHash('sha256')
      .update(JSON.stringify([req.target, req.templates, now.toISOString().slice(0, 10)]))
      .digest('hex')
      .slice(0, 32);
  const modo = deps.config.dispatchEnabled ? 'real' : 'dry_run';
  return withTenant(deps.db.kysely, t, async (tx) => {
    const ctx = await decisionContext(tx, deps, req.templates);
    const { campanha_id } = await tx
      .insertInto('campanhas')
      .values({
        tenant_id: t,
        chave: key,
        modo,
        template_whatsapp: ctx.templates.whatsapp.id,
        template_email: ctx.templates.email.id,
        alvo: JSON.stringify(req.target),
        status: modo === 'real' ? 'processando' : 'concluido',
      })
      .returning('campanha_id')
      .executeTakeFirstOrThrow();
    if (modo === 'dry_run') {
      const dry = await dryRun(tx, deps, req.target, { templates: req.templates });
      await tx
        .updateTable('campanhas')
        .set({
          total: dry.total,
          dry_run_lote_id: dry.lote_id,
          resumo: JSON.stringify({ dry_run: dry.por_bloqueio, por_canal: dry.por_canal }),
          concluida_em: now,
        })
        .where('campanha_id', '=', campanha_id)
        .execute();
      return { campaignId: campanha_id, modo, dry };
    }
    const enqueue = await enqueueDisparos(tx, ctx, req.target, {
      campaignId: campanha_id,
      campaignKey: key,
      actor: `campanha:${campanha_id}`,
    });
    await tx
      .updateTable('campanhas')
      .set({
        total: enqueue.enqueued,
        resumo: JSON.stringify({ bloqueados: enqueue.blocked, duplicados: enqueue.duplicates }),
      })
      .where('campanha_id', '=', campanha_id)
      .execute();
    return { campaignId: campanha_id, modo, enqueue };
  });
}

export interface SendOneResult {
  disparo_id: string | null;
  status: string;
  canal: 'whatsapp' | 'email' | 'none';
  destino: string | null;
  template: string | null;
  message_id: string | null;
  motivo: string | null;
  conteudo: string | null;
}

/** One lead, one message, for real: enqueue (idempotent) and wait for the executor's outcome. */
export async function sendOne(
  deps: ServerDeps,
  leadId: string,
  opts: { template?: string; idempotencyKey?: string; waitMs?: number },
): Promise<SendOneResult> {
  const t = deps.tenant.tenant_id;
  const res = await withTenant(deps.db.kysely, t, async (tx) => {
    const ctx = await decisionContext(tx, deps, opts.template ? { whatsapp: opts.template, email: opts.template } : {});
    const exists = await tx
      .selectFrom('leads')
      .select('lead_id')
      .where('tenant_id', '=', t)
      .where('lead_id', '=', leadId)
      .executeTakeFirst();
    if (!exists) throw new AppError('not_found', `Lead ${leadId} was not found for this tenant.`);
    const e = await enqueueDisparos(
      tx,
      ctx,
      { leadIds: [leadId] },
      {
        campaignId: null,
        campaignKey: 'send_message',
        idempotencyKey: opts.idempotencyKey ? `k:${opts.idempotencyKey}` : undefined,
        actor: `tool:${deps.transport}`,
      },
    );
    return e;
  });
  const blockedCode = Object.keys(res.blocked)[0];
  // Asked again with a key already used: the answer is that send's state, even when the lead's gates
  // now block a new one (an `incerto` send leaves the lead where no new message may go).
  const earlier =
    blockedCode && opts.idempotencyKey
      ? await withTenant(deps.db.kysely, t, (tx) =>
          tx
            .selectFrom('disparos')
            .select('disparo_id')
            .where('tenant_id', '=', t)
            .where('lead_id', '=', leadId)
            .where('idempotency_key', '=', `k:${opts.idempotencyKey}`)
            .executeTakeFirst(),
        )
      : undefined;
  if (blockedCode && !res.enqueued && !res.duplicates && !earlier) {
    return {
      disparo_id: null,
      status: 'bloqueado',
      canal: 'none',
      destino: null,
      template: null,
      message_id: null,
      motivo: blockedCode,
      conteudo: null,
    };
  }
  // The row (new, or the earlier one with the same key) and its final state.
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  for (;;) {
    const row = await withTenant(deps.db.kysely, t, async (tx) =>
      opts.idempotencyKey || !res.disparoIds.length
        ? tx
            .selectFrom('disparos')
            .selectAll()
            .where('tenant_id', '=', t)
            .where('lead_id', '=', leadId)
            .where((eb) =>
              opts.idempotencyKey ? eb('idempotency_key', '=', `k:${opts.idempotencyKey}`) : eb.val(true),
            )
            .orderBy('created_at', 'desc')
            .limit(1)
            .executeTakeFirst()
        : tx.selectFrom('disparos').selectAll().where('disparo_id', '=', res.disparoIds[0]).executeTakeFirst(),
    );
    if (!row) throw new AppError('failed_precondition', 'The message could not be enqueued.');
    const final = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'].includes(row.status);
    if (final || row.status === 'adiado' || Date.now() > deadline) {
      return {
        disparo_id: row.disparo_id,
        status: row.status,
        canal: row.canal,
        destino: row.destino,
        template: row.template,
        message_id: row.message_id_externo,
        motivo: row.motivo ?? row.erro,
        conteudo: row.conteudo,
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
