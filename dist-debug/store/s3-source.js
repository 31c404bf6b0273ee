import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3Error } from './s3-client.js';
/** Reads of at most this size are served from read-ahead blocks when reading sequentially. */
const READ_AHEAD_BLOCK = 8 * 1024 * 1024;
/**
 * Random access to an archive in S3 through ranged GETs, so reading a
 * manifest costs three small requests (header, trailer, footer) whatever the
 * archive's size, and restoring one table fetches only its frames.
 */
export class S3Source {
    client;
    bucket;
    key;
    size;
    location;
    options;
    etag;
    block;
    constructor(client, bucket, key, size, location, options, 
    /** The object version read first: later reads fail rather than mix two versions of an overwritten key. */
    etag) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
        this.location = location;
        this.options = options;
        this.etag = etag;
    }
    static async open(client, bucket, key, location, options = {}) {
        try {
            const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
            return new S3Source(client, bucket, key, head.ContentLength ?? 0, location, options, head.ETag);
        }
        catch (err) {
            if (options.ownsClient)
                client.destroy();
            throw s3Error(err, location);
        }
    }
    async read(offset, length) {
        const end = Math.min(offset + length, this.size);
        if (end <= offset)
            return Buffer.alloc(0);
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
    async get(start, end) {
        try {
            const res = await this.client.send(new GetObjectCommand({
                Bucket: this.bucket,
                Key: this.key,
                Range: `bytes=${start}-${end - 1}`,
                ...(this.etag ? { IfMatch: this.etag } : {}),
            }));
            const bytes = await res.Body?.transformToByteArray();
            return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.alloc(0);
        }
        catch (err) {
            throw s3Error(err, this.location);
        }
    }
    async close() {
        this.block = undefined;
        if (this.options.ownsClient)
            this.client.destroy();
    }
}
//# sourceMappingURL=s3-source.js.map