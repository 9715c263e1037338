import { sql, type RawBuilder } from 'kysely';
import { finalRead, prepared } from '../../db/prepared.js';
import type { Tx } from '../../db/tenant.js';
import type { MessageForm } from '../templates/approved.js';
import type { BlockCode, DecidedChannel, DocumentType, LeadStatus } from '../model/index.js';
import { checkSendWindow, collectionWindow, legalWindow, ruleSource } from '../policy/index.js';
import type { DecisionContext, Target } from './decision-context.js';
import {
  blockTextSql,
  leadZonesSql,
  windowKey,
  type LeadZone,
  channelSql,
  collectingSql,
  gateSql,
  leadFactsSql,
  reasonAndTemplateSql,
  targetSql,
  type DecisionForm,
  type WindowOpenings,
} from './decisions-sql.js';
import { EVAL_ONCE, leadFactsSetSql, setTargetSql, setZonesSql, withSetFormSettings } from './decisions-set-sql.js';
import { formSql } from './window-sql.js';

export type { DecisionContext, Target, TemplateChoice } from './decision-context.js';

/** One lead's decision as the query returns it (pt-BR columns; the tools' shapes are in decide-channel.ts). */
export interface DecisionRow {
  lead_id: string;
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: DocumentType | null;
  status: LeadStatus;
  timezone: string;
  telefone: string | null;
  email: string | null;
  canal: DecidedChannel;
  /** Open (not prescribed) debts: their sum in centavos, earliest due date (ISO), contracts; null without any. */
  divida_centavos: number | null;
  divida_vencimento: string | null;
  divida_contratos: string | null;
  /** How many debts the lead has, and how many of them are prescribed. */
  dividas: number;
  dividas_prescritas: number;
  motivo: string;
  template: string | null;
  codigo_bloqueio: BlockCode | null;
  razao_bloqueio: string | null;
  /** WhatsApp: an approved template (outside the 24-hour window) or free text (inside); null for e-mail. */
  forma: MessageForm | null;
  /** When the person's 24-hour window closes (null: closed). */
  janela_ate: Date | null;
  seria_enviado_agora: boolean;
  previsto_para: Date | null;
}

/**
 * The decision for every targeted lead as one SQL query: channel by the seed's rule, then the policy
 * gates in order (decisions-sql.ts). Set-based: the send window is computed once per time zone of the
 * targeted leads in JS and passed in; no query per lead. Given lead ids, their facts are read by index
 * lookups per lead (form 'targeted', DecisionForm); a filter reads them with hash joins ('set').
 */
export async function decisionsQuery(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  channel?: DecidedChannel,
  form: DecisionForm = 'leadIds' in target ? 'targeted' : 'set',
): Promise<RawBuilder<DecisionRow>> {
  const windows = await sendWindowOpenings(tx, ctx, target);
  const facts =
    form === 'set' ? leadFactsSetSql(ctx, target) : leadFactsSql(ctx.tenantId, ctx.now, ctx.prescribedOnOrBefore, form);
  const alvo = form === 'set' ? setTargetSql(ctx.tenantId, target) : targetSql(ctx.tenantId, target);
  // Set form: c and d each computed once per lead (EVAL_ONCE, as f is), not once per reference.
  const once = form === 'set' ? EVAL_ONCE : sql``;
  return sql<DecisionRow>`
    with alvo as materialized (${alvo}),
    ${facts},
    c as (${channelSql(ctx, windows)} ${once}),
    d as (select c.*, ${gateSql(ctx)} as codigo, ${collectingSql(ctx)} as cobranca,
                 case when ${collectingSql(ctx)} then c.janela_cobranca else c.janela_geral end as janela_abre from c ${once})
    select d.lead_id, d.nome, d.contato_nome, d.documento, d.documento_tipo, d.status, d.timezone, d.telefone,
           d.email, d.canal, d.divida_centavos, d.divida_vencimento, d.divida_contratos, d.dividas,
           d.dividas_prescritas, ${reasonAndTemplateSql(ctx)},
           d.codigo as codigo_bloqueio, d.codigo is null as seria_enviado_agora,
           ${blockTextSql(ctx, windows)}, ${formSql(ctx)}
    from d
    ${channel ? sql`where d.canal = ${channel}` : sql``}`;
}

/**
 * When the send window opens in each time zone and UF of the targeted leads (a handful of pairs),
 * computed in JS by the time module at ctx.now: the tenant's window, and for collection messages that
 * window narrowed to the UF's law (policy/state-contact-rules.ts).
 */
async function sendWindowOpenings(tx: Tx, ctx: DecisionContext, target: Target): Promise<WindowOpenings> {
  return windowOpenings(ctx, await targetZones(tx, ctx, target));
}

/** The send windows of these zones at ctx.now (sendWindowOpenings; decide-targeted.ts). */
export function windowOpenings(ctx: DecisionContext, zones: LeadZone[]): WindowOpenings {
  const out: WindowOpenings = { opens: {}, why: {}, collection: { opens: {}, why: {}, lawClosed: [] } };
  const collecting = ctx.collection.whatsapp || ctx.collection.email;
  for (const { timezone, uf } of zones) {
    const key = windowKey(timezone, uf);
    const z = zoneOpening(ctx, collecting, timezone, uf);
    out.opens[key] = z.opens;
    if (z.why !== undefined) out.why[key] = z.why;
    if (!collecting) continue;
    out.collection.opens[key] = z.collection!.opens;
    if (z.collection!.why !== undefined) out.collection.why[key] = z.collection!.why;
    if (z.collection!.lawClosed) out.collection.lawClosed.push(key);
  }
  return out;
}

