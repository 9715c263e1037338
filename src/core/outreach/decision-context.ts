import { sql } from 'kysely';
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
import {
  DEFAULT_TEMPLATE_BY_CHANNEL,
  isCollectionTemplate,
  templateVariables,
  type TemplateDef,
} from '../templates/index.js';
import { policyOf, prescriptionCutoff, type OutreachPolicy, type PolicyRow } from './policy.js';
import { leadZonesSql, type LeadZone } from './decisions-sql.js';
import { templateOf } from './templates.js';

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
  { leadIds: string[] } | { filter: { status?: LeadStatus[]; source_job_id?: string }; limit: number };

/** Template ids asked for by the caller; the channel's collections template when absent. */
export interface TemplateChoice {
  whatsapp?: string;
  email?: string;
}

/**
 * The decision context of the scope's tenant now: its policy, the chosen templates, the working channels.
 * Policy, template overrides and (given `leadIds`, the leads a decision will be about) their time zones
 * come in one statement: it runs on every decide_channel call.
 */
export async function loadDecisionContext(
  tx: Tx,
  scope: Scope,
  choice: TemplateChoice = {},
  leadIds?: string[],
): Promise<DecisionContext> {
  const tenantId = scope.tenant.tenant_id;
  const ids = {
    whatsapp: choice.whatsapp ?? DEFAULT_TEMPLATE_BY_CHANNEL.whatsapp,
    email: choice.email ?? DEFAULT_TEMPLATE_BY_CHANNEL.email,
  };
  const states = scope.channelStates?.() ?? [];
  const provider = whatsappProviderOf(states.find((c) => c.channel === 'whatsapp')?.preset);
  const registry = provider === 'twilio' ? 'twilio' : 'meta';
  type Row = PolicyRow & { whatsapp: unknown; email: unknown; zones: LeadZone[]; aprovado: ApprovedIdentity | null };
  const { rows } = await prepared(sql<Row>`
    select p.remetente, p.janela_envio, p.max_mensagens_lead_24h, p.credor, p.prescricao_anos,
           (select definicao from templates_tenant where tenant_id = ${tenantId} and template_id = ${ids.whatsapp})
             as whatsapp,
           (select definicao from templates_tenant where tenant_id = ${tenantId} and template_id = ${ids.email}) as email,
           ${leadIds ? leadZonesSql(tenantId, leadIds) : sql`'[]'::json`} as zones,
           (select to_json(m) from modelos_aprovados m where m.tenant_id = ${tenantId}
              and m.template_id = ${ids.whatsapp} and m.provedor = ${registry}) as aprovado
    from (select 1) one left join tenant_politicas p on p.tenant_id = ${tenantId}`).execute(tx);
  const row = rows[0]!;
  const configured = new Set(states.filter((c) => c.state === 'configured').map((c) => c.channel));
  const now = scope.clock.now();
  const policy = policyOf(row, scope.tenant);
  const whatsapp = templateOf(row.whatsapp, ids.whatsapp);
  const email = templateOf(row.email, ids.email);
  const identity = identityFor(whatsapp, provider, row.aprovado);
  return {
    tenantId,
    now,
    prescribedOnOrBefore: prescriptionCutoff(now, policy.prescricaoAnos),
    policy,
    channels: { whatsapp: configured.has('whatsapp'), email: configured.has('email') },
    templates: { whatsapp, email },
    collection: {
      whatsapp: isCollectionTemplate(whatsapp, templateVariables(whatsapp)),
      email: isCollectionTemplate(email, templateVariables(email)),
    },
    approved: { provider, identity, block: provider === 'livre' ? null : templateBlock(identity) },
    ...(leadIds ? { leadZones: { leadIds, zones: row.zones } } : {}),
  };
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
