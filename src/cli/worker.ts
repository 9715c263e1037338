import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { buildChannels, startExecutor, untilStopped } from './channels.js';

/** `worker`: executors only, for scale-out — any number of these on one PostgreSQL share the outbox. */
export async function worker(db: Db, config: Config, logger: Logger): Promise<number> {
  if (db.kind !== 'postgres') {
    process.stderr.write(
      'worker needs PostgreSQL (set DATABASE_URL); on PGlite the executor runs inside the server process.\n',
    );
    return 2;
  }
  if (!config.dispatchEnabled) {
    process.stderr.write(
      'worker refuses to start: MICRO_AGENT_DISPARO_ENABLED is not exactly "true", so nothing may be sent.\n',
    );
    return 2;
  }
  const channels = buildChannels(config, logger);
  if (!channels.client) {
    process.stderr.write(`worker: no usable channel configuration in ${config.mcpConfigPath}\n`);
    return 2;
  }
  const executor = startExecutor(db, channels.client, logger, config);
  process.stderr.write(`worker ${hostname()}:${process.pid} executing disparos\n`);
  await untilStopped();
  await executor.stop();
  await channels.close();
  return 0;
}
