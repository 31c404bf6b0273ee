import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListPartsCommand,
  type ListPartsCommandOutput,
  type MultipartUpload,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ByteSink } from '../../archive/byte-sink.js';
import type { ByteSource } from '../../archive/byte-source.js';
import { StowageError } from '../../errors.js';
import { DEFAULT_STALE_AFTER_MS } from '../claim.js';
import type { Leftover, LeftoverOptions, Repository, RepositoryFile } from '../repository.js';
import { createS3Client, isS3NotFound, type S3Options, s3Error } from './s3-client.js';
import { formatS3Url, parseS3Url, type S3Location, s3Key } from './s3-location.js';
import { isPreconditionFailed, S3Sink } from './s3-sink.js';
import { S3Source } from './s3-source.js';

/**
 * A repository under an S3 bucket prefix (`s3://bucket/prefix`). Archives
 * are uploaded as multipart uploads and read with ranged GETs; side files are
 * small whole-object PUTs. Locks use conditional PUTs (`If-None-Match: *`),
 * which AWS S3 and current MinIO honour.
 */
export class S3Repository implements Repository {
  readonly kind = 's3';
  readonly url: string;
  private readonly location: S3Location;
  private readonly client: S3Client;

  constructor(
    url: string,
    private readonly options: S3Options = {},
    client?: S3Client,
  ) {
    this.location = parseS3Url(url);
    this.url = formatS3Url(this.location);
    this.client = client ?? createS3Client(options);
  }

