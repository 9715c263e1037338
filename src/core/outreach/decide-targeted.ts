import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import { reachedAt, reachedSince, recentWindowStart } from '../dispatch/recent-sends.js';
import { finalRead, prepared } from '../../db/prepared.js';
import type { Tx } from '../../db/tenant.js';
import { OUTREACH_ELIGIBLE, type BlockCode, type DecidedChannel } from '../model/index.js';
import type { Scope } from '../scope.js';
import { TEMPLATE_BLOCK_TEXT, WHATSAPP_WINDOW_MS } from '../templates/approved.js';
import { templateVariables, type TemplateDef } from '../templates/index.js';
import {
  contextKeys,
  contextOf,
  contextSql,
  contextStatement,
  type ContextParams,
  type ContextRow,
  type DecisionContext,
  type TemplateChoice,
} from './decision-context.js';
import { windowOpenings, type DecisionRow } from './decide.js';
import { CHANNEL_REASON, DDD_UF_SQL, debtsSql, windowKey, type WindowOpenings } from './decisions-sql.js';
import { NINE_DIGIT, registryHitSql } from './registry-sql.js';
import { prescriptionCutoff } from './policy.js';
import { cachedConfig, cachedVersion } from './tenant-config-cache.js';

/*
 * decide_channel's decision: the given leads' facts — the columns of the SQL forms' CTE f
 * (decisions-sql.ts leadFactsSql), read per lead with fewer plan nodes (targetedFactsSql below) — read
 * in one statement with the tenant's context row, and
 * the rule applied to them here in JS: the channel, the gates in their order, the reason, the template
 * and the texts, exactly as the SQL forms make them (gateSql, reasonAndTemplateSql, blockTextSql,
 * window-sql.ts; test/helpers/decision-forms.ts checks every test lead in all three forms). The SQL
 * forms stay for dry runs, campaigns and sends. The facts depend on the configuration only through
 * the prescription cutoff: they are read with the cutoff of the configuration this process has
 * cached (tenant-config-cache.ts) and kept when the configuration read beside them gives the same
 * cutoff; else (nothing cached yet, or the term changed) the context is read first, then the facts.
 */

/** Read-only, with plans reused (db/tenant.ts); the facts are its last statement. */
const READ = { readOnly: true, genericPlans: true } as const;

/**
 * The decisions for `leadIds` (of the scope's tenant; others are left out) and the context they were
 * made with. One statement on a warm process: on PostgreSQL one round trip.
 */
export async function decideTargeted(
  scope: Scope,
  choice: TemplateChoice,
  leadIds: string[],
): Promise<{ ctx: DecisionContext; rows: DecisionRow[] }> {
  const now = scope.clock.now();
  const cached = cachedConfig(scope.tenant.tenant_id);
  if (cached) {
    const cutoff = prescriptionCutoff(now, cached.policy.prescricaoAnos);
    const rows = await scope.tx((tx) => readFacts(tx, scope, choice, leadIds, now, cutoff), READ);
    const ctx = contextOf(scope, choice, rows[0]!.contexto, undefined, now);
    if (ctx.prescribedOnOrBefore === cutoff) return { ctx, rows: decideFromFacts(ctx, leadsOf(rows)) };
  }
  return scope.tx(async (tx) => {
    const { rows } = await contextStatement(scope, choice).execute(tx);
    const ctx = contextOf(scope, choice, rows[0]!, undefined, now);
    const facts = await readFacts(tx, scope, choice, leadIds, now, ctx.prescribedOnOrBefore);
    return { ctx, rows: decideFromFacts(ctx, leadsOf(facts)) };
  }, READ);
}

