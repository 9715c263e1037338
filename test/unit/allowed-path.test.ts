import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/core/errors.js';
import { ingestFolders, prepareInbox, resolveAllowedFile } from '../../src/files/allowed-path.js';
import { tempDir } from '../helpers/spawn.js';

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(AppError);
  return err as AppError;
};

describe('ingest folders: which folders file_path may name', () => {
  it('never includes the working directory: with cwd "/" and nothing set, only <data dir>/inbox', () => {
    const config = loadConfig({ AGENTE_DATA_DIR: '/srv/agente' }, '/');
    expect(config.ingestDirs).toEqual([]);
    expect(ingestFolders(config, 'stdio', 'default')).toEqual({
      folders: ['/srv/agente/inbox'],
      inbox: '/srv/agente/inbox',
      transport: 'stdio',
    });
  });

  it('AGENTE_INGEST_DIRS replaces the inbox over stdio (relative entries against the working directory)', () => {
    const config = loadConfig({ AGENTE_INGEST_DIRS: '/a/planilhas:leads' }, '/home/op');
    expect(ingestFolders(config, 'stdio', 'default')).toMatchObject({
      folders: ['/a/planilhas', '/home/op/leads'],
      inbox: null,
    });
  });

  it('over HTTP: nothing without AGENTE_INGEST_DIRS, and with it only each folder’s subfolder named after the tenant', () => {
    expect(ingestFolders(loadConfig({}, '/'), 'http', 'acme').folders).toEqual([]);
    const config = loadConfig({ AGENTE_INGEST_DIRS: '/a:/b' }, '/');
    expect(ingestFolders(config, 'http', 'acme').folders).toEqual(['/a/acme', '/b/acme']);
  });
});

describe('resolveAllowedFile', () => {
  let root: string;
  let inbox: string;
  let outside: string;
  const stdio = () => ({ folders: [inbox], inbox, transport: 'stdio' as const });

  beforeAll(async () => {
    root = tempDir('allowed-path-');
    inbox = join(root, 'data', 'inbox');
    expect(await prepareInbox({ ingestDirs: [], dataDir: join(root, 'data') })).toBe(inbox);
    writeFileSync(join(inbox, 'leads.csv'), 'Empresa\nACME\n');
    outside = join(root, 'data', 'segredo.csv');
    writeFileSync(outside, 'Empresa\nSEGREDO-NAO-LER\n');
    symlinkSync(outside, join(inbox, 'atalho.csv'));
    symlinkSync('/etc', join(inbox, 'etc'));
    mkdirSync(join(inbox, 'sub'));
    execFileSync('mkfifo', [join(inbox, 'fila')]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a regular file in the folder and returns its real path', async () => {
    expect(await resolveAllowedFile(join(inbox, 'leads.csv'), stdio())).toBe(join(inbox, 'leads.csv'));
    expect(await resolveAllowedFile(`${inbox}/sub/../leads.csv`, stdio())).toBe(join(inbox, 'leads.csv'));
  });

  it('refuses /etc/passwd, saying how to allow a folder', async () => {
    const err = await refusal(resolveAllowedFile('/etc/passwd', stdio()));
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain(inbox);
    expect(err.message).toContain('AGENTE_INGEST_DIRS');
  });

  it('refuses a path outside in the same words whether or not it exists (no probing of other files)', async () => {
    const exists = await refusal(resolveAllowedFile('/etc/passwd', stdio()));
    const missing = await refusal(resolveAllowedFile('/etc/nao-existe-7f3a', stdio()));
    expect([exists.code, missing.code]).toEqual(['forbidden', 'forbidden']);
    expect(missing.message.replace('nao-existe-7f3a', 'passwd')).toBe(exists.message);
  });

  it('refuses a relative path, even one that exists from the working directory', async () => {
    for (const p of ['etc/passwd', '../../../../etc/passwd', 'leads.csv']) {
      const err = await refusal(resolveAllowedFile(p, stdio()));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toMatch(/absolute path inside .*AGENTE_INGEST_DIRS/);
    }
  });

  it('refuses `..` out of the folder', async () => {
    const err = await refusal(resolveAllowedFile(`${inbox}/../segredo.csv`, stdio()));
    expect(err.code).toBe('forbidden');
    expect((await refusal(resolveAllowedFile(`${inbox}/..`, stdio()))).code).toBe('forbidden');
    expect((await refusal(resolveAllowedFile(`${inbox}/../inbox-irma/x.csv`, stdio()))).code).toBe('forbidden');
  });

  it('refuses a symlink (to a file or through a folder) that leads out of the folder', async () => {
    const err = await refusal(resolveAllowedFile(join(inbox, 'atalho.csv'), stdio()));
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain('symbolic link');
    expect(err.message).not.toContain(outside);
    expect((await refusal(resolveAllowedFile(join(inbox, 'etc', 'passwd'), stdio()))).code).toBe('forbidden');
  });

  it('refuses the folder itself, a sub-folder, a FIFO and a missing file', async () => {
    expect((await refusal(resolveAllowedFile(inbox, stdio()))).code).toBe('forbidden');
    expect((await refusal(resolveAllowedFile(join(inbox, 'sub'), stdio()))).code).toBe('invalid_argument');
    expect((await refusal(resolveAllowedFile(join(inbox, 'fila'), stdio()))).code).toBe('invalid_argument');
    expect((await refusal(resolveAllowedFile(join(inbox, 'nao-existe.csv'), stdio()))).code).toBe('not_found');
  });

  it('accepts files through a folder that is itself a symlink (configured by the operator)', async () => {
    const link = join(root, 'link-to-inbox');
    symlinkSync(inbox, link);
    const folders = { folders: [link], inbox: null, transport: 'stdio' as const };
    expect(await resolveAllowedFile(join(link, 'leads.csv'), folders)).toBe(join(inbox, 'leads.csv'));
    expect(await resolveAllowedFile(join(inbox, 'leads.csv'), folders)).toBe(join(inbox, 'leads.csv'));
  });

  it("over HTTP a tenant reads its own subfolder only, not the shared folder nor another tenant's", async () => {
    const shared = join(root, 'shared');
    for (const t of ['acme', 'beta']) {
      mkdirSync(join(shared, t), { recursive: true });
      writeFileSync(join(shared, t, 'leads.csv'), 'Empresa\nX\n');
    }
    writeFileSync(join(shared, 'todos.csv'), 'Empresa\nX\n');
    const acme = ingestFolders({ ingestDirs: [shared], dataDir: root }, 'http', 'acme');
    expect(await resolveAllowedFile(join(shared, 'acme', 'leads.csv'), acme)).toBe(join(shared, 'acme', 'leads.csv'));
    expect((await refusal(resolveAllowedFile(join(shared, 'beta', 'leads.csv'), acme))).code).toBe('forbidden');
    expect((await refusal(resolveAllowedFile(join(shared, 'todos.csv'), acme))).code).toBe('forbidden');
    const none = await refusal(
      resolveAllowedFile(
        join(shared, 'acme', 'leads.csv'),
        ingestFolders({ ingestDirs: [], dataDir: root }, 'http', 'acme'),
      ),
    );
    expect(none.code).toBe('forbidden');
    expect(none.message).toContain('content_base64');
  });
});
