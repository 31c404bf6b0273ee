import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { S3Options } from '../store/s3/s3-client.js';

/**
 * S3 flags shared by every command that touches a repository. Each also has
 * an environment variable (`STOWAGE_S3_*`), and endpoint, region and
 * credentials come from the usual AWS variables when not given.
 */
export function addS3Options(command: Command): Command {
  return command
    .option(
      '--s3-endpoint <url>',
      'S3-compatible endpoint (MinIO, Ceph, R2…); env AWS_ENDPOINT_URL_S3 / STOWAGE_S3_ENDPOINT',
    )
    .option('--s3-region <region>', 'S3 region; env AWS_REGION')
    .option('--s3-path-style', 'path-style S3 addressing (default on with a custom endpoint)')
    .option('--s3-sse <mode>', 'server-side encryption of uploads: AES256 or aws:kms; env STOWAGE_S3_SSE')
    .option('--s3-kms-key-id <id>', 'KMS key for --s3-sse aws:kms')
    .option(
      '--s3-storage-class <class>',
      'storage class of uploads, e.g. STANDARD_IA; env STOWAGE_S3_STORAGE_CLASS',
    );
}

/** The S3 options the flags give (the environment fills in the rest later). */
export function s3OptionsFrom(opts: Record<string, unknown>): S3Options {
  const out: S3Options = {};
  if (typeof opts.s3Endpoint === 'string') out.endpoint = opts.s3Endpoint;
  if (typeof opts.s3Region === 'string') out.region = opts.s3Region;
  if (opts.s3PathStyle === true) out.forcePathStyle = true;
  if (typeof opts.s3Sse === 'string') {
    if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(opts.s3Sse)) {
      throw new UsageError(`--s3-sse must be AES256, aws:kms or aws:kms:dsse, got ${opts.s3Sse}`);
    }
    out.serverSideEncryption = opts.s3Sse as S3Options['serverSideEncryption'];
  }
  if (typeof opts.s3KmsKeyId === 'string') out.kmsKeyId = opts.s3KmsKeyId;
  if (typeof opts.s3StorageClass === 'string') out.storageClass = opts.s3StorageClass;
  return out;
}
