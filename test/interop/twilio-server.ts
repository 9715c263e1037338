/**
 * Runs the real @twilio-alpha/mcp against a loopback fake: the package's code unchanged, its bundled
 * OpenAPI spec (the only place the base URL lives: `servers: - url: https://api.twilio.com`) copied
 * with that URL pointed at the fake. The copy sits under <repo>/.tmp so that its `require`s resolve
 * to the repository's node_modules.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageBin, ROOT } from './helpers.js';

export const TWILIO_SERVICE = 'twilio_api_v2010';

/** Returns the path of the copied entry script (build/index.js). */
export function twilioServerAgainst(baseUrl: string): string {
  const bin = packageBin('@twilio-alpha/mcp');
  const pkgDir = dirname(dirname(bin));
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'twilio-mcp-'));
  cpSync(join(pkgDir, 'build'), join(dir, 'build'), { recursive: true });
  cpSync(join(pkgDir, 'package.json'), join(dir, 'package.json'));
  const specDir = join(dir, 'twilio-oai', 'spec', 'yaml');
  mkdirSync(specDir, { recursive: true });
  const spec = readFileSync(join(pkgDir, 'twilio-oai', 'spec', 'yaml', `${TWILIO_SERVICE}.yaml`), 'utf8');
  const pointed = spec.replaceAll('https://api.twilio.com', baseUrl);
  if (pointed === spec)
    throw new Error('the Twilio spec no longer names https://api.twilio.com: re-check how to point it');
  writeFileSync(join(specDir, `${TWILIO_SERVICE}.yaml`), pointed);
  return join(dir, 'build', 'index.js');
}
