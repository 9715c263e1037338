import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { LeadStatus } from '../model/index.js';
import type { Scope } from '../scope.js';
import {
  DEFAULT_TEMPLATE_BY_CHANNEL,
  isCollectionTemplate,
  templateVariables,
  type TemplateDef,
} from '../templates/index.js';
import { loadPolicy, prescriptionCutoff, type OutreachPolicy } from './policy.js';
import { resolveTemplate } from './templates.js';

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
  /** Per channel, whether its template is a collection message (isCollectionTemplate). */
  collection: { whatsapp: boolean; email: boolean };
}

/** The leads a decision, dry run or campaign is about: given ids, or a filter (oldest first, up to limit). */
export type Target =
  { leadIds: string[] } | { filter: { status?: LeadStatus[]; source_job_id?: string }; limit: number };

/** Template ids asked for by the caller; the channel's collections template when absent. */
export interface TemplateChoice {
  whatsapp?: string;
  email?: string;
}

/** The decision context of the scope's tenant now: its policy, the chosen templates, the working channels. */
export async function loadDecisionContext(tx: Tx, scope: Scope, choice: TemplateChoice = {}): Promise<DecisionContext> {
  const tenantId = scope.tenant.tenant_id;
  const policy = await loadPolicy(tx, scope.tenant);
  const [whatsapp, email] = await Promise.all([
    resolveTemplate(tx, tenantId, choice.whatsapp ?? DEFAULT_TEMPLATE_BY_CHANNEL.whatsapp),
    resolveTemplate(tx, tenantId, choice.email ?? DEFAULT_TEMPLATE_BY_CHANNEL.email),
  ]);
  const configured = new Set(
    (scope.channelStates?.() ?? []).filter((c) => c.state === 'configured').map((c) => c.channel),
  );
  const now = scope.clock.now();
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