/** One zone's part of WindowOpenings. */
interface ZoneOpening {
  opens: string | null;
  why?: string;
  collection?: { opens: string | null; why?: string; lawClosed: boolean };
}

/*
 * The zones' openings of the current minute, per window configuration: a decision needs them on every
 * call (decide_channel: 0.1–0.4 ms of Intl formatting a call, more outside the window). checkSendWindow
 * reads its instant only as a local date and minute (time/wall-clock.ts localParts; offsets are whole
 * minutes), so within one UTC minute, for one configuration, zone and UF, its answer is the same. The
 * configuration is the tenant's cached policy's janela (tenant-config-cache.ts): a new object whenever
 * the tenant's configuration changes, never changed in place; DEFAULT_SEND_WINDOW when unset.
 */
const openingsMemo = new WeakMap<object, { minute: number; zones: Map<string, ZoneOpening> }>();

function zoneOpening(ctx: DecisionContext, collecting: boolean, timezone: string, uf: string | null): ZoneOpening {
  const minute = Math.floor(ctx.now.getTime() / 60_000);
  let memo = openingsMemo.get(ctx.policy.janela);
  if (!memo || memo.minute !== minute) openingsMemo.set(ctx.policy.janela, (memo = { minute, zones: new Map() }));
  const key = `${collecting ? 1 : 0}|${timezone}|${uf === null ? '\u0000' : uf}`;
  let z = memo.zones.get(key);
  if (!z) memo.zones.set(key, (z = computeZoneOpening(ctx, collecting, timezone, uf)));
  return z;
}

function computeZoneOpening(
  ctx: DecisionContext,
  collecting: boolean,
  timezone: string,
  uf: string | null,
): ZoneOpening {
  const w = checkSendWindow(ctx.now, timezone, { ...ctx.policy.janela, uf });
  const z: ZoneOpening = { opens: w.inside ? null : (w.next?.toISOString() ?? '9999-12-31T00:00:00Z') };
  if (!w.inside) z.why = w.motivo;
  if (!collecting) return z;
  const c = checkSendWindow(ctx.now, timezone, collectionWindow(ctx.policy.janela, uf));
  z.collection = { opens: c.inside ? null : (c.next?.toISOString() ?? '9999-12-31T00:00:00Z'), lawClosed: false };
  if (c.inside) return z;
  const law = checkSendWindow(ctx.now, timezone, legalWindow(uf));
  z.collection.why = law.inside ? c.motivo : `${c.motivo} — horário de cobrança por lei (${ruleSource(uf)})`;
  z.collection.lawClosed = !law.inside;
  return z;
}

/** The time zones of the targeted leads: loaded with the context when it was for these leads, else read. */
async function targetZones(tx: Tx, ctx: DecisionContext, target: Target): Promise<LeadZone[]> {
  if ('leadIds' in target && ctx.leadZones?.leadIds === target.leadIds) return ctx.leadZones.zones;
  if ('filter' in target && ctx.setZones) return ctx.setZones;
  const zones = 'leadIds' in target ? leadZonesSql(ctx.tenantId, target.leadIds) : setZonesSql(ctx.tenantId);
  const { rows } = await prepared(sql<{ zones: LeadZone[] }>`select ${zones} as zones`).execute(tx);
  return rows[0]!.zones;
}

/**
 * Decisions for a handful of leads (decide_channel, send_message, enqueue). `final`: the last statement
 * of a read-only transaction (db/prepared.ts finalRead), as in decide_channel.
 */
export async function decide(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  opts: { final?: boolean } = {},
): Promise<DecisionRow[]> {
  const q = await decisionsQuery(tx, ctx, target);
  const run = async () => (await prepared(opts.final ? finalRead(q) : q).execute(tx)).rows;
  return 'leadIds' in target ? run() : withSetFormSettings(tx, run);
}

/** Writes one dry_run_log row per targeted lead in one statement; returns how many. */
export async function writeDryRunLog(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  batchId: string,
  channel?: DecidedChannel,
): Promise<number> {
  const insert = dryRunInsertSql(ctx, await decisionsQuery(tx, ctx, target, channel), batchId);
  const res = 'leadIds' in target ? await insert.execute(tx) : await withSetFormSettings(tx, () => insert.execute(tx));
  return Number(res.numAffectedRows ?? 0);
}

/**
 * The INSERT … SELECT of decisions q as dry_run_log rows of batch batchId (one statement). The name goes as it
 * is (leads.nome and dry_run_log.lead_nome are both varchar(500)); an e-mail may be longer than lead_email.
 */
export function dryRunInsertSql(
  ctx: DecisionContext,
  q: RawBuilder<DecisionRow>,
  batchId: string,
): RawBuilder<unknown> {
  return sql`
    insert into dry_run_log (tenant_id, lead_id, lead_nome, lead_telefone, lead_email, canal_decidido, motivo_decisao,
                             template_selecionado, disparo_seria_executado, razao_bloqueio, lote_id, codigo_bloqueio,
                             disparo_previsto_para)
    select ${ctx.tenantId}, x.lead_id, x.nome, x.telefone, left(x.email, 255), x.canal, x.motivo, x.template,
           x.seria_enviado_agora, x.razao_bloqueio, ${batchId}, x.codigo_bloqueio, x.previsto_para
    from (${q}) x`;
}
