import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../../archive/byte-source.js';
import { s3Error } from './s3-client.js';

/** Reads of at most this size are served from read-ahead blocks when reading sequentially. */
const READ_AHEAD_BLOCK = 8 * 1024 * 1024;

export interface S3SourceOptions {
  /**
   * The caller reads front to back (a verification scan): small reads are
   * served from 8 MiB read-ahead blocks instead of one GET each.
   */
  sequential?: boolean;
  /** Destroy the client on close (the source owns it). */
  ownsClient?: boolean;
}

/**
 * Random access to an archive in S3 through ranged GETs, so reading a
 * manifest costs three small requests (header, trailer, footer) whatever the
 * archive's size, and restoring one table fetches only its frames.
 */
export class S3Source implements ByteSource {
  private block: { offset: number; bytes: Buffer } | undefined;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    readonly size: number,
    readonly location: string,
    private readonly options: S3SourceOptions,
    /** The object version read first: later reads fail rather than mix two versions of an overwritten key. */
    private readonly etag: string | undefined,
  ) {}

  static async open(
    client: S3Client,
    bucket: string,
    key: string,
    location: string,
    options: S3SourceOptions = {},
  ): Promise<S3Source> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return new S3Source(client, bucket, key, head.ContentLength ?? 0, location, options, head.ETag);
    } catch (err) {
      if (options.ownsClient) client.destroy();
      throw s3Error(err, location);
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return Buffer.alloc(0);
    const cached = this.block;
    if (cached && offset >= cached.offset && end <= cached.offset + cached.bytes.length) {
      return cached.bytes.subarray(offset - cached.offset, end - cached.offset);
    }
    if (this.options.sequential && end - offset < READ_AHEAD_BLOCK / 2) {
      const blockEnd = Math.min(offset + READ_AHEAD_BLOCK, this.size);
      const bytes = await this.get(offset, blockEnd);
      this.block = { offset, bytes };
      return bytes.subarray(0, end - offset);
    }
    return this.get(offset, end);
  }

  private async get(start: number, end: number): Promise<Buffer> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Range: `bytes=${start}-${end - 1}`,
          ...(this.etag ? { IfMatch: this.etag } : {}),
        }),
      );
      const bytes = await res.Body?.transformToByteArray();
      return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.alloc(0);
    } catch (err) {
      throw s3Error(err, this.location);
    }
  }

  async close(): Promise<void> {
    this.block = undefined;
    if (this.options.ownsClient) this.client.destroy();
  }
}
