import type { Config } from '../config.js';
import { AppError } from '../core/errors.js';
import { importRegistry } from '../core/outreach/import-registry.js';
import type { Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import type { CliValues } from './args.js';
import { cliScope } from './scope.js';

/**
 * `registry import FILE [--registry sp_nao_me_ligue] [--date YYYY-MM-DD]`: an opt-out registry file (a
 * CSV/XLSX of phone numbers inside AGENTE_INGEST_DIRS, the ingest's folder rule) as manage_suppression
 * import_registry does it, for the configured tenant (or --tenant). Prints the result as JSON on stdout.
 */
export async function registryCommand(
  db: Db,
  config: Config,
  logger: Logger,
  sub: string | undefined,
  file: string | undefined,
  values: CliValues,
): Promise<number> {
  if (sub !== 'import' || !file) {
    process.stderr.write('Usage: registry import FILE [--registry sp_nao_me_ligue] [--date YYYY-MM-DD]\n');
    return 2;
  }
  const registry = typeof values.registry === 'string' ? values.registry : 'sp_nao_me_ligue';
  if (!/^[a-z0-9_]{2,60}$/.test(registry)) {
    process.stderr.write('--registry: lowercase letters, digits and _ (2–60), e.g. sp_nao_me_ligue\n');
    return 2;
  }
  const slug = typeof values.tenant === 'string' ? values.tenant : config.tenantSlug;
  const { scope } = await cliScope(db, config, logger, 'registry', { slug });
  try {
    const date = typeof values.date === 'string' ? values.date : undefined;
    const r = await importRegistry(scope, { file_path: file, registry, registry_date: date });
    const reg = r.registries[0];
    process.stdout.write(`${JSON.stringify(reg)}\n`);
    process.stderr.write(
      `${reg.source}: ${reg.numbers} number(s) in force from ${reg.effective_from ?? '-'}, ${reg.replaced} replaced, ` +
        `${reg.problems.length} problem(s)\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
}
