import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Loopback fakes of the few AWS calls the server makes, answering like AWS does (status codes, error
 * bodies and headers), so the real SDK clients are exercised:
 *  - Secrets Manager (JSON 1.1): GetSecretValue; ResourceNotFoundException / AccessDeniedException.
 *  - S3 (REST-XML, path-style): HeadObject and GetObject with Range; NoSuchKey / AccessDenied /
 *    NoSuchBucket. Objects are files on disk or buffers; bodies are streamed.
 */
export interface FakeAws {
  endpoint: string;
  /** Secret name → SecretString. */
  secrets: Map<string, string>;
  /** Secret names the caller may not read (AccessDeniedException). */
  deniedSecrets: Set<string>;
  /** "bucket/key" → object. */
  objects: Map<string, { path?: string; body?: Buffer; contentType?: string; claimSize?: number }>;
  /** "bucket/key" the caller may not read (AccessDenied). */
  deniedObjects: Set<string>;
  buckets: Set<string>;
  /** Calls seen, e.g. "secretsmanager.GetSecretValue /alquimista/dev/x", "GET b/k bytes=0-99". */
  calls: string[];
  close(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const fake = {
    secrets: new Map(),
    deniedSecrets: new Set(),
    objects: new Map(),
    deniedObjects: new Set(),
    buckets: new Set(),
    calls: [],
  } as unknown as FakeAws;
  const server: Server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') void secretsManager(fake, target, req, res);
    else s3(fake, req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((r) => server.close(() => r()));
  server.keepAliveTimeout = 1000;
  return fake;
}

async function secretsManager(fake: FakeAws, target: string, req: IncomingMessage, res: ServerResponse) {
  let raw = '';
  for await (const c of req) raw += c;
  const body = JSON.parse(raw || '{}') as { SecretId?: string };
  fake.calls.push(`${target} ${body.SecretId}`);
  const json = (status: number, obj: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': 'fake-request-id',
      ...(errorType && { 'x-amzn-errortype': errorType }),
    });
    res.end(JSON.stringify(obj));
  };
  if (target !== 'secretsmanager.GetSecretValue')
    return json(400, { __type: 'UnknownOperationException' }, 'UnknownOperationException');
  const id = body.SecretId ?? '';
  if (fake.deniedSecrets.has(id)) {
    const message = `User: arn:aws:sts::123456789012:assumed-role/task is not authorized to perform: secretsmanager:GetSecretValue`;
    return json(400, { __type: 'AccessDeniedException', Message: message }, 'AccessDeniedException');
  }
  const value = fake.secrets.get(id);
  if (value === undefined) {
    const message = "Secrets Manager can't find the specified secret.";
    return json(400, { __type: 'ResourceNotFoundException', Message: message }, 'ResourceNotFoundException');
  }
  json(200, {
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
    Name: id,
    VersionId: '00000000-0000-0000-0000-000000000001',
    SecretString: value,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: 1_780_000_000,
  });
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, resource: string, head: boolean) {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<Resource>${resource}</Resource><RequestId>FAKE0001</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'FAKE0001' });
  res.end(head ? undefined : xml); // HEAD answers carry no body: the SDK names the error by status alone
}

function s3(fake: FakeAws, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const [, bucket, ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const id = `${bucket}/${key}`;
  const head = req.method === 'HEAD';
  fake.calls.push(`${req.method} ${id}${req.headers.range ? ` ${req.headers.range}` : ''}`);
  if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
    return s3Error(res, 403, 'AccessDenied', 'Access Denied', `/${id}`, head);
  if (!fake.buckets.has(bucket))
    return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucket}`, head);
  if (fake.deniedObjects.has(id)) return s3Error(res, 403, 'AccessDenied', 'Access Denied', `/${id}`, head);
  const obj = fake.objects.get(id);
  if (!obj) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', `/${id}`, head);
  const size = obj.body ? obj.body.length : statSync(obj.path!).size;
  const headers: Record<string, string | number> = {
    'content-type': obj.contentType ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    etag: '"fake-etag"',
    'last-modified': new Date(1_780_000_000_000).toUTCString(),
  };
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range && !head) {
    if (range[1] === '') start = Math.max(0, size - Number(range[2]));
    else {
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(size - 1, Number(range[2]));
    }
    if (start >= size)
      return s3Error(res, 416, 'InvalidRange', 'The requested range is not satisfiable', `/${id}`, head);
    headers['content-range'] = `bytes ${start}-${end}/${obj.claimSize ?? size}`; // a liar claims another size
  }
  headers['content-length'] = end - start + 1;
  res.writeHead(range && !head ? 206 : 200, headers);
  if (head) return res.end();
  if (obj.body) return res.end(obj.body.subarray(start, end + 1));
  createReadStream(obj.path!, { start, end }).pipe(res);
}
