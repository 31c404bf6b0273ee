import type { StoreOptionMeta } from '../store.js';

/**
 * The flag, help and environment variable of each S3 option that has them,
 * as plain data: {@link s3OptionSchemas} attaches these with `.meta()`, and
 * the CLI reads them from here to add its flags without loading zod (every
 * `--help` and every command's argument parsing would pay for it).
 */
export const S3_OPTION_FLAGS = {
  endpoint: {
    flag: '--s3-endpoint <url>',
    help: 'S3-compatible endpoint (MinIO, Ceph, R2…); env AWS_ENDPOINT_URL_S3 / STOWAGE_S3_ENDPOINT',
    env: 'STOWAGE_S3_ENDPOINT',
  },
  region: { flag: '--s3-region <region>', help: 'S3 region; env AWS_REGION', env: 'STOWAGE_S3_REGION' },
  forcePathStyle: {
    flag: '--s3-path-style',
    help: 'path-style S3 addressing (default on with a custom endpoint)',
    env: 'STOWAGE_S3_FORCE_PATH_STYLE',
  },
  serverSideEncryption: {
    flag: '--s3-sse <mode>',
    help: 'server-side encryption of uploads: AES256 or aws:kms; env STOWAGE_S3_SSE',
    env: 'STOWAGE_S3_SSE',
  },
  kmsKeyId: {
    flag: '--s3-kms-key-id <id>',
    help: 'KMS key for --s3-sse aws:kms',
    env: 'STOWAGE_S3_KMS_KEY_ID',
  },
  storageClass: {
    flag: '--s3-storage-class <class>',
    help: 'storage class of uploads, e.g. STANDARD_IA; env STOWAGE_S3_STORAGE_CLASS',
    env: 'STOWAGE_S3_STORAGE_CLASS',
  },
} as const satisfies Record<string, StoreOptionMeta>;
