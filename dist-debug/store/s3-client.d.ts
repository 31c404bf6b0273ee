import { S3Client } from '@aws-sdk/client-s3';
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
export declare function s3OptionsFromEnv(env?: NodeJS.ProcessEnv): S3Options;
/** The endpoint in force: the option, else the AWS variables, else none (AWS itself). */
export declare function effectiveEndpoint(options: S3Options, env?: NodeJS.ProcessEnv): string | undefined;
/**
 * Builds a client. Retries are few and connection timeouts short so that an
 * unreachable endpoint is reported in seconds, not minutes.
 */
export declare function createS3Client(options?: S3Options): S3Client;
/**
 * Turns an SDK or network error into a one-line {@link StowageError} that says
 * what went wrong with which address, and what to do. Never includes secrets:
 * the SDK's messages name keys and buckets, not credentials.
 */
export declare function s3Error(err: unknown, where: string): Error;
/** True when the error means "this object does not exist". */
export declare function isS3NotFound(err: unknown): boolean;
