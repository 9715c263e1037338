import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  decide,
  writeDryRunLog,
  type Canal,
  type Decision,
  type DecisionContext,
  type Target,
} from '../core/outreach/decide.js';
import { loadPolicy } from '../core/outreach/policy.js';
import { resolveTemplate } from '../core/outreach/templates.js';
import {
  DEFAULT_TEMPLATE_BY_CHANNEL,
  leadVariables,
  renderTemplate,
  type TemplateDef,
} from '../core/templates/index.js';
import type { Tx } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';

export interface TemplateChoice {
  whatsapp?: string;
  email?: string;
}

/** Everything a decision needs for this tenant now: policy, templates, which channels work. */
export async function decisionContext(tx: Tx, deps: ServerDeps, choice: TemplateChoice = {}): Promise<DecisionContext> {
  const policy = await loadPolicy(tx, deps.tenant);
  const [whatsapp, email] = await Promise.all([
    resolveTemplate(tx, deps.tenant.tenant_id, choice.whatsapp ?? DEFAULT_TEMPLATE_BY_CHANNEL.whatsapp),
    resolveTemplate(tx, deps.tenant.tenant_id, choice.email ?? DEFAULT_TEMPLATE_BY_CHANNEL.email),
  ]);
  const configured = new Set(
    deps
      .channels()
      .filter((c) => c.state === 'configured')
      .map((c) => c.channel),
  );
  return {
    tenantId: deps.tenant.tenant_id,
    now: deps.clock.now(),
    policy,
    channels: { whatsapp: configured.has('whatsapp'), email: configured.has('email') },
    templates: { whatsapp, email },
  };
}

export interface RenderedPreview {
  assunto: string | null;
  texto: string | null;
  faltando: string[];
}

/** The message a decision would send, rendered with the lead's variables. */
export function renderDecision(d: Decision, ctx: DecisionContext): RenderedPreview {
  if (d.canal === 'none') return { assunto: null, texto: null, faltando: [] };
  const def: TemplateDef = ctx.templates[d.canal];
  const r = renderTemplate(def, leadVariables(d, ctx.policy.remetente));
  return r.ok
    ? { assunto: r.assunto ?? null, texto: r.texto, faltando: [] }
    : { assunto: null, texto: null, faltando: r.faltando };
}

/** A destination for people to read: +55 11 9****-4321, jo***@empresa.com.br. */
export function maskDestination(canal: Canal, d: Pick<Decision, 'telefone' | 'email'>): string | null {
  if (canal === 'whatsapp' && d.telefone)
    return `${d.telefone.slice(0, 5)} ${d.telefone.slice(5, 6)}****-${d.telefone.slice(-4)}`;
  if (canal === 'email' && d.email) {
    const [user, domain] = d.email.split('@');
    return `${user.slice(0, 2)}***@${domain}`;
  }
  return null;
}

export interface DryRunSummary {
  lote_id: string;
  total: number;
  seriam_enviados_agora: number;
  adiados: number;
  bloqueados: number;
  por_canal: Record<string, number>;
  por_bloqueio: Record<string, number>;
  amostra: Array<{
    lead_id: string;
    nome: string;
    canal: Canal;
    destino: string | null;
    template: string | null;
    codigo_bloqueio: string | null;
    razao_bloqueio: string | null;
    previsto_para: string | null;
    assunto: string | null;
    mensagem: string | null;
  }>;
}

/** Decides, applies policy and records one dry_run_log row per lead, set-based; sends nothing. */
export async function dryRun(
  tx: Tx,
  deps: ServerDeps,
  target: Target,
  opts: { canal?: Canal; templates?: TemplateChoice; sample?: number } = {},
): Promise<DryRunSummary> {
  const ctx = await decisionContext(tx, deps, opts.templates);
  const loteId = randomUUID();
  const total = await writeDryRunLog(tx, ctx, target, loteId, opts.canal);
  const agg = await sql<{ canal: string; codigo: string | null; n: number; agora: number }>`
    select canal_decidido as canal, codigo_bloqueio as codigo, count(*)::int as n, count(*) filter (where disparo_seria_executado)::int as agora
    from dry_run_log where tenant_id = ${ctx.tenantId} and lote_id = ${loteId}
    group by 1, 2`.execute(tx);
  const porCanal: Record<string, number> = {};
  const porBloqueio: Record<string, number> = {};
  let agora = 0;
  let adiados = 0;
  for (const r of agg.rows) {
    porCanal[r.canal] = (porCanal[r.canal] ?? 0) + r.n;
    agora += r.agora;
    if (r.codigo) porBloqueio[r.codigo] = (porBloqueio[r.codigo] ?? 0) + r.n;
    if (r.codigo === 'fora_da_janela' || r.codigo === 'limite_por_destinatario') adiados += r.n;
  }
  // A few rendered examples per channel, sendable ones first, so a person can read what would go out.
  const sampleIds = await sql<{ lead_id: string }>`
    select lead_id from (
      select lead_id, row_number() over (partition by canal_decidido order by disparo_seria_executado desc, lead_nome, log_id) as rn
      from dry_run_log where tenant_id = ${ctx.tenantId} and lote_id = ${loteId} and canal_decidido <> 'none'
    ) x where rn <= ${Math.max(1, Math.ceil((opts.sample ?? 4) / 2))}`.execute(tx);
  const decisions = sampleIds.rows.length
    ? await decide(tx, ctx, { leadIds: sampleIds.rows.map((r) => r.lead_id) })
    : [];
  return {
    lote_id: loteId,
    total,
    seriam_enviados_agora: agora,
    adiados,
    bloqueados: total - agora - adiados,
    por_canal: porCanal,
    por_bloqueio: porBloqueio,
    amostra: decisions.map((d) => {
      const m = renderDecision(d, ctx);
      return {
        lead_id: d.lead_id,
        nome: d.nome,
        canal: d.canal,
        destino: maskDestination(d.canal, d),
        template: d.template,
        codigo_bloqueio: d.codigo_bloqueio,
        razao_bloqueio: d.razao_bloqueio,
        previsto_para: d.previsto_para ? new Date(d.previsto_para).toISOString() : null,
        assunto: m.assunto,
        mensagem: m.texto,
      };
    }),
  };
}
