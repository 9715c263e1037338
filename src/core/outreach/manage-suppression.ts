import { z } from 'zod';
import { AppError } from '../errors.js';
import { SUPPRESSION_KINDS, SUPPRESSION_ORIGINS } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { confirmDestination } from './confirm-destination.js';
import { importRegistry, registryInput } from './import-registry.js';
import { listRegistries } from './opt-out-registry.js';
import { addSuppression, listSuppressions, optOutLead, removeSuppression } from './suppression.js';

const ACTIONS = ['opt_out_lead', 'add', 'remove', 'list', 'confirm_destination', 'import_registry'] as const;

export const manageSuppressionInput = {
  action: z.enum(ACTIONS),
  lead_id: uuid().optional().describe('For opt_out_lead, confirm_destination'),
  kind: z.enum(SUPPRESSION_KINDS).optional().describe('For add/remove'),
  value: z.string().min(3).max(320).optional().describe('CPF/CNPJ, phone or e-mail, any format'),
  reason: z.string().min(3).max(500).default('pedido do titular'),
  limit: z.number().int().min(1).max(500).default(50),
  ...registryInput,
};

export const manageSuppressionOutput = {
  action: z.string(),
  changed: z.number().describe('Entries added or removed'),
  entries: z.array(
    z.object({
      kind: z.enum(SUPPRESSION_KINDS),
      value: z.string(),
      reason: z.string(),
      source: z.enum(SUPPRESSION_ORIGINS),
      lead_id: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
  registries: z
    .array(
      z.object({
        source: z.string(),
        numbers: z.number(),
        effective_from: z.string().nullable(),
        file: z.string().optional(),
        replaced: z.number().optional(),
        problems: z.array(z.string()).optional(),
      }),
    )
    .optional(),
};

/**
 * The tenant-wide do-not-contact list, checked on every channel at decision time and again right
 * before each send. opt_out_lead suppresses a lead's document, phones and e-mails and moves it to
 * opt_out (terminal); add / remove one value in any format; list the latest entries and the registries;
 * import_registry: an opt-out registry file (import-registry.ts).
 */
export async function manageSuppression(
  scope: Scope,
  input: Infer<typeof manageSuppressionInput>,
): Promise<Infer<typeof manageSuppressionOutput>> {
  const t = scope.tenant.tenant_id;
  const actor = scope.actorLabel;
  if (input.action === 'import_registry') return importRegistry(scope, input);
  return scope.tx(async (tx) => {
    if (input.action === 'list') {
      const rows = await listSuppressions(tx, t, input.limit);
      const entries = rows.map((e) => ({
        kind: e.tipo,
        value: e.valor,
        reason: e.motivo,
        source: e.origem,
        lead_id: e.lead_id,
        created_at: e.created_at,
      }));
      return { action: input.action, changed: 0, entries, registries: await listRegistries(tx, t) };
    }
    if (input.action === 'opt_out_lead') {
      if (!input.lead_id) throw new AppError('invalid_argument', 'opt_out_lead needs lead_id.');
      const r = await optOutLead(tx, t, input.lead_id, input.reason, actor);
      return { action: input.action, changed: r.added, entries: [] };
    }
    if (input.action === 'confirm_destination') {
      if (!input.lead_id || !input.value)
        throw new AppError('invalid_argument', 'confirm_destination needs lead_id and value.');
      const changed = await confirmDestination(tx, t, {
        leadId: input.lead_id,
        value: input.value,
        reason: input.reason,
        actor,
      });
      return { action: input.action, changed: changed ? 1 : 0, entries: [] };
    }
    if (!input.kind || !input.value) throw new AppError('invalid_argument', `${input.action} needs kind and value.`);
    const changed =
      input.action === 'add'
        ? await addSuppression(tx, t, { tipo: input.kind, valor: input.value, motivo: input.reason, ator: actor })
        : await removeSuppression(tx, t, input.kind, input.value);
    return { action: input.action, changed: changed ? 1 : 0, entries: [] };
  });
}
