import { S3Client } from '@aws-sdk/client-s3';
import { StowageError } from '../../errors.js';

/**
 * How to reach an S3-compatible service. Every field is optional: what is not
 * given comes from the usual AWS environment (`AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL`, `AWS_REGION` / `AWS_DEFAULT_REGION`,
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`,
 * `AWS_PROFILE` and the rest of the SDK's default credential chain).
 */
export interface S3Options {
  /** Service endpoint for MinIO, Ceph, R2, Wasabi…; default AWS. */
  endpoint?: string;
  region?: string;
  /** Static credentials; default: the SDK's credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Path-style addressing (`endpoint/bucket/key`). Default: on when a custom endpoint is set. */
  forcePathStyle?: boolean;
  /** Server-side encryption of uploaded archives: `AES256` (SSE-S3) or `aws:kms` (SSE-KMS). */
  serverSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  /** KMS key for `aws:kms`. */
  kmsKeyId?: string;
  /** Storage class of uploaded archives, e.g. `STANDARD_IA`, `GLACIER_IR`. */
  storageClass?: string;
  /** Multipart part size in MiB (5–5120, default 16). Archives can reach 10,000 parts × this. */
  partSizeMiB?: number;
  /** Parts uploaded at once (default 2). Memory use is about (this + 1) × part size. */
  queueSize?: number;
}

/** The S3 options the environment gives, under Stowage's own variable names (`STOWAGE_S3_*`). */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Options {
  const out: S3Options = {};
  if (env.STOWAGE_S3_ENDPOINT) out.endpoint = env.STOWAGE_S3_ENDPOINT;
  if (env.STOWAGE_S3_REGION) out.region = env.STOWAGE_S3_REGION;
  if (env.STOWAGE_S3_FORCE_PATH_STYLE)
    out.forcePathStyle = /^(1|true|yes)$/i.test(env.STOWAGE_S3_FORCE_PATH_STYLE);
  if (env.STOWAGE_S3_SSE) out.serverSideEncryption = env.STOWAGE_S3_SSE as S3Options['serverSideEncryption'];
  if (env.STOWAGE_S3_KMS_KEY_ID) out.kmsKeyId = env.STOWAGE_S3_KMS_KEY_ID;
  if (env.STOWAGE_S3_STORAGE_CLASS) out.storageClass = env.STOWAGE_S3_STORAGE_CLASS;
  return out;
}

/** The endpoint in force: the option, else the AWS variables, else none (AWS itself). */
export function effectiveEndpoint(
  options: S3Options,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined;
}

/**
 * Builds a client. Retries are few and connection timeouts short so that an
 * unreachable endpoint is reported in seconds, not minutes.
 */
export function createS3Client(options: S3Options = {}): S3Client {
  const endpoint = effectiveEndpoint(options);
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const credentials =
    options.accessKeyId && options.secretAccessKey
      ? {
          accessKeyId: options.accessKeyId,
          secretAccessKey: options.secretAccessKey,
          ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
        }
      : undefined;
  return new S3Client({
    region,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    ...(credentials ? { credentials } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
}

/**
 * Turns an SDK or network error into a one-line {@link StowageError} that says
 * what went wrong with which address, and what to do. Never includes secrets:
 * the SDK's messages name keys and buckets, not credentials.
 */
export function s3Error(err: unknown, where: string): Error {
  if (err instanceof StowageError) return err;
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e?.name ?? '';
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  switch (name) {
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidToken':
    case 'ExpiredToken':
    case 'CredentialsProviderError':
      return new StowageError(
        's3-credentials',
        `S3 rejected the credentials for ${where} (${name})`,
        'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) for this endpoint',
        { cause: err },
      );
    case 'AccessDenied':
      return new StowageError(
        's3-denied',
        `S3 denied access to ${where}`,
        'the credentials work but lack permission: grant s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket',
        { cause: err },
      );
    case 'NoSuchBucket':
      return new StowageError(
        's3-no-bucket',
        `S3 bucket does not exist: ${where}`,
        'create the bucket or fix the name',
        {
          cause: err,
        },
      );
    case 'NoSuchKey':
    case 'NotFound':
      return new StowageError('not-found', `no such object: ${where}`, 'check the name with `stowage list`', {
        cause: err,
      });
    case 'TimeoutError':
    case 'RequestTimeout':
      return new StowageError(
        's3-unreachable',
        `S3 endpoint timed out for ${where}`,
        'check the endpoint and the network',
        {
          cause: err,
        },
      );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNRESET' ||
    code === 'EAI_AGAIN'
  ) {
    return new StowageError(
      's3-unreachable',
      `cannot reach the S3 endpoint for ${where} (${code})`,
      'check the endpoint (AWS_ENDPOINT_URL_S3 or --s3-endpoint) and that the service is running',
      { cause: err },
    );
  }
  if (status === 403) {
    // A HEAD answer has no body, so wrong credentials and a missing permission look the same.
    return new StowageError(
      's3-denied',
      `S3 refused access to ${where} (HTTP 403)`,
      'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and that they may read and write this bucket',
      { cause: err },
    );
  }
  if (status === 404)
    return new StowageError('not-found', `no such object: ${where}`, undefined, { cause: err });
  const message =
    e?.message && e.message !== 'UnknownError'
      ? e.message
      : `${name || 'error'}${status ? ` (HTTP ${status})` : ''}`;
  return new StowageError('s3-error', `S3 error for ${where}: ${message.split('\n')[0]}`, undefined, {
    cause: err,
  });
}

/** True when the error means "this object does not exist". */
export function isS3NotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
