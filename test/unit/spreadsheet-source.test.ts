import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSpreadsheetFiles, resolveSource } from '../../src/files/source.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * Where an import's bytes may come from (files/source.ts): content sent in the call, or a file inside
 * the directories the server may read — checked after following symlinks, and over HTTP only the
 * directories the operator listed (not the working directory).
 */
describe('spreadsheet sources', () => {
  const root = tempDir('source-');
  const inbox = join(root, 'inbox');
  const outside = join(root, 'outside');
  mkdirSync(inbox);
  mkdirSync(outside);
  mkdirSync(join(inbox, 'pasta'));
  writeFileSync(join(inbox, 'ok.csv'), 'Empresa;Celular\nA;(11) 98765-4321\n');
  writeFileSync(join(outside, 'segredo.csv'), 'Empresa\nB\n');
  symlinkSync(join(outside, 'segredo.csv'), join(inbox, 'atalho.csv'));
  // The folder policy itself (what is allowed over stdio and HTTP) is test/unit/allowed-path.test.ts;
  // here: the port uses it for file_path.
  const stdio = { folders: [inbox], inbox: null, transport: 'stdio' as const };

  it('reads a file inside an allowed folder by absolute path; a relative path is refused', async () => {
    expect(await resolveSource({ file_path: join(inbox, 'ok.csv') }, stdio)).toMatchObject({ filename: 'ok.csv' });
    await expect(resolveSource({ file_path: 'ok.csv' }, stdio)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('refuses a symlink that leads outside, a directory, and a missing file, each saying why', async () => {
    await expect(resolveSource({ file_path: join(inbox, 'atalho.csv') }, stdio)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/through a symbolic link/),
    });
    await expect(resolveSource({ file_path: join(inbox, 'pasta') }, stdio)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/is not a regular file/),
    });
    await expect(resolveSource({ file_path: join(inbox, 'sub') }, stdio)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('over HTTP without AGENTE_INGEST_DIRS there is no folder: file_path is refused', async () => {
    const http = { folders: [], inbox: null, transport: 'http' as const };
    await expect(resolveSource({ file_path: join(inbox, 'ok.csv') }, http)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/not available over HTTP unless the server sets AGENTE_INGEST_DIRS/),
    });
  });

  it('takes content with a filename (its directory dropped), and needs exactly one source', async () => {
    const content_base64 = Buffer.from('Empresa\nC\n').toString('base64');
    const src = await resolveSource({ content_base64, filename: '../../etc/leads.csv' }, stdio);
    expect(src).toMatchObject({ filename: 'leads.csv' });
    await expect(resolveSource({}, stdio)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(resolveSource({ content_base64 }, stdio)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/needs filename/),
    });
  });

  it('the port recognises the format and turns a reader failure into an AppError with its message', async () => {
    const files = createSpreadsheetFiles(stdio);
    const csv = await files.open({ file_path: join(inbox, 'ok.csv') });
    expect(csv).toMatchObject({ filename: 'ok.csv', format: 'csv', size: 34 });
    const rows = [];
    for await (const r of csv.rows({})) rows.push(r.cells);
    expect(rows).toEqual([
      ['Empresa', 'Celular'],
      ['A', '(11) 98765-4321'],
    ]);
    const pdf = Buffer.from('%PDF-1.4 nada').toString('base64');
    await expect(files.open({ content_base64: pdf, filename: 'leads.xlsx' })).rejects.toMatchObject({
      code: 'unsupported_format',
      message: expect.stringMatching(/is a PDF document/),
    });
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 1)]).toString('base64');
    const opened = await files.open({ content_base64: broken, filename: 'quebrado.xlsx' });
    await expect(
      (async () => {
        for await (const _ of opened.rows({})) void _;
      })(),
    ).rejects.toMatchObject({ name: 'AppError', code: 'unsupported_format' });
  });
});
