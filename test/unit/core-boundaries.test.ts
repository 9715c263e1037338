/**
 * What src/core/** may not do, checked on the syntax tree of every file (comments and strings do not
 * count):
 * - read the wall clock: `new Date()` without an argument or `Date.now()` — outside the one clock,
 *   src/core/ports.ts (systemClock). Use scope.clock.now() or take a `now: Date`. (`new Date(value)`
 *   parses and is fine; performance.now() times and is fine.)
 * - import the transport or the drivers (@modelcontextprotocol/*, pg, exceljs) or read process.env:
 *   core gets what it needs through its ports and the scope.
 * Each offence is listed as file:line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CORE = join(ROOT, 'src', 'core');

/** The clock itself. */
const CLOCK_MODULE = 'src/core/ports.ts';

/**
 * Files outside meetings/briefing/policy/time (f3) that still read the wall clock on this branch; f1
 * and f2 clean them in their branches. TEMPORARY: the coordinator empties this list after merging (a
 * listed file that no longer offends fails the test, so the list can only shrink).
 */
const CLOCK_ALLOWED_FOR_NOW: readonly string[] = [
  // Not business time: uuidv7 stamps ids with the wall clock only so ids made together sort together in
  // every index (src/core/ids.ts says why). An id made under a test's fixed clock must still be unique
  // and increasing, which the injected clock would not give.
  'src/core/ids.ts',
];

/** Same, for imports of the transport/drivers and process.env (none today: keep it empty). */
const BOUNDARY_ALLOWED_FOR_NOW: readonly string[] = [];

const FORBIDDEN_MODULE = /^(@modelcontextprotocol\/|pg$|pg\/|exceljs$|exceljs\/)/;

function coreFiles(dir = CORE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? coreFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Offence {
  file: string;
  line: number;
  what: string;
}

/** The offences of one source text. */
function offences(file: string, text: string): { clock: Offence[]; boundary: Offence[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const clock: Offence[] = [];
  const boundary: Offence[] = [];
  const at = (n: ts.Node, what: string) => ({
    file,
    line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1,
    what,
  });
  const isDate = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 'Date';
  const moduleName = (n: ts.Node): string | undefined => {
    if (
      (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) &&
      n.moduleSpecifier &&
      ts.isStringLiteral(n.moduleSpecifier)
    )
      return n.moduleSpecifier.text;
    if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      const e = n.moduleReference.expression;
      return ts.isStringLiteral(e) ? e.text : undefined;
    }
    if (
      ts.isCallExpression(n) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(n.expression) && n.expression.text === 'require'))
    ) {
      const a = n.arguments[0];
      return a && ts.isStringLiteral(a) ? a.text : undefined;
    }
    return undefined;
  };
  const visit = (n: ts.Node) => {
    if (ts.isNewExpression(n) && isDate(n.expression) && !n.arguments?.length) clock.push(at(n, 'new Date()'));
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      isDate(n.expression.expression) &&
      n.expression.name.text === 'now'
    )
      clock.push(at(n, 'Date.now()'));
    const mod = moduleName(n);
    if (mod && FORBIDDEN_MODULE.test(mod)) boundary.push(at(n, `import '${mod}'`));
    const env =
      (ts.isPropertyAccessExpression(n) && n.name.text === 'env') ||
      (ts.isElementAccessExpression(n) &&
        ts.isStringLiteral(n.argumentExpression) &&
        n.argumentExpression.text === 'env');
    if (env && ts.isIdentifier(n.expression) && n.expression.text === 'process') boundary.push(at(n, 'process.env'));
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { clock, boundary };
}

let scanned: Array<ReturnType<typeof offences>> | undefined;
const scan = () =>
  (scanned ??= coreFiles().map((f) => offences(relative(ROOT, f).split('\\').join('/'), readFileSync(f, 'utf8'))));
const list = (os: Offence[]) => os.map((o) => `${o.file}:${o.line} ${o.what}`);

describe('src/core boundaries', () => {
  it('reads the time only from the injected clock (no new Date() / Date.now() outside src/core/ports.ts)', () => {
    const all = scan().flatMap((r) => r.clock);
    const offending = all.filter((o) => o.file !== CLOCK_MODULE && !CLOCK_ALLOWED_FOR_NOW.includes(o.file));
    expect(list(offending), 'use scope.clock.now() or take a `now: Date` parameter').toEqual([]);
    const stale = CLOCK_ALLOWED_FOR_NOW.filter((f) => !all.some((o) => o.file === f));
    expect(stale, 'these no longer read the wall clock: remove them from CLOCK_ALLOWED_FOR_NOW').toEqual([]);
  });

  it('imports no MCP SDK, pg or exceljs and reads no process.env', () => {
    const all = scan().flatMap((r) => r.boundary);
    const offending = all.filter((o) => !BOUNDARY_ALLOWED_FOR_NOW.includes(o.file));
    expect(list(offending), 'core gets these through its ports and the scope').toEqual([]);
    const stale = BOUNDARY_ALLOWED_FOR_NOW.filter((f) => !all.some((o) => o.file === f));
    expect(stale, 'remove them from BOUNDARY_ALLOWED_FOR_NOW').toEqual([]);
  });

  it('scans every core file and finds what it must (the check can fail)', () => {
    expect(coreFiles().length).toBeGreaterThan(50);
    const src = [
      "import { Client } from '@modelcontextprotocol/sdk/client/index.js';",
      "import type { Pool } from 'pg';",
      "export { x } from 'exceljs';",
      "const pg = await import('pg');",
      'const a = new Date();',
      'const b = new Date;',
      'const c = Date.now() + 1;',
      'const d = process.env.DATABASE_URL;',
      "const e = process['env'];",
      '// new Date() and Date.now() in a comment do not count',
      "const f = new Date('2026-01-01'); const g = performance.now(); const h = 'Date.now()';",
      "import { sql } from 'kysely'; import { x } from './pg.js'; import y from 'pg-copy-streams';",
    ].join('\n');
    const r = offences('src/core/example.ts', src);
    expect(list(r.clock)).toEqual([
      'src/core/example.ts:5 new Date()',
      'src/core/example.ts:6 new Date()',
      'src/core/example.ts:7 Date.now()',
    ]);
    expect(list(r.boundary)).toEqual([
      "src/core/example.ts:1 import '@modelcontextprotocol/sdk/client/index.js'",
      "src/core/example.ts:2 import 'pg'",
      "src/core/example.ts:3 import 'exceljs'",
      "src/core/example.ts:4 import 'pg'",
      'src/core/example.ts:8 process.env',
      'src/core/example.ts:9 process.env',
    ]);
  });
});
