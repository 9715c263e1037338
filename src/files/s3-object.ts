import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../core/errors.js';
import { byteCounter, gather, lazyReadable, tooBig, wrongType, type RemoteObject } from './remote-object.js';

const PROBE_BYTES = 64 * 1024;

type Sdk = typeof import('@aws-sdk/client-s3');
let shared: Promise<{ sdk: Sdk; client: S3Client }> | undefined;

/**
 * The process's S3 client, made on first use from the standard AWS chain: region (AWS_REGION or the
 * profile), credentials (environment, profile, ECS task role, instance role) and endpoint
 * (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, e.g. MinIO; AGENTE_S3_FORCE_PATH_STYLE=true for those).
 */
function s3(): Promise<{ sdk: Sdk; client: S3Client }> {
  shared ??= import('@aws-sdk/client-s3').then((sdk) => ({
    sdk,
    client: new sdk.S3Client({ forcePathStyle: process.env.AGENTE_S3_FORCE_PATH_STYLE?.trim() === 'true' }),
  }));
  return shared;
}

/**
 * Opens s3://bucket/key: one ranged GET reads its first bytes, its size (checked against maxBytes
 * before anything else is read) and type; later reads are ranged GETs streamed through a byte counter.
 * Needs s3:GetObject on the key (SECURITY.md).
 */
export async function openS3Object(bucket: string, key: string, maxBytes: number): Promise<RemoteObject> {
  const { sdk, client } = await s3();
  const label = `s3://${bucket}/${key}`;
  const get = async (start: number, length: number) => {
    try {
      return await client.send(
        new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${start + length - 1}` }),
      );
    } catch (err) {
      throw s3Error(err, label, bucket, key);
    }
  };
  let head: Buffer;
  let size: number;
  try {
    const probe = await get(0, PROBE_BYTES);
    size = totalSize(probe.ContentRange, probe.ContentLength);
    if (size > maxBytes) {
      (probe.Body as Readable | undefined)?.destroy();
      throw tooBig(label, size, maxBytes);
    }
    const bad = wrongType(label, probe.ContentType);
    if (bad) {
      (probe.Body as Readable | undefined)?.destroy();
      throw bad;
    }
    head = await gather((probe.Body as Readable).pipe(byteCounter(PROBE_BYTES, label)), PROBE_BYTES);
  } catch (err) {
    if ((err as Error).name !== 'InvalidRange') throw err;
    [head, size] = [Buffer.alloc(0), 0]; // a ranged GET of an empty object: 416 InvalidRange
  }
  const stream = (start: number, length: number): Readable =>
    lazyReadable(async () => ((await get(start, length)).Body as Readable).pipe(byteCounter(length, label)));
  return {
    label,
    filename: posix.basename(key),
    size,
    stream,
    read: async (start, length) =>
      start + length <= head.length ? head.subarray(start, start + length) : gather(stream(start, length), length),
  };
}

function totalSize(contentRange: string | undefined, contentLength: number | undefined): number {
  const m = /\/(\d+)$/.exec(contentRange ?? '');
  return m ? Number(m[1]) : (contentLength ?? 0);
}

function s3Error(err: unknown, label: string, bucket: string, key: string): Error {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  switch (e.name) {
    case 'NoSuchKey':
    case 'NotFound':
      return new AppError(
        'not_found',
        `${label} does not exist (no such key). Check the path and upload the file first.`,
      );
    case 'NoSuchBucket':
      return new AppError(
        'not_found',
        `The bucket ${bucket} does not exist (or is in another region). Check the s3:// URI.`,
      );
    case 'AccessDenied':
    case 'Forbidden':
      return new AppError(
        'forbidden',
        `Access to ${label} was denied by S3. The operator must grant this server's role s3:GetObject on ` +
          `arn:aws:s3:::${bucket}/${key} (without s3:ListBucket, S3 also answers "denied" for a key that does not exist).`,
      );
    case 'InvalidRange':
      return e;
    case 'CredentialsProviderError':
      return new AppError(
        'unavailable',
        'This server has no AWS credentials to read S3 (the operator sets a task role, AWS_PROFILE or AWS_ACCESS_KEY_ID).',
      );
    default: {
      const status = e.$metadata?.httpStatusCode;
      return new AppError(
        'unavailable',
        `S3 could not be read for ${label} (${e.name}${status ? ` ${status}` : ''}); try again later.`,
        { cause: err },
      );
    }
  }
}
