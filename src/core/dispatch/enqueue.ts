import type { Tx } from '../../db/tenant.js';
import { transitionLeads } from '../leads/transition.js';
import { disparoKey, isDeferral, OUTREACH_ELIGIBLE, type SendChannel } from '../model/index.js';
import { decide, type DecisionContext, type DecisionRow, type Target } from '../outreach/decide.js';
import { formVariables } from '../templates/approved.js';
import { leadVariables, renderTemplate } from '../templates/index.js';

export interface EnqueueResult {
  decided: number;
  enqueued: number;
  /** Rows already enqueued under the same key (a re-run): not enqueued again. */
  duplicates: number;
  deferred: number;
  blocked: Record<string, number>;
  disparoIds: string[];
}

interface Row {
  lead_id: string;
  canal: SendChannel;
  destino: string;
  template: string;
  variaveis: string;
  conteudo: string;
  assunto: string | null;
  idempotency_key: string;
  status: 'pendente' | 'adiado';
  proxima: Date;
  motivo: string | null;
}

/**
 * Decides every targeted lead, renders the message of each one that can be sent now or later, and
 * inserts the disparos set-based with ON CONFLICT DO NOTHING on (tenant, idempotency key): running
 * the same campaign again never sends twice. Leads that are blocked are counted, not enqueued.
 * Enqueued leads move to em_disparo.
 */
export async function enqueueDisparos(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  /** actor and reason go to the history of every lead moved to em_disparo. */
  opts: { campaignId: string | null; campaignKey: string; idempotencyKey?: string; actor: string; reason: string },
): Promise<EnqueueResult> {
  const decisions = await decide(tx, ctx, target);
  const blocked: Record<string, number> = {};
  const rows: Row[] = [];
  for (const d of decisions) {
    const deferred = isDeferral(d.codigo_bloqueio);
    if (d.canal === 'none' || (d.codigo_bloqueio && !deferred)) {
      const code = d.codigo_bloqueio ?? 'sem_canal';
      blocked[code] = (blocked[code] ?? 0) + 1;
      continue;
    }
    const row = render(d, ctx);
    if (!row) {
      blocked.variaveis_ausentes = (blocked.variaveis_ausentes ?? 0) + 1;
      continue;
    }
    rows.push({
      ...row,
      idempotency_key: opts.idempotencyKey ?? disparoKey(ctx.tenantId, d.lead_id, row.template, opts.campaignKey),
      status: deferred ? 'adiado' : 'pendente',
      proxima: deferred && d.previsto_para ? new Date(d.previsto_para) : ctx.now,
      motivo: deferred ? d.razao_bloqueio : null,
    });
  }
  const ids: string[] = [];
  let deferred = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    const inserted = await tx
      .insertInto('disparos')
      .values(
        batch.map((r) => ({
          tenant_id: ctx.tenantId,
          lead_id: r.lead_id,
          campanha_id: opts.campaignId,
          canal: r.canal,
          destino: r.destino,
          template: r.template,
          variaveis: r.variaveis,
          conteudo: r.conteudo,
          assunto: r.assunto,
          idempotency_key: r.idempotency_key,
          status: r.status,
          proxima_tentativa_em: r.proxima,
          motivo: r.motivo,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
      .returning(['disparo_id', 'lead_id'])
      .execute();
    ids.push(...inserted.map((r) => r.disparo_id));
    const insertedLeads = new Set(inserted.map((r) => r.lead_id));
    deferred += batch.filter((r) => r.status === 'adiado' && insertedLeads.has(r.lead_id)).length;
    await transitionLeads(
      tx,
      ctx.tenantId,
      inserted.map((r) => r.lead_id),
      'em_disparo',
      { reason: opts.reason, actor: opts.actor, from: OUTREACH_ELIGIBLE },
    );
  }
  return {
    decided: decisions.length,
    enqueued: ids.length,
    duplicates: rows.length - ids.length,
    deferred,
    blocked,
    disparoIds: ids,
  };
}

function render(
  d: DecisionRow,
  ctx: DecisionContext,
): Omit<Row, 'idempotency_key' | 'status' | 'proxima' | 'motivo'> | null {
  if (d.canal === 'none') return null;
  const def = ctx.templates[d.canal];
  const vars = leadVariables(d, ctx.policy.remetente, ctx.policy.credor);
  const r = renderTemplate(def, vars);
  if (!r.ok) return null;
  const destino = d.canal === 'whatsapp' ? d.telefone : d.email;
  if (!destino) return null;
  return {
    lead_id: d.lead_id,
    canal: d.canal,
    destino,
    template: def.id,
    conteudo: r.texto,
    assunto: r.assunto ?? null,
    variaveis: JSON.stringify({
      ...vars,
      // Whether the message is a collection one (its template names a debt or the creditor): the send-time
      // re-check holds it to the law's hours and gates by this, not by the lead's variables (which name the
      // debt and the creditor whatever the template says).
      __cobranca: ctx.collection[d.canal],
      ...(r.html ? { __html: r.html } : {}),
      ...(r.parametros ? { __parametros: r.parametros } : {}),
      ...(d.canal === 'whatsapp' && d.forma ? formVariables(d.forma, ctx.approved.identity, vars, d.janela_ate) : {}),
    }),
  };
}