/** What the statement reads of one lead: the columns of f, and two computed with the call's clock. */
export interface LeadFacts {
  lead_id: string;
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: DecisionRow['documento_tipo'];
  status: DecisionRow['status'];
  timezone: string;
  telefone: string | null;
  email: string | null;
  suprimido: boolean;
  uf: string | null;
  registro_fonte: string | null;
  enviados: number;
  primeiro: Date | null;
  divida_centavos: number | null;
  divida_vencimento: string | null;
  divida_contratos: string | null;
  dividas: number;
  dividas_prescritas: number;
  tel_compartilhado: boolean;
  email_compartilhado: boolean;
  enviados_tel: number;
  enviados_email: number;
  ultima_entrada: Date | null;
  marketing_recusado: boolean;
  /** The person wrote on WhatsApp in the 24 hours before now. */
  dentro_janela: boolean;
  /** When the per-lead cap ends (24 h after the first recent message, else now), in the lead's zone (DD/MM HH24:MI). */
  limite_ate: string;
}

/**
 * A row of the facts statement: the context, and the lead's columns of f as one JSON object (null when no
 * lead was found). One column instead of ~25: pg builds a row object field by field from each column's
 * description (~30 µs of node per decide_channel call at 25 columns, a few at one). JSON keeps every
 * value's type but timestamps, which come as text (leadsOf makes them Dates, as pg would).
 */
type FactsRow = {
  contexto: ContextRow;
  fatos: FactsJson | null;
  dentro_janela: boolean;
  limite_ate: string | null;
};
type FactsJson = Omit<LeadFacts, 'primeiro' | 'ultima_entrada' | 'dentro_janela' | 'limite_ate'> & {
  primeiro: string | null;
  ultima_entrada: string | null;
};

/**
 * The facts of `leadIds` at `now` (debts prescribed on or before `cutoff`), one row per lead found, each
 * with the tenant's context row (one row with lead_id null when none is found). The last statement of
 * its transaction unless `final` is false.
 */
export async function readFacts(
  tx: Tx,
  scope: Scope,
  choice: TemplateChoice,
  leadIds: string[],
  now: Date,
  cutoff: string,
  final = true,
): Promise<FactsRow[]> {
  const tenantId = scope.tenant.tenant_id;
  const { ids, registry } = contextKeys(scope, choice);
  const p: FactsParams = {
    tenantId,
    known: cachedVersion(tenantId),
    template: ids.whatsapp,
    registry,
    leadIds,
    now,
    cutoff,
    since: new Date(now.getTime() - WHATSAPP_WINDOW_MS),
    recent: recentWindowStart(now),
  };
  return (await tx.executeQuery(factsQuery(tx, p, final))).rows;
}

/** The values the facts statement binds: the context's, the leads, the clock and the cutoffs derived from it. */
interface FactsParams extends ContextParams {
  leadIds: string[];
  now: Date;
  /** Debts due on or before it are prescribed. */
  cutoff: string;
  /** The WhatsApp window's start and the per-lead cap's (recent-sends.ts). */
  since: Date;
  recent: Date;
}

const FACTS_KEYS = [
  'tenantId',
  'known',
  'template',
  'registry',
  'leadIds',
  'now',
  'cutoff',
  'since',
  'recent',
] as const;

/** The facts statement over its values (every one a parameter: its text never changes). */
function factsStatement(p: FactsParams, final: boolean): RawBuilder<FactsRow> {
  const q = sql<FactsRow>`
    select to_json(c) as contexto, to_json(f) as fatos,
           coalesce(f.ultima_entrada > ${p.since}::timestamptz, false) as dentro_janela,
           to_char((coalesce(f.primeiro, ${p.now}::timestamptz) + interval '24 hours') at time zone f.timezone,
                   'DD/MM HH24:MI') as limite_ate
    from (${contextSql(p)}) c
    left join (${targetedFactsSql(p)}) f on true`;
  return prepared(final ? finalRead(q) : q);
}

/**
 * The facts statement compiled once per process (and `final`), with its parameters' places: building
 * and compiling its fragments on every call cost ~0.1–0.2 ms of a decide_channel call. Compiled with a
 * marker for each value; a value used in the text rather than bound would show in it (refused).
 */