  async listFiles(folder?: string): Promise<RepositoryFile[]> {
    const files: RepositoryFile[] = [];
    const base = folder ? s3Key(this.location, folder) : this.location.prefix;
    const prefix = base ? `${base}/` : '';
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: prefix,
            // Only the top level: a prefix's sub-"folders" (other repositories, .stowage/) are not archives.
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        throw s3Error(err, this.url);
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length);
        if (!name || name.includes('/')) continue;
        files.push({ name, size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files;
  }

  /**
   * The name is first claimed with a conditional PUT of `NAME.lock` (removed
   * once the upload settles): an upload in progress is invisible, so without
   * the claim two backups that generate one name in one second would both
   * upload it and the last to finish would silently replace the other. The
   * archive itself is then completed with `If-None-Match: *`, so an archive
   * that appeared meanwhile (a writer that ignored the claim) is never replaced.
   */
  async createArchive(name: string): Promise<ByteSink> {
    const key = s3Key(this.location, name);
    const where = this.locate(name);
    const claim = `${name}.lock`;
    const claimed = await this.createText(
      claim,
      JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }),
    );
    if (!claimed)
      throw new StowageError(
        'exists',
        `archive ${where} is being written by another backup (${this.locate(claim)} exists)`,
        'choose another name, or remove the .lock object if no backup is running',
      );
    const release = () => this.remove(claim).catch(() => {});
    try {
      return await this.openUpload(key, where, release);
    } catch (err) {
      await release();
      throw err;
    }
  }

  private async openUpload(key: string, where: string, release: () => Promise<void>): Promise<ByteSink> {
    // Names carry a timestamp, so a clash means a second backup in the same second; refuse it
    // rather than replace a finished archive.
    const exists = await this.client
      .send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: key }))
      .then(
        () => true,
        (err: unknown) => {
          if (isS3NotFound(err)) return false;
          throw s3Error(err, where);
        },
      );
    if (exists)
      throw new StowageError(
        'exists',
        `archive already exists: ${where}`,
        'choose another name or remove the old one',
      );
    return new S3Sink(this.client, this.location.bucket, key, where, this.options, release);
  }

  async openArchive(name: string, options: { sequential?: boolean } = {}): Promise<ByteSource> {
    return S3Source.open(this.client, this.location.bucket, s3Key(this.location, name), this.locate(name), {
      sequential: options.sequential,
    });
  }

  async readText(name: string): Promise<string | undefined> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: s3Key(this.location, name) }),
      );
      return (await res.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (isS3NotFound(err)) return undefined;
      throw s3Error(err, this.locate(name));
    }
  }

  async writeText(name: string, text: string): Promise<void> {
    try {
      await this.putText(name, text);
    } catch (err) {
      throw s3Error(err, this.locate(name));
    }
  }

  /** One PUT for every side file, so each gets the repository's server-side encryption settings. */
  private putText(name: string, text: string, conditions: { IfNoneMatch?: string } = {}) {
    return this.client.send(
      new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: s3Key(this.location, name),
        Body: text,
        ContentType: 'application/json',
        ...(this.options.serverSideEncryption
          ? { ServerSideEncryption: this.options.serverSideEncryption }
          : {}),
        ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
        ...conditions,
      }),
    );
  }

  async createText(name: string, text: string): Promise<boolean> {
    try {
      await this.putText(name, text, { IfNoneMatch: '*' });
      return true;
    } catch (err) {
      if (isPreconditionFailed(err)) return false;
      throw s3Error(err, this.locate(name));
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.location.bucket, Key: s3Key(this.location, name) }),
      );
    } catch (err) {
      if (isS3NotFound(err)) return;
      throw s3Error(err, this.locate(name));
    }
  }

  /**
   * Multipart uploads of archives directly under the prefix that were never
   * completed or aborted (a killed backup). S3 does not say who started one,
   * so age decides: older than `staleAfterMs` (default 24 h) is stale.
   */
  async listLeftovers(options: LeftoverOptions = {}): Promise<Leftover[]> {
    const prefix = this.location.prefix ? `${this.location.prefix}/` : '';
    const now = (options.now ?? new Date()).getTime();
    const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    let uploads = await this.listUploads(prefix);
    // MinIO lists uploads only for an exact key, not a prefix: then list the bucket's and filter here.
    if (uploads.length === 0 && prefix) uploads = await this.listUploads(undefined);
    const leftovers: Leftover[] = [];
    for (const upload of uploads) {
      if (!upload.Key?.startsWith(prefix) || !upload.UploadId) continue;
      const name = upload.Key.slice(prefix.length);
      if (!name || name.includes('/')) continue;
      const lastActivity = upload.Initiated ?? new Date(0);
      const hours = Math.floor((now - lastActivity.getTime()) / 3_600_000);
      const stale = now - lastActivity.getTime() > staleAfter;
      leftovers.push({
        kind: 'multipart-upload',
        name,
        bytes: await this.uploadedBytes(upload.Key, upload.UploadId),
        lastActivity,
        stale,
        why: stale
          ? `unfinished upload begun ${hours} h ago`
          : `upload begun ${hours} h ago: may still be running`,
        ref: upload.UploadId,
      });
    }
    return leftovers;
  }

  private async listUploads(prefix: string | undefined): Promise<MultipartUpload[]> {
    const uploads: MultipartUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page: ListMultipartUploadsCommandOutput;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.location.bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
      } catch (err) {
        throw s3Error(err, this.url);
      }
      uploads.push(...(page.Uploads ?? []));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return uploads;
  }

  private async uploadedBytes(key: string, uploadId: string): Promise<number> {
    let bytes = 0;
    let marker: string | undefined;
    do {
      let page: ListPartsCommandOutput;
      try {
        page = await this.client.send(
          new ListPartsCommand({
            Bucket: this.location.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
      } catch (err) {
        if (isS3NotFound(err)) return bytes; // completed or aborted meanwhile
        throw s3Error(err, this.url);
      }
      for (const part of page.Parts ?? []) bytes += part.Size ?? 0;
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
    return bytes;
  }

  async removeLeftover(leftover: Leftover): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.location.bucket,
          Key: s3Key(this.location, leftover.name),
          UploadId: leftover.ref,
        }),
      );
    } catch (err) {
      if (isS3NotFound(err)) return;
      throw s3Error(err, this.locate(leftover.name));
    }
  }

  async freeSpace(): Promise<undefined> {
    return undefined;
  }

  async checkWritable(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
    } catch (err) {
      // HeadBucket has no body, so the SDK can only report the status: name the likely cause.
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) {
        throw new StowageError(
          's3-no-bucket',
          `S3 bucket does not exist: s3://${this.location.bucket}`,
          'create the bucket or fix the name',
        );
      }
      if (status === 403 || status === 400) {
        throw new StowageError(
          's3-credentials',
          `S3 refused access to s3://${this.location.bucket} (HTTP ${status})`,
          'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and the bucket policy',
        );
      }
      throw s3Error(err, this.url);
    }
    const probe = `.stowage-probe-${randomBytes(4).toString('hex')}`;
    await this.writeText(probe, 'probe');
    await this.remove(probe);
  }

  locate(name: string): string {
    return formatS3Url(this.location, name);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
