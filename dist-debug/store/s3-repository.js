import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, } from '@aws-sdk/client-s3';
import { StowageError } from '../errors.js';
import { createS3Client, isS3NotFound, s3Error } from './s3-client.js';
import { formatS3Url, parseS3Url, s3Key } from './s3-location.js';
import { S3Sink } from './s3-sink.js';
import { S3Source } from './s3-source.js';
/**
 * A repository under an S3 bucket prefix (`s3://bucket/prefix`). Archives
 * are uploaded as multipart uploads and read with ranged GETs; side files are
 * small whole-object PUTs. Locks use conditional PUTs (`If-None-Match: *`),
 * which AWS S3 and current MinIO honour.
 */
export class S3Repository {
    options;
    kind = 's3';
    url;
    location;
    client;
    constructor(url, options = {}, client) {
        this.options = options;
        this.location = parseS3Url(url);
        this.url = formatS3Url(this.location);
        this.client = client ?? createS3Client(options);
    }
    async listFiles(folder) {
        const files = [];
        const base = folder ? s3Key(this.location, folder) : this.location.prefix;
        const prefix = base ? `${base}/` : '';
        let token;
        do {
            let page;
            try {
                page = await this.client.send(new ListObjectsV2Command({
                    Bucket: this.location.bucket,
                    Prefix: prefix,
                    // Only the top level: a prefix's sub-"folders" (other repositories, .stowage/) are not archives.
                    Delimiter: '/',
                    ContinuationToken: token,
                }));
            }
            catch (err) {
                throw s3Error(err, this.url);
            }
            for (const object of page.Contents ?? []) {
                const name = object.Key?.slice(prefix.length);
                if (!name || name.includes('/'))
                    continue;
                files.push({ name, size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) });
            }
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return files;
    }
    async createArchive(name) {
        const key = s3Key(this.location, name);
        const where = this.locate(name);
        // Names carry a timestamp, so a clash means a second backup in the same second; refuse it
        // rather than replace a finished archive.
        const exists = await this.client
            .send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: key }))
            .then(() => true, (err) => {
            if (isS3NotFound(err))
                return false;
            throw s3Error(err, where);
        });
        if (exists)
            throw new StowageError('exists', `archive already exists: ${where}`, 'choose another name or remove the old one');
        return new S3Sink(this.client, this.location.bucket, key, where, this.options);
    }
    async openArchive(name, options = {}) {
        return S3Source.open(this.client, this.location.bucket, s3Key(this.location, name), this.locate(name), {
            sequential: options.sequential,
        });
    }
    async readText(name) {
        try {
            const res = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: s3Key(this.location, name) }));
            return (await res.Body?.transformToString('utf8')) ?? '';
        }
        catch (err) {
            if (isS3NotFound(err))
                return undefined;
            throw s3Error(err, this.locate(name));
        }
    }
    async writeText(name, text) {
        try {
            await this.putText(name, text);
        }
        catch (err) {
            throw s3Error(err, this.locate(name));
        }
    }
    /** One PUT for every side file, so each gets the repository's server-side encryption settings. */
    putText(name, text, conditions = {}) {
        return this.client.send(new PutObjectCommand({
            Bucket: this.location.bucket,
            Key: s3Key(this.location, name),
            Body: text,
            ContentType: 'application/json',
            ...(this.options.serverSideEncryption
                ? { ServerSideEncryption: this.options.serverSideEncryption }
                : {}),
            ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
            ...conditions,
        }));
    }
    async createText(name, text) {
        try {
            await this.putText(name, text, { IfNoneMatch: '*' });
            return true;
        }
        catch (err) {
            const status = err.$metadata?.httpStatusCode;
            // 412: the object exists. 409: a concurrent conditional write to the same key won.
            if (status === 412 || status === 409)
                return false;
            throw s3Error(err, this.locate(name));
        }
    }
    async remove(name) {
        try {
            await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: s3Key(this.location, name) }));
        }
        catch (err) {
            if (isS3NotFound(err))
                return;
            throw s3Error(err, this.locate(name));
        }
    }
    async freeSpace() {
        return undefined;
    }
    async checkWritable() {
        try {
            await this.client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
        }
        catch (err) {
            // HeadBucket has no body, so the SDK can only report the status: name the likely cause.
            const status = err.$metadata?.httpStatusCode;
            if (status === 404) {
                throw new StowageError('s3-no-bucket', `S3 bucket does not exist: s3://${this.location.bucket}`, 'create the bucket or fix the name');
            }
            if (status === 403 || status === 400) {
                throw new StowageError('s3-credentials', `S3 refused access to s3://${this.location.bucket} (HTTP ${status})`, 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and the bucket policy');
            }
            throw s3Error(err, this.url);
        }
        const probe = `.stowage-probe-${randomBytes(4).toString('hex')}`;
        await this.writeText(probe, 'probe');
        await this.remove(probe);
    }
    locate(name) {
        return formatS3Url(this.location, name);
    }
    async close() {
        this.client.destroy();
    }
}
//# sourceMappingURL=s3-repository.js.map