type Slot = keyof FactsParams | { value: unknown };
type Shape = { query: CompiledQuery<FactsRow>; slots: Slot[] };
const compiled = new Map<boolean, Shape>();
const MARK = '\u0002facts:';

/**
 * The statement with one parameter per value ($1 for the tenant id wherever it is used, ~20 places)
 * instead of one per place: fewer literals to parse and bind on each `execute` (PGlite). Unchanged
 * when the text has other `$n` than its placeholders.
 */
function bindEachOnce(query: CompiledQuery<FactsRow>, slots: Slot[]): Shape {
  const places = query.sql.match(/\$\d+/g) ?? [];
  if (places.length !== slots.length) return { query, slots };
  const bound: Slot[] = [];
  const index = new Map<string, number>();
  const text = query.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const slot = slots[Number(n) - 1]!;
    const key = typeof slot === 'string' ? slot : `$${n}`;
    let i = index.get(key);
    if (i === undefined) {
      i = bound.push(slot);
      index.set(key, i);
    }
    return `$${i}`;
  });
  return { query: { ...query, sql: text }, slots: bound };
}

function factsQuery(tx: Tx, p: FactsParams, final: boolean): CompiledQuery<FactsRow> {
  let shape = compiled.get(final);
  if (!shape) {
    const marks = Object.fromEntries(FACTS_KEYS.map((k) => [k, MARK + k])) as unknown as FactsParams;
    const query = factsStatement(marks, final).compile(tx);
    if (query.sql.includes(MARK)) throw new Error('A value of the facts statement is in its text, not bound');
    const slots = query.parameters.map((v) =>
      typeof v === 'string' && v.startsWith(MARK) ? (v.slice(MARK.length) as keyof FactsParams) : { value: v },
    );
    if (FACTS_KEYS.some((k) => !slots.includes(k))) throw new Error('A value of the facts statement is not bound');
    shape = bindEachOnce(query, slots);
    compiled.set(final, shape);
  }
  return { ...shape.query, parameters: shape.slots.map((s) => (typeof s === 'string' ? p[s] : s.value)) };
}

/**
 * The columns of f (decisions-sql.ts leadFactsSql) for the given leads, in fewer plan nodes: each fact
 * table read once per lead by the lead's id or its destination, aggregated where the set form joins
 * (its phones: the first valid one and every number in both WhatsApp forms, for the suppression list;
 * likewise its e-mails), the suppression list in one index scan, the rest as scalar subqueries. On
 * PGlite every plan node (and each table's row-level-security check) costs 10–40 µs; the set form's
 * CTEs, unions and joins around the same lookups cost about as much as the lookups. The same facts:
 * test/helpers/decision-forms.ts compares the decisions made from them with both SQL forms. The leads
 * are found by `lead_id = any(ids)` in leads' index (a join to unnest(ids) let the generic plan read
 * every lead of the tenant, with its lookups, before keeping the given ones: ~17 ms at 3,000 leads).
 */
