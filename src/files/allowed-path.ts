import { mkdir, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../core/errors.js';

/**
 * Which server-side folders `ingest_leads` may read a `file_path` from. Nothing is implied — not the
 * working directory (desktop clients often start servers in `/`, which made every file readable):
 *  - stdio: the folders of AGENTE_INGEST_DIRS; when it is unset, the inbox `<data dir>/inbox`, created at
 *    start (prepareInbox) and named by get_status.
 *  - HTTP: one server, many tenants. A folder shared by all of them would let tenant B import — and then
 *    read through query_leads — a file dropped for tenant A, and row-level security cannot see files. So
 *    each AGENTE_INGEST_DIRS folder F gives a tenant only `F/<tenant slug>`; without AGENTE_INGEST_DIRS
 *    there is no folder at all (no default inbox over HTTP: clients upload with content_base64).
 */
export interface IngestFolders {
  /** Absolute folders, as configured (resolved, not yet followed through symlinks). */
  folders: string[];
  /** The default inbox when it is the folder in use (stdio without AGENTE_INGEST_DIRS). */
  inbox: string | null;
  transport: 'stdio' | 'http' | 'memory';
}

/** The default inbox of a data directory. */
export const inboxOf = (dataDir: string) => join(dataDir, 'inbox');

export function ingestFolders(
  config: { ingestDirs: string[]; dataDir: string },
  transport: IngestFolders['transport'],
  tenantSlug: string,
): IngestFolders {
  if (transport === 'http')
    return { folders: config.ingestDirs.map((d) => join(d, tenantSlug)), inbox: null, transport };
  if (config.ingestDirs.length) return { folders: config.ingestDirs, inbox: null, transport };
  const inbox = inboxOf(config.dataDir);
  return { folders: [inbox], inbox, transport };
}

/** Creates the default inbox when it is in use (mode 700: it will hold personal data). Returns it, or null. */
export async function prepareInbox(config: { ingestDirs: string[]; dataDir: string }): Promise<string | null> {
  const { inbox } = ingestFolders(config, 'stdio', '');
  if (inbox) await mkdir(inbox, { recursive: true, mode: 0o700 });
  return inbox;
}

/**
 * The real path of `requested` when it names a regular file inside one of the allowed folders, after
 * `..` and every symlink are resolved; otherwise an AppError that says how to allow a folder. Nothing
 * of the file is read here, and a path outside every folder is refused before the file system is asked
 * anything about it (so a refusal tells nothing about files elsewhere).
 *
 * @example
 * await resolveAllowedFile('/srv/planilhas/leads.xlsx', { folders: ['/srv/planilhas'], inbox: null, transport: 'stdio' });
 * // → '/srv/planilhas/leads.xlsx'
 * await resolveAllowedFile('/etc/passwd', ...) // throws AppError('forbidden', '... AGENTE_INGEST_DIRS ...')
 */
export async function resolveAllowedFile(requested: string, allowed: IngestFolders): Promise<string> {
  if (!allowed.folders.length) throw new AppError('forbidden', noFolderMessage(allowed));
  if (!isAbsolute(requested)) {
    throw new AppError(
      'invalid_argument',
      `file_path must be an absolute path inside ${listFolders(allowed)}; got a relative path. ${howToAllow(allowed)}`,
    );
  }
  const wanted = resolve(requested); // removes `..` and `.` lexically
  const folders = await Promise.all(
    allowed.folders.map(async (f) => ({ given: f, real: await realpath(f).catch(() => null) })),
  );
  // Lexically inside a folder (as configured or as its real path) or refused without touching the file.
  if (!folders.some((f) => isInside(f.given, wanted) || (f.real !== null && isInside(f.real, wanted)))) {
    throw new AppError('forbidden', `${requested} is outside ${listFolders(allowed)}. ${howToAllow(allowed)}`);
  }
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    throw new AppError('not_found', `File not found: ${requested}. Put it in ${listFolders(allowed)} first.`);
  }
  // A symlink inside a folder that points out of every folder is refused like any outside path.
  if (!folders.some((f) => f.real !== null && isInside(f.real, real))) {
    throw new AppError(
      'forbidden',
      `${requested} leads (through a symbolic link) outside ${listFolders(allowed)}. Copy the file itself into the folder. ${howToAllow(allowed)}`,
    );
  }
  const st = await stat(real);
  if (!st.isFile()) throw new AppError('invalid_argument', `${requested} is not a regular file.`);
  return real;
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function listFolders(a: IngestFolders): string {
  const names = a.folders.join(', ');
  return a.folders.length === 1
    ? `the folder this server may read (${names})`
    : `the folders this server may read (${names})`;
}

function howToAllow(a: IngestFolders): string {
  if (a.transport === 'http') {
    return (
      `Over HTTP each tenant reads only its own subfolder <folder>/<tenant slug> of the server's AGENTE_INGEST_DIRS; ` +
      'or send the file as content_base64 + filename.'
    );
  }
  return (
    `To read another folder, the server's operator sets AGENTE_INGEST_DIRS to it (several separated by "${delimiter}") ` +
    'and restarts the server; or send the file as content_base64 + filename.'
  );
}

function noFolderMessage(a: IngestFolders): string {
  return a.transport === 'http'
    ? 'file_path is not available over HTTP unless the server sets AGENTE_INGEST_DIRS (each tenant then reads <folder>/<tenant slug>); send content_base64 + filename instead.'
    : `file_path is not available: no folder is allowed. ${howToAllow(a)}`;
}
