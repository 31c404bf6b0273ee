import { z } from 'zod';
import type { StoreOptionMeta } from '../store.js';

const meta = (m: StoreOptionMeta) => m;

/**
 * How to reach an S3-compatible service; the one place these options are
 * declared (the CLI flags, the `STOWAGE_S3_*` variables and the daemon
 * configuration's `s3:` section all come from here). Every field is
 * optional: what is not given comes from the usual AWS environment
 * (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_REGION` /
 * `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_SESSION_TOKEN`, `AWS_PROFILE` and the rest of the SDK's default
 * credential chain). Credentials have no flag: command lines are visible to
 * every user of the machine.
 */
export const S3OptionsSchema = z
  .object({
    /** Service endpoint for MinIO, Ceph, R2, Wasabi…; default AWS. */
    endpoint: z
      .string()
      .optional()
      .meta(
        meta({
          flag: '--s3-endpoint <url>',
          help: 'S3-compatible endpoint (MinIO, Ceph, R2…); env AWS_ENDPOINT_URL_S3 / STOWAGE_S3_ENDPOINT',
          env: 'STOWAGE_S3_ENDPOINT',
        }),
      ),
    region: z
      .string()
      .optional()
      .meta(
        meta({ flag: '--s3-region <region>', help: 'S3 region; env AWS_REGION', env: 'STOWAGE_S3_REGION' }),
      ),
    /** Static credentials; default: the SDK's credential chain. */
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    sessionToken: z.string().optional(),
    /** Path-style addressing (`endpoint/bucket/key`). Default: on when a custom endpoint is set. */
    forcePathStyle: z
      .boolean()
      .optional()
      .meta(
        meta({
          flag: '--s3-path-style',
          help: 'path-style S3 addressing (default on with a custom endpoint)',
          env: 'STOWAGE_S3_FORCE_PATH_STYLE',
        }),
      ),
    /** Server-side encryption of uploaded archives: `AES256` (SSE-S3) or `aws:kms` (SSE-KMS). */
    serverSideEncryption: z
      .enum(['AES256', 'aws:kms', 'aws:kms:dsse'])
      .optional()
      .meta(
        meta({
          flag: '--s3-sse <mode>',
          help: 'server-side encryption of uploads: AES256 or aws:kms; env STOWAGE_S3_SSE',
          env: 'STOWAGE_S3_SSE',
        }),
      ),
    /** KMS key for `aws:kms`. */
    kmsKeyId: z
      .string()
      .optional()
      .meta(
        meta({
          flag: '--s3-kms-key-id <id>',
          help: 'KMS key for --s3-sse aws:kms',
          env: 'STOWAGE_S3_KMS_KEY_ID',
        }),
      ),
    /** Storage class of uploaded archives, e.g. `STANDARD_IA`, `GLACIER_IR`. */
    storageClass: z
      .string()
      .optional()
      .meta(
        meta({
          flag: '--s3-storage-class <class>',
          help: 'storage class of uploads, e.g. STANDARD_IA; env STOWAGE_S3_STORAGE_CLASS',
          env: 'STOWAGE_S3_STORAGE_CLASS',
        }),
      ),
    /** Multipart part size in MiB (5–5120, default 16). Archives can reach 10,000 parts × this. */
    partSizeMiB: z.number().min(5).max(5120).optional(),
    /** Parts uploaded at once (default 2). Memory use is about (this + 1) × part size. */
    queueSize: z.number().int().min(1).max(16).optional(),
  })
  .strict();

/** S3 settings, as {@link S3OptionsSchema} declares them. */
export type S3Options = z.infer<typeof S3OptionsSchema>;

/** The endpoint in force: the option, else the AWS variables, else none (AWS itself). */
export function effectiveEndpoint(
  options: S3Options,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined;
}
