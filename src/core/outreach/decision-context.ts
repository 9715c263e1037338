import { sql, type RawBuilder } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { LeadStatus } from '../model/index.js';
import type { Scope } from '../scope.js';
import {
  identityFor,
  templateBlock,
  whatsappProviderOf,
  type ApprovedIdentity,
  type TemplateBlock,
  type WhatsappProvider,
} from '../templates/approved.js';
import { DEFAULT_TEMPLATE_BY_CHANNEL, type TemplateDef } from '../templates/index.js';
import { prescriptionCutoff, type OutreachPolicy, type PolicyRow } from './policy.js';
import { leadZonesSql, type LeadZone } from './decisions-sql.js';
import { cachedVersion, configTemplate, tenantConfig } from './tenant-config-cache.js';

/** Everything a decision needs for this tenant at one moment. */
export interface DecisionContext {
  tenantId: string;
  now: Date;
  /** Debts due on or before this date (ISO) are prescribed: now in Brasília minus the policy's term. */
  prescribedOnOrBefore: string;
  policy: OutreachPolicy;
  /** Channels with a working downstream profile. */
  channels: { whatsapp: boolean; email: boolean };
  templates: { whatsapp: TemplateDef; email: TemplateDef };
  /** The time zones of these leads, when the context was loaded for them (saves decide() a statement). */
  leadZones?: { leadIds: string[]; zones: LeadZone[] };
  /**
   * The zones of the tenant's leads (decisions-set-sql.ts setZonesSql), when already read in the snapshot the
   * decision reads: a split dry run reads them once for all its parts (dry-run-parts.ts).
   */
  setZones?: LeadZone[];
  /** Per channel, whether its template is a collection message (isCollectionTemplate). */
  collection: { whatsapp: boolean; email: boolean };
  /**
   * The WhatsApp template outside the 24-hour window: the channel's provider kind, the approved identity
   * (registry or sandbox default), and why it cannot go (null: it can). `livre`: free text always.
   */
  approved: { provider: WhatsappProvider; identity: ApprovedIdentity | null; block: TemplateBlock | null };
}

/** The leads a decision, dry run or campaign is about: given ids, or a filter (oldest first, up to limit). */
export type Target =
  | { leadIds: string[] }
  | {
      filter: { status?: LeadStatus[]; source_job_id?: string };
      limit: number;
      /**
       * Only part `index` of `of` of the filter's leads (by a hash of the lead id): a dry run split over
       * several connections (dry-run-parts.ts). The limit still applies to the whole filter.
       */
      part?: {
        index: number;
        of: number;
        /**
         * The filter matches at most `limit` leads (counted in the parts' shared snapshot): every one of
         * them is in, so a part need not sort the tenant's leads to find the oldest `limit`.
         */
        withinLimit?: boolean;
      };
    };

/** Template ids asked for by the caller; the channel's collections template when absent. */
export interface TemplateChoice {
  whatsapp?: string;
  email?: string;
}

/**
 * The decision context of the scope's tenant now: its policy, the chosen templates, the working channels.
 * The tenant's configuration version, its policy and template overrides when this process has not got
 * that version cached (tenant-config-cache.ts), and (given `leadIds`, the leads a decision will be
 * about) their time zones come in one statement (contextStatement).
 */
export async function loadDecisionContext(
  tx: Tx,
  scope: Scope,
  choice: TemplateChoice = {},
  leadIds?: string[],
): Promise<DecisionContext> {
  const { rows } = await contextStatement(scope, choice, leadIds).execute(tx);
  return contextOf(scope, choice, rows[0]!, leadIds);
}

/** The chosen template ids (the channel's default when absent) and the WhatsApp provider and registry. */
export function contextKeys(scope: Scope, choice: TemplateChoice) {
  const ids = {
    whatsapp: choice.whatsapp ?? DEFAULT_TEMPLATE_BY_CHANNEL.whatsapp,
    email: choice.email ?? DEFAULT_TEMPLATE_BY_CHANNEL.email,
  };
  const states = scope.channelStates?.() ?? [];
  const provider = whatsappProviderOf(states.find((c) => c.channel === 'whatsapp')?.preset);
  const registry: 'twilio' | 'meta' = provider === 'twilio' ? 'twilio' : 'meta';
  return { ids, states, provider, registry };
}

/**
 * The context statement (one row, ContextRow): the configuration version always; policy and overrides
 * only when this process has not got that version (a CASE branch not taken runs no subquery); the
 * leads' zones when given; the WhatsApp template's approval. The version is read once (`offset 0`
 * keeps x a subquery: pulled up, its lookup ran once for each of the four places it is used).
 */
