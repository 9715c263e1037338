import { createToken, revokeToken, SCOPES, type Scope } from '../auth/tokens.js';
import type { Db } from '../db/connect.js';
import type { CliValues } from './args.js';

/** `token create --tenant SLUG [...]` (the token is printed once, on stdout) and `token revoke ID|PREFIX`. */
export async function tokenCommand(
  db: Db,
  sub: string | undefined,
  arg: string | undefined,
  values: CliValues,
): Promise<number> {
  if (sub === 'create') {
    if (typeof values.tenant !== 'string') {
      process.stderr.write('token create needs --tenant SLUG\n');
      return 2;
    }
    const scopes = typeof values.scopes === 'string' ? (values.scopes.split(',') as Scope[]) : undefined;
    const bad = scopes?.filter((s) => !SCOPES.includes(s));
    if (bad?.length) {
      process.stderr.write(`Unknown scope(s): ${bad.join(', ')}; use ${SCOPES.join(', ')}\n`);
      return 2;
    }
    const t = await createToken(db.kysely, values.tenant, { name: values.name as string | undefined, scopes });
    process.stderr.write(
      `Token ${t.token_id} for tenant ${t.tenant.slug} (scopes ${t.scopes.join(',')}). It is shown once:\n`,
    );
    process.stdout.write(`${t.token}\n`);
    return 0;
  }
  if (sub === 'revoke' && arg) {
    await revokeToken(db.kysely, arg);
    process.stderr.write(`Token ${arg} revoked\n`);
    return 0;
  }
  process.stderr.write(
    'Usage: token create --tenant SLUG [--name N] [--scopes read,dispatch,admin] | token revoke ID|PREFIX\n',
  );
  return 2;
}