function targetedFactsSql(p: FactsParams): RawBuilder<unknown> {
  const { tenantId: t, leadIds, now, cutoff, recent } = p;
  return sql`
    select l.lead_id, l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone,
           p.telefone, e.email,
           exists(select 1 from supressoes sp
                  where sp.tenant_id = ${t} and sp.tipo = any(array['telefone', 'email', 'documento'])
                    and sp.valor = any(p.formas || e.todos || l.documento::text)
                    and ((sp.tipo = 'telefone' and sp.valor = any(p.formas))
                         or (sp.tipo = 'email' and sp.valor = any(e.todos))
                         or (sp.tipo = 'documento' and l.documento_valido and sp.valor = l.documento))) as suprimido,
           coalesce(l.uf, ${DDD_UF_SQL}::jsonb ->> substring(p.telefone from 4 for 2)) as uf,
           (${registryHitSql(t, sql`p.telefone`, now)}) as registro_fonte,
           env.enviados, env.primeiro,
           div.divida_centavos, div.divida_vencimento, div.divida_contratos, div.dividas, div.dividas_prescritas,
           coalesce((select ct.lead_id from destinos_confirmados ct
                     where ct.tenant_id = ${t} and ct.tipo = 'telefone' and ct.valor = p.telefone) <> l.lead_id,
                    exists(select 1 from lead_telefones o
                           where o.tenant_id = ${t} and o.numero_e164 = p.telefone and o.lead_id <> l.lead_id))
             as tel_compartilhado,
           coalesce((select ce.lead_id from destinos_confirmados ce
                     where ce.tenant_id = ${t} and ce.tipo = 'email' and ce.valor = e.email) <> l.lead_id,
                    exists(select 1 from lead_emails o
                           where o.tenant_id = ${t} and o.email_normalizado = e.email and o.lead_id <> l.lead_id))
             as email_compartilhado,
           (select count(*)::int from disparos dd
            where dd.tenant_id = ${t} and dd.destino = p.telefone and ${reachedSince('dd', recent)}) as enviados_tel,
           (select count(*)::int from disparos dd
            where dd.tenant_id = ${t} and dd.destino = e.email and ${reachedSince('dd', recent)}) as enviados_email,
           (select max(m.recebida_em) from mensagens_recebidas m
            where m.tenant_id = ${t} and m.canal = 'whatsapp' and m.remetente_formas @> array[p.telefone]::text[])
             as ultima_entrada,
           exists(select 1 from restricoes_marketing rmk where rmk.tenant_id = ${t} and rmk.telefone = p.telefone)
             as marketing_recusado
    from leads l
    cross join lateral (
      select (array_agg(lt.numero_e164 order by lt.created_at, lt.posicao) filter (where lt.valido_para_disparo))[1]
               as telefone,
             array_agg(lt.numero_e164::text) || array_agg((${NINE_DIGIT(sql`lt.numero_e164`)})::text) as formas
      from lead_telefones lt where lt.tenant_id = ${t} and lt.lead_id = l.lead_id) p
    cross join lateral (
      select (array_agg(le.email_normalizado order by le.created_at, le.posicao) filter (where le.valido_para_disparo))[1]
               as email,
             array_agg(le.email_normalizado::text) as todos
      from lead_emails le where le.tenant_id = ${t} and le.lead_id = l.lead_id) e
    cross join lateral (
      select count(*)::int as enviados, min(${reachedAt('d')}) as primeiro from disparos d
      where d.tenant_id = ${t} and d.lead_id = l.lead_id and ${reachedSince('d', recent)}) env
    cross join lateral (${debtsSql(t, cutoff)}) div
    where l.tenant_id = ${t} and l.lead_id = any(${leadIds}::uuid[])`;
}

/** The leads' facts of the statement's rows. */
export function leadsOf(rows: FactsRow[]): LeadFacts[] {
  const out: LeadFacts[] = [];
  for (const { fatos: f, dentro_janela, limite_ate } of rows) {
    if (f === null) continue;
    // to_json writes a timestamptz as ISO 8601 with its offset and microseconds: new Date() keeps the
    // instant to the millisecond, truncated, as pg's and PGlite's own parsing of the column did.
    out.push({
      ...f,
      primeiro: at(f.primeiro),
      ultima_entrada: at(f.ultima_entrada),
      dentro_janela,
      limite_ate: limite_ate!,
    });
  }
  return out;
}

/** The decision of each lead from its facts, as the SQL forms make it (decide.ts decisionsQuery). */
export function decideFromFacts(ctx: DecisionContext, leads: LeadFacts[]): DecisionRow[] {
  const zones = new Map<string, { timezone: string; uf: string | null }>();
  for (const f of leads) zones.set(windowKey(f.timezone, f.uf), { timezone: f.timezone, uf: f.uf });
  const windows = windowOpenings(ctx, [...zones.values()]);
  return leads.map((f) => decideLead(ctx, windows, f));
}

const at = (iso: string | null | undefined): Date | null => (iso == null ? null : new Date(iso));
const DAY_MS = 24 * 3600_000;

