import { AppError } from '../core/errors.js';

/**
 * Which remote sources `ingest_leads` may read (SECURITY.md, "Files from S3 and URLs"). Nothing is
 * allowed unless the operator names it:
 *  - AGENTE_INGEST_S3: buckets, optionally with a key prefix ("leads-inbox" or "leads-inbox/planilhas").
 *    Over HTTP (many tenants, one set of AWS credentials) an entry gives a tenant only
 *    `<prefix>/<tenant slug>/`, as the folders of AGENTE_INGEST_DIRS do.
 *  - AGENTE_INGEST_URL_HOSTS: https hosts ("files.example.com", or "host:port" for another port);
 *    redirects are followed only to https hosts on the same list.
 */
export interface RemoteSources {
  s3: Array<{ bucket: string; prefix: string }>;
  urlHosts: string[];
  transport: 'stdio' | 'http' | 'memory';
}

export function remoteSources(
  config: { ingestS3: string[]; ingestUrlHosts: string[] },
  transport: RemoteSources['transport'],
  tenantSlug: string,
): RemoteSources {
  const s3 = config.ingestS3.map((entry) => {
    const [bucket, ...rest] = entry.replace(/^s3:\/\//, '').split('/');
    const prefix = rest.filter(Boolean).join('/');
    return { bucket, prefix: transport === 'http' ? [prefix, tenantSlug].filter(Boolean).join('/') : prefix };
  });
  return { s3, urlHosts: config.ingestUrlHosts.map((h) => h.toLowerCase()), transport };
}

/** True when file_path names an s3:// object or a URL rather than a server path. */
export const isRemote = (p: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p);

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket and key of an allowed s3:// URI, or an AppError saying what is allowed. */
export function checkS3(uri: string, allowed: RemoteSources): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m || !BUCKET.test(m[1]))
    throw new AppError(
      'invalid_argument',
      `${uri} is not an S3 object URI; write it as s3://bucket/path/to/leads.xlsx.`,
    );
  const [, bucket, key] = m;
  if (!allowed.s3.length)
    throw new AppError(
      'forbidden',
      'Importing from S3 is off on this server. Its operator allows buckets with AGENTE_INGEST_S3; ' +
        'or send the file as content_base64 + filename.',
    );
  const ok = allowed.s3.some((a) => a.bucket === bucket && (!a.prefix || key.startsWith(`${a.prefix}/`)));
  if (!ok || key.split('/').includes('..')) {
    const list = allowed.s3.map((a) => `s3://${a.bucket}/${a.prefix ? `${a.prefix}/` : ''}`).join(', ');
    throw new AppError(
      'forbidden',
      `${uri} is outside what this server may read from S3 (${list}). ` +
        'Put the file there, or ask the operator to add it to AGENTE_INGEST_S3.',
    );
  }
  return { bucket, key };
}

/** An allowed https URL, or an AppError saying why not (http, credentials in it, a host off the list). */
export function checkUrl(raw: string, allowed: RemoteSources): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(
      'invalid_argument',
      `file_path "${raw.slice(0, 100)}" is neither an absolute path nor a valid URL.`,
    );
  }
  if (url.protocol !== 'https:')
    throw new AppError(
      'invalid_argument',
      `Only https:// URLs (or s3://) can be imported; got ${url.protocol}//. Use the https link of the file.`,
    );
  if (url.username || url.password)
    throw new AppError('invalid_argument', 'The URL carries a user name or password; use a link without them.');
  if (!allowed.urlHosts.length)
    throw new AppError(
      'forbidden',
      'Importing from URLs is off on this server. Its operator allows hosts with AGENTE_INGEST_URL_HOSTS; ' +
        'or send the file as content_base64 + filename.',
    );
  if (!hostAllowed(url, allowed.urlHosts))
    throw new AppError(
      'forbidden',
      `The host ${url.host} is not on this server's list of hosts to import from (${allowed.urlHosts.join(', ')}). ` +
        'Upload the file to one of them, or ask the operator to add the host to AGENTE_INGEST_URL_HOSTS.',
    );
  return url;
}

export function hostAllowed(url: URL, hosts: string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || '443';
  return hosts.some((h) => {
    const [name, p = '443'] = h.startsWith('[') ? [h.slice(0, h.indexOf(']') + 1), h.split(']:')[1]] : h.split(':');
    return name === host && p === port;
  });
}

/** The URL for messages and job names: no query string (a presigned URL's signature stays out of logs). */
export const urlLabel = (url: URL) => `${url.origin}${url.pathname}`;