export function contextStatement(scope: Scope, choice: TemplateChoice, leadIds?: string[]): RawBuilder<ContextRow> {
  const tenantId = scope.tenant.tenant_id;
  const { ids, registry } = contextKeys(scope, choice);
  return contextSql({ tenantId, known: cachedVersion(tenantId), template: ids.whatsapp, registry }, leadIds);
}

/** The values the context statement binds (contextStatement), besides the leads. */
export interface ContextParams {
  tenantId: string;
  /** The configuration version this process has cached (tenant-config-cache.ts). */
  known: string;
  /** The WhatsApp template id and the registry its approval is read from. */
  template: string;
  registry: string;
}

/** contextStatement's text over its values: each of them a parameter. */
export function contextSql(p: ContextParams, leadIds?: string[]): RawBuilder<ContextRow> {
  const { tenantId, known } = p;
  return prepared(sql<ContextRow>`
    select x.versao, x.versao <> ${known} as lido,
           case when x.versao <> ${known} then
             (select row_to_json(p) from (select remetente, janela_envio, max_mensagens_lead_24h, credor, prescricao_anos
                                          from tenant_politicas where tenant_id = ${tenantId}) p) end as politica,
           case when x.versao <> ${known} then
             (select json_object_agg(t.template_id, t.definicao) from templates_tenant t where t.tenant_id = ${tenantId})
           end as overrides,
           ${leadIds ? leadZonesSql(tenantId, leadIds) : sql`'[]'::json`} as zones,
           (select to_json(m) from modelos_aprovados m where m.tenant_id = ${tenantId}
              and m.template_id = ${p.template} and m.provedor = ${p.registry}) as aprovado
    from (select coalesce((select versao from tenant_config_versao where tenant_id = ${tenantId}), 0)::text as versao
          offset 0) x`);
}

/**
 * The decision context made from a context statement's row (the same row, scope and clock: the same
 * context), at `now` (the scope's clock unless given).
 */
export function contextOf(
  scope: Scope,
  choice: TemplateChoice,
  row: ContextRow,
  leadIds?: string[],
  now: Date = scope.clock.now(),
): DecisionContext {
  const tenantId = scope.tenant.tenant_id;
  const { ids, states, provider } = contextKeys(scope, choice);
  const config = tenantConfig(
    tenantId,
    scope.tenant,
    row.versao,
    row.lido ? { policy: row.politica, overrides: row.overrides } : null,
  );
  const configured = new Set(states.filter((c) => c.state === 'configured').map((c) => c.channel));
  const { policy } = config;
  const whatsapp = configTemplate(config, ids.whatsapp);
  const email = configTemplate(config, ids.email);
  const identity = identityFor(whatsapp.def, provider, row.aprovado);
  return {
    tenantId,
    now,
    prescribedOnOrBefore: prescriptionCutoff(now, policy.prescricaoAnos),
    policy,
    channels: { whatsapp: configured.has('whatsapp'), email: configured.has('email') },
    templates: { whatsapp: whatsapp.def, email: email.def },
    collection: { whatsapp: whatsapp.collection, email: email.collection },
    approved: { provider, identity, block: provider === 'livre' ? null : templateBlock(identity) },
    ...(leadIds ? { leadZones: { leadIds, zones: row.zones } } : {}),
  };
}

/** The context statement's row (tenant configuration columns are null unless `lido`). */
export interface ContextRow {
  versao: string;
  lido: boolean;
  politica: PolicyRow | null;
  overrides: Record<string, unknown> | null;
  zones: LeadZone[];
  /** The WhatsApp template's approval (modelos_aprovados): read on every call, one index lookup. */
  aprovado: ApprovedIdentity | null;
}

/** The target of a dry run or a campaign: exactly one of lead_ids or filter (filter: {} is every lead). */
export function targetOf(input: {
  lead_ids?: string[];
  filter?: { status?: LeadStatus[]; source_job_id?: string };
  limit: number;
}): Target {
  if (!!input.lead_ids === !!input.filter)
    throw new AppError('invalid_argument', 'Give exactly one of lead_ids or filter (use filter: {} for all leads).');
  return input.lead_ids
    ? { leadIds: [...new Set(input.lead_ids)] }
    : {
        filter: { status: input.filter!.status, source_job_id: input.filter!.source_job_id },
        limit: input.limit,
      };
}

/**
 * Real sending of collection messages refuses to start while the tenant's creditor is unset: a
 * collection must name its creditor (CDC art. 42-A), and the sender is never the tenant's slug.
 */
export function assertCreditorForRealSend(ctx: DecisionContext): void {
  if (ctx.policy.credor || (!ctx.collection.whatsapp && !ctx.collection.email)) return;
  throw new AppError(
    'failed_precondition',
    'The creditor is not configured, and collection messages must name it (CDC art. 42-A): call ' +
      'set_outreach_policy with creditor {legal_name, tax_id (CNPJ), address, contact} first. Nothing was sent.',
  );
}
