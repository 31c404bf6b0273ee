import type { S3Client } from '@aws-sdk/client-s3';
import type { ByteSink } from '../archive/byte-sink.js';
import { type S3Options } from './s3-client.js';
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
export declare class S3Sink implements ByteSink {
    readonly location: string;
    private readonly body;
    private readonly done;
    private failure;
    private settled;
    constructor(client: S3Client, bucket: string, key: string, location: string, options?: S3Options);
    write(chunk: Uint8Array): Promise<void>;
    commit(): Promise<void>;
    /**
     * Fails the body stream, which makes the upload abort its multipart upload
     * before `done` settles; waiting for it means no part is left when this returns.
     */
    abort(): Promise<void>;
}
