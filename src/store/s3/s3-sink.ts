import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ByteSink } from '../../archive/byte-sink.js';
import { StowageError, UsageError } from '../../errors.js';
import { type S3Options, s3Error } from './s3-client.js';

const MIB = 1024 * 1024;

/**
 * Streams an archive into S3 as a multipart upload. Memory stays bounded
 * (about `queueSize + 1` parts): the upload pulls from a small in-memory pipe
 * and the writer waits whenever the pipe is full.
 *
 * Nothing that looks like a finished archive appears before {@link commit}: an
 * unfinished multipart upload is invisible to listings and reads, and a small
 * archive (one part) is sent as a single PUT only when the stream ends. On
 * {@link abort} or any failure the multipart upload is aborted, so no parts
 * linger (a crashed process can still leave one behind: a bucket lifecycle
 * rule "abort incomplete multipart uploads after N days" cleans those).
 */
export class S3Sink implements ByteSink {
  private readonly body: PassThrough;
  private readonly done: Promise<unknown>;
  private failure: Error | undefined;
  private settled = false;

  /**
   * `release` runs once the upload has settled either way (the repository's
   * claim on the name is dropped then).
   */
  constructor(
    client: S3Client,
    bucket: string,
    key: string,
    readonly location: string,
    options: S3Options = {},
    private readonly release: () => Promise<void> = async () => {},
  ) {
    const partSize = Math.round((options.partSizeMiB ?? 16) * MIB);
    if (!(partSize >= 5 * MIB && partSize <= 5120 * MIB)) {
      throw new UsageError(`S3 part size must be 5–5120 MiB, got ${options.partSizeMiB}`);
    }
    this.body = new PassThrough({ highWaterMark: MIB });
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: this.body,
        ContentType: 'application/vnd.stowage.archive',
        ...(options.serverSideEncryption ? { ServerSideEncryption: options.serverSideEncryption } : {}),
        ...(options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
        ...(options.storageClass ? { StorageClass: options.storageClass as never } : {}),
        // Sent with the PutObject of a one-part archive and with CompleteMultipartUpload: the
        // archive appears only if nothing holds its name yet, so a concurrent backup that
        // reached the same name first is never replaced.
        IfNoneMatch: '*',
      },
      partSize,
      queueSize: options.queueSize ?? 2,
      leavePartsOnError: false,
    });
    this.done = upload.done().then(
      (result) => {
        this.settled = true;
        return result;
      },
      (err: unknown) => {
        this.settled = true;
        this.failure ??= isPreconditionFailed(err)
          ? new StowageError(
              'exists',
              `archive already exists: ${location} (another backup finished under this name first; this one was not stored)`,
              'run the backup again; it gets another name',
            )
          : s3Error(err, location);
        throw this.failure;
      },
    );
    // Observed in write/commit/abort; this keeps an early failure from crashing the process meanwhile.
    this.done.catch(() => {});
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.settled) throw new StowageError('s3-error', `upload to ${this.location} ended early`);
    if (!this.body.write(chunk)) {
      // Wait for room, or for the upload to fail (then the pipe never drains).
      await Promise.race([once(this.body, 'drain'), this.done]);
      if (this.failure) throw this.failure;
    }
  }

  async commit(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      this.body.end();
      await this.done;
    } finally {
      await this.release();
    }
  }

  /**
   * Fails the body stream, which makes the upload abort its multipart upload
   * before `done` settles; waiting for it means no part is left when this returns.
   */
  async abort(): Promise<void> {
    if (!this.settled) {
      this.failure ??= new StowageError('interrupted', `upload to ${this.location} aborted`);
      this.body.destroy(this.failure);
      await this.done.catch(() => {});
    }
    await this.release();
  }
}

/** 412: the object exists (If-None-Match). 409: a concurrent conditional write to the same key won. */
export function isPreconditionFailed(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const name = (err as { name?: string })?.name;
  return status === 412 || status === 409 || name === 'PreconditionFailed';
}
