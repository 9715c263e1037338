import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

/** Places in src that write leads.status: SQL `update leads … set … status =` or kysely `.updateTable('leads')…status:`. */
export function leadStatusWrites(text: string): number {
  const sqlWrites = text.match(/update\s+leads\b(?:\s+\w+)?\s+set\b[^;`]*?\bstatus\s*=/gi) ?? [];
  const kyselyWrites = text.match(/updateTable\(\s*'leads'\s*\)[\s\S]{0,300}?\bstatus\s*:/g) ?? [];
  return sqlWrites.length + kyselyWrites.length;
}

// Every lead move goes through core/leads/transition.ts (which checks LEAD_TRANSITIONS and writes the
// audit row); the transition guard of the test databases checks the moves themselves at run time.
describe('lead status is written in one place', () => {
  it('finds the patterns it looks for', () => {
    expect(leadStatusWrites('sql`update leads l set status = ${to}, updated_at = now()`')).toBe(1);
    expect(leadStatusWrites("tx.updateTable('leads').set({ status: 'novo' })")).toBe(1);
    expect(leadStatusWrites('sql`update leads l set origem = l.origem || g.origem`')).toBe(0);
  });

  it('only src/core/leads/transition.ts writes leads.status', () => {
    const writers = files(SRC)
      .filter((f) => leadStatusWrites(readFileSync(f, 'utf8')) > 0)
      .map((f) => relative(SRC, f));
    expect(writers).toEqual(['core/leads/transition.ts']);
  });
});
