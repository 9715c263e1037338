#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, print, USAGE } from './cli/args.js';
import { inbox } from './cli/inbox.js';
import { lgpdCommand } from './cli/lgpd.js';
import { registryCommand } from './cli/registry.js';
import { reminders } from './cli/reminders.js';
import { serve } from './cli/serve.js';
import { tokenCommand } from './cli/token.js';
import { worker } from './cli/worker.js';
import { webhookCommand } from './inbound/commands.js';
import { loadConfig } from './config.js';
import { openDb } from './db/connect.js';
import { assertFreeSpace } from './db/disk-space.js';
import { migrate } from './db/migrate.js';
import { runDemo } from './demo.js';
import { createLogger } from './logger.js';
import { preloadMcpSecrets } from './channels/config.js';
import { resolveEnvRefs } from './secrets/refs.js';

/**
 * The composition root: argv and environment → the database (migrated, then as the app role) → one
 * command (src/cli/*: serve over stdio or HTTP, worker, reminders, inbox, token; webhook from src/inbound; migrate and
 * demo here).
 */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) return print(USAGE);
  // Secrets by reference (${env:…}, ${file:…}, ${aws-sm:…}) in the environment, DATABASE_URL included.
  await resolveEnvRefs(process.env);
  const config = loadConfig();
  if (values.version) return print(config.version);
  const [command = 'serve', sub, arg] = positionals;
  if (command === 'demo') return runDemo(fileURLToPath(import.meta.url));
  // The commands that talk to channels fetch mcp.json's Secrets Manager secrets now: a missing one stops the start.
  if (!['migrate', 'token', 'webhook'].includes(command)) await preloadMcpSecrets(config.mcpConfigPath);

  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    // PGlite on a full disk blocks the process instead of failing (see db/disk-space.ts): refuse to start.
    try {
      await assertFreeSpace(config.dataDir);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 1;
    }
  }
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, prepare: config.pgPrepare });
  try {
    const { applied } = await migrate(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    if (command === 'migrate') {
      process.stderr.write(`${applied.length} migration(s) applied on ${db.label}\n`);
      return 0;
    }
    // Everything after the migrations runs as the app role, under row-level security (SECURITY.md).
    await db.useAppRole();
    switch (command) {
      case 'token':
        return await tokenCommand(db, sub, arg, values);
      case 'webhook':
        return await webhookCommand(db, sub, values);
      case 'serve':
        return await serve(db, config, logger, values);
      case 'worker':
        return await worker(db, config, logger);
      case 'inbox':
        return await inbox(db, config, logger);
      case 'lgpd':
        return await lgpdCommand(db, config, logger, sub, values);
      case 'reminders':
        return await reminders(db, config, logger, values);
      case 'registry':
        return await registryCommand(db, config, logger, sub, arg, values);
      default:
        process.stderr.write(`Unknown command: ${command}\n\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await db.close();
  }
}

// Run only as the entry point (the bin, `node dist/main.js`), never when imported.
const entry = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (entry === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const e = err as Error & { code?: string };
      process.stderr.write(`agente-disparo-agenda: ${e.message ?? String(err)}\n`);
      process.exit(e.code === 'data_dir_locked' ? 3 : 1);
    },
  );
}
