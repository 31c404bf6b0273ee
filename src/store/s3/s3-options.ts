import type { z } from 'zod';
import { type Built, LazySchemas } from '../../schema-check/lazy-schemas.js';
import { S3_OPTION_FLAGS } from './s3-flags.js';

/**
 * How to reach an S3-compatible service; the one place these options are
 * declared (the CLI flags, the `STOWAGE_S3_*` variables and the daemon
 * configuration's `s3:` section all come from here). Every field is
 * optional: what is not given comes from the usual AWS environment
 * (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_REGION` /
 * `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_SESSION_TOKEN`, `AWS_PROFILE` and the rest of the SDK's default
 * credential chain). Credentials have no flag: command lines are visible to
 * every user of the machine. Flags, help and variables are in ./s3-flags.ts
 * (plain data the CLI reads without loading zod). Built on first use
 * (lazy-schemas.ts): only an S3 repository loads zod for it.
 */
export const s3OptionSchemas = new LazySchemas((z) => ({
  Options: z
    .object({
      /** Service endpoint for MinIO, Ceph, R2, Wasabi…; default AWS. */
      endpoint: z.string().optional().meta(S3_OPTION_FLAGS.endpoint),
      region: z.string().optional().meta(S3_OPTION_FLAGS.region),
      /** Static credentials; default: the SDK's credential chain. */
      accessKeyId: z.string().optional(),
      secretAccessKey: z.string().optional(),
      sessionToken: z.string().optional(),
      /** Path-style addressing (`endpoint/bucket/key`). Default: on when a custom endpoint is set. */
      forcePathStyle: z.boolean().optional().meta(S3_OPTION_FLAGS.forcePathStyle),
      /** Server-side encryption of uploaded archives: `AES256` (SSE-S3) or `aws:kms` (SSE-KMS). */
      serverSideEncryption: z
        .enum(['AES256', 'aws:kms', 'aws:kms:dsse'])
        .optional()
        .meta(S3_OPTION_FLAGS.serverSideEncryption),
      /** KMS key for `aws:kms`. */
      kmsKeyId: z.string().optional().meta(S3_OPTION_FLAGS.kmsKeyId),
      /** Storage class of uploaded archives, e.g. `STANDARD_IA`, `GLACIER_IR`. */
      storageClass: z.string().optional().meta(S3_OPTION_FLAGS.storageClass),
      /** Multipart part size in MiB (5–5120, default 16). Archives can reach 10,000 parts × this. */
      partSizeMiB: z.number().min(5).max(5120).optional(),
      /** Parts uploaded at once (default 2). Memory use is about (this + 1) × part size. */
      queueSize: z.number().int().min(1).max(16).optional(),
    })
    .strict(),
}));

/** S3 settings, as {@link s3OptionSchemas} declares them. */
export type S3Options = z.infer<Built<typeof s3OptionSchemas>['Options']>;

/** The endpoint in force: the option, else the AWS variables, else none (AWS itself). */
export function effectiveEndpoint(
  options: S3Options,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined;
}