function decideLead(ctx: DecisionContext, windows: WindowOpenings, f: LeadFacts): DecisionRow {
  const canal: DecidedChannel =
    f.telefone !== null && ctx.channels.whatsapp
      ? 'whatsapp'
      : f.email !== null && ctx.channels.email
        ? 'email'
        : 'none';
  const key = windowKey(f.timezone, f.uf);
  const cobranca = (canal === 'whatsapp' && ctx.collection.whatsapp) || (canal === 'email' && ctx.collection.email);
  const janelaAbre = at(cobranca ? windows.collection.opens[key] : windows.opens[key]);
  const open = ctx.approved.provider === 'livre' || f.dentro_janela;
  const codigo = gate(ctx, windows, f, { canal, key, cobranca, janelaAbre, open });
  const limitEnds = new Date((f.primeiro ?? ctx.now).getTime() + DAY_MS);
  return {
    lead_id: f.lead_id,
    nome: f.nome,
    contato_nome: f.contato_nome,
    documento: f.documento,
    documento_tipo: f.documento_tipo,
    status: f.status,
    timezone: f.timezone,
    telefone: f.telefone,
    email: f.email,
    canal,
    divida_centavos: f.divida_centavos,
    divida_vencimento: f.divida_vencimento,
    divida_contratos: f.divida_contratos,
    dividas: f.dividas,
    dividas_prescritas: f.dividas_prescritas,
    motivo: CHANNEL_REASON[canal],
    template: canal === 'none' ? null : ctx.templates[canal].id,
    codigo_bloqueio: codigo,
    seria_enviado_agora: codigo === null,
    razao_bloqueio: codigo === null ? null : blockText(ctx, windows, f, codigo, canal, key, cobranca),
    previsto_para:
      codigo === 'limite_por_destinatario'
        ? limitEnds
        : codigo === 'fora_da_janela' || codigo === 'fora_do_horario_cobranca'
          ? janelaAbre
          : null,
    forma: canal !== 'whatsapp' ? null : open ? 'texto_livre' : 'modelo',
    janela_ate: canal === 'whatsapp' && open && f.ultima_entrada ? new Date(f.ultima_entrada.getTime() + DAY_MS) : null,
  };
}

/** The first gate that stops or defers the message, in gateSql's order (null: it would go now). */
function gate(
  ctx: DecisionContext,
  windows: WindowOpenings,
  f: LeadFacts,
  c: { canal: DecidedChannel; key: string; cobranca: boolean; janelaAbre: Date | null; open: boolean },
): BlockCode | null {
  const { canal, cobranca } = c;
  const max = ctx.policy.maxPorLead24h;
  if (f.status === 'opt_out') return 'opt_out';
  if (f.suprimido) return 'suprimido';
  if (!OUTREACH_ELIGIBLE.includes(f.status)) return 'estado_inelegivel';
  if (canal === 'none') return f.telefone !== null || f.email !== null ? 'canal_nao_configurado' : 'sem_canal';
  if (canal === 'whatsapp' && f.registro_fonte !== null) return 'registro_nao_perturbe';
  if (cobranca && ctx.policy.credor === null) return 'credor_nao_configurado';
  if (cobranca && (canal === 'whatsapp' ? f.tel_compartilhado : f.email_compartilhado)) return 'contato_compartilhado';
  if (cobranca && f.dividas > 0 && f.dividas_prescritas === f.dividas) return 'divida_prescrita';
  if (!varsAvailable(ctx.templates[canal], ctx.policy, f)) return 'variaveis_ausentes';
  const closed = canal === 'whatsapp' && !c.open;
  if (closed && ctx.approved.block !== null) return ctx.approved.block;
  if (closed && ctx.approved.identity?.categoria === 'marketing' && f.marketing_recusado) return 'marketing_recusado';
  if (f.enviados >= max) return 'limite_por_destinatario';
  if (cobranca && (canal === 'whatsapp' ? f.enviados_tel : f.enviados_email) >= max) return 'limite_por_destinatario';
  if (cobranca && windows.collection.lawClosed.includes(c.key)) return 'fora_do_horario_cobranca';
  if (c.janelaAbre !== null) return 'fora_da_janela';
  return null;
}

