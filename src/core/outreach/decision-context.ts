import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { LeadStatus } from '../model/index.js';
import type { Scope } from '../scope.js';
import { DEFAULT_TEMPLATE_BY_CHANNEL, type TemplateDef } from '../templates/index.js';
import { loadPolicy, type OutreachPolicy } from './policy.js';
import { resolveTemplate } from './templates.js';

/** Everything a decision needs for this tenant at one moment. */
export interface DecisionContext {
  tenantId: string;
  now: Date;
  policy: OutreachPolicy;
  /** Channels with a working downstream profile. */
  channels: { whatsapp: boolean; email: boolean };
  templates: { whatsapp: TemplateDef; email: TemplateDef };
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
  return {
    tenantId,
    now: scope.clock.now(),
    policy,
    channels: { whatsapp: configured.has('whatsapp'), email: configured.has('email') },
    templates: { whatsapp, email },
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
