import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { fullExport } from '../core/lgpd/export-format.js';
import { lgpdRequest, lgpdRequestInput } from '../core/lgpd/lgpd-request.js';
import type { Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { z } from 'zod';
import type { CliValues } from './args.js';
import { cliScope } from './scope.js';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * `lgpd ACTION`: the lgpd_request tool's actions from the command line, for the tenant AGENTE_TENANT.
 * `lgpd export` writes everything about the person to two files (JSON and CSV, mode 0600) under
 * <data dir>/lgpd/ (or --out DIR) and prints only their paths and counts: the data never goes to a log.
 */
export async function lgpdCommand(
  db: Db,
  config: Config,
  logger: Logger,
  action: string | undefined,
  values: CliValues,
) {
  const { scope } = await cliScope(db, config, logger, `lgpd ${action ?? ''}`.trim(), {
    extra: { channels: () => [] },
  });
  const ids = { document: str(values.document), phone: str(values.phone), email: str(values.email) };
  if (action === 'export') {
    const out = await fullExport(scope, ids);
    const dir = str(values.out) ?? join(config.dataDir, 'lgpd');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const base = join(dir, `exportacao-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    writeFileSync(`${base}.json`, out.json, { mode: 0o600 });
    writeFileSync(`${base}.csv`, out.csv, { mode: 0o600 });
    process.stdout.write(
      `${JSON.stringify({ json: `${base}.json`, csv: `${base}.csv`, rows: out.rows, truncated: out.truncated })}\n`,
    );
    return 0;
  }
  const parsed = z.object(lgpdRequestInput).safeParse({
    action,
    ...ids,
    type: str(values.type),
    request_id: str(values.request),
    received_at: str(values['received-at']),
    note: str(values.note),
  });
  if (!parsed.success) {
    process.stderr.write(`lgpd: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  const r = await lgpdRequest(scope, parsed.data);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return 0;
}