/** Whether the lead has what the template's variables need (decisions-sql.ts varsAvailable). */
function varsAvailable(def: TemplateDef, policy: DecisionContext['policy'], f: LeadFacts): boolean {
  return templateVariables(def).every((v) => {
    switch (v) {
      case 'contato':
        return true;
      case 'empresa':
        return (f.nome ?? '') !== '';
      case 'documento_mascarado':
        return f.documento !== null;
      case 'valor_divida':
        return f.divida_centavos !== null;
      case 'vencimento_divida':
        return f.divida_vencimento !== null;
      case 'contrato_divida':
        return f.divida_contratos !== null;
      case 'remetente':
        return !!policy.remetente.trim();
      case 'credor':
      case 'credor_cnpj':
      case 'credor_endereco':
      case 'credor_contato':
        return !!policy.credor;
      default:
        return false;
    }
  });
}

/** The block reason a person reads, in blockTextSql's words. */
function blockText(
  ctx: DecisionContext,
  windows: WindowOpenings,
  f: LeadFacts,
  codigo: BlockCode,
  canal: DecidedChannel,
  key: string,
  cobranca: boolean,
): string | null {
  switch (codigo) {
    case 'opt_out':
      return 'Lead optou por não receber mensagens (opt-out): nunca mais será contatado';
    case 'suprimido':
      return 'Documento, telefone ou e-mail do lead está na lista de supressão do tenant';
    case 'estado_inelegivel':
      return `Estado do lead não permite disparo: ${f.status}`;
    case 'sem_canal':
      return 'Lead não possui telefone nem email válidos';
    case 'canal_nao_configurado':
      return 'O canal do lead não está configurado neste servidor (mcp.json)';
    case 'contato_compartilhado':
      return (
        `O ${canal === 'whatsapp' ? 'telefone' : 'e-mail'} do lead também é de outro lead (outro documento): ` +
        'cobrança não vai a ele para não expor a dívida a terceiros (CDC art. 42); confirme o dono com ' +
        'manage_suppression confirm_destination'
      );
    case 'credor_nao_configurado':
      return (
        'Credor não configurado (razão social, CNPJ, endereço, contato: set_outreach_policy creditor); ' +
        'toda cobrança deve identificar o credor (CDC art. 42-A)'
      );
    case 'divida_prescrita':
      return (
        `Todas as ${f.dividas} dívida(s) do lead venceram há mais de ${ctx.policy.prescricaoAnos} anos ` +
        '(prescritas): não se cobra (STJ REsp 2.088.100/SP)'
      );
    case 'variaveis_ausentes':
      return 'Faltam dados do lead para o template (ex.: valor e vencimento da dívida, documento para documento_mascarado)';
    case 'limite_por_destinatario':
      return (
        `Limite de ${ctx.policy.maxPorLead24h} mensagem(ns) por lead em 24 h atingido; ` +
        `adiado até ${f.limite_ate} (${f.timezone})`
      );
    case 'registro_nao_perturbe':
      return (
        `Telefone do lead consta no cadastro de bloqueio "${f.registro_fonte}" (não me ligue) em vigor: ` +
        'nem oferta nem cobrança por telefone/WhatsApp (SP Lei 13.226/2008)'
      );
    case 'sem_template_aprovado':
    case 'template_pausado':
    case 'template_desativado':
    case 'marketing_recusado':
      return TEMPLATE_BLOCK_TEXT[codigo];
    case 'fora_do_horario_cobranca':
      return windows.collection.why[key] ?? null;
    case 'fora_da_janela':
      return (cobranca ? windows.collection.why : windows.why)[key] ?? null;
    default:
      return null;
  }
}
