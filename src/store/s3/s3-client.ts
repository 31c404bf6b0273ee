import { S3Client } from '@aws-sdk/client-s3';
import { StowageError } from '../../errors.js';
import { effectiveEndpoint, type S3Options } from './s3-options.js';

export type { S3Options } from './s3-options.js';

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
