/** manage_suppression import_registry: an opt-out registry file as a suppression source (opt-out-registry.ts). */
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Scope } from '../scope.js';
import { readRegistry, storeRegistry } from './opt-out-registry.js';

export const registryInput = {
  file_path: z.string().min(1).max(4096).optional().describe('import_registry: CSV/XLSX of phones'),
  content_base64: z.string().max(28_000_000).optional(),
  filename: z.string().min(1).max(255).optional(),
  registry: z
    .string()
    .regex(/^[a-z0-9_]{2,60}$/, 'must be 2–60 lowercase letters, digits or _, e.g. sp_nao_me_ligue')
    .default('sp_nao_me_ligue'),
  registry_date: z.string().max(10).optional().describe('In force 30 days later (default: now)'),
};

/** Reads the registry file, then replaces the source's entries in one transaction. */
export async function importRegistry(
  scope: Scope,
  input: { registry: string; registry_date?: string; file_path?: string; content_base64?: string; filename?: string },
) {
  if (!scope.spreadsheets) throw new Error('import_registry needs scope.spreadsheets');
  if (!input.file_path && !input.content_base64)
    throw new AppError('invalid_argument', 'import_registry needs file_path or content_base64 + filename.');
  const file = await scope.spreadsheets.open(input);
  await scope.assertWritable();
  const imp = {
    source: input.registry,
    listDate: input.registry_date,
    actor: scope.actorLabel,
    now: scope.clock.now(),
  };
  const { entries, problems, problemsTotal } = await readRegistry(file, imp);
  const t = scope.tenant.tenant_id;
  const { replaced, effectiveFrom } = await scope.tx((tx) => storeRegistry(tx, t, imp, file.filename, entries));
  scope.logger.info(
    { registry: imp.source, numbers: entries.size, replaced, problems: problemsTotal },
    'registry imported',
  );
  return {
    action: 'import_registry',
    changed: entries.size,
    entries: [],
    registries: [
      {
        source: imp.source,
        numbers: entries.size,
        effective_from: effectiveFrom,
        file: file.filename,
        replaced,
        problems: problems.map((p) => `linha ${p.row}: ${p.value}: ${p.reason}`),
      },
    ],
  };
}
