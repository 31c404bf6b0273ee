import type { KeySource } from '../archive/keys.js';
import { type VerificationRecord } from '../catalog/verification-record.js';
import { type ProgressListener } from '../progress.js';
import type { S3Options } from '../store/s3-client.js';
import { type ContentComparison } from './content-check.js';
export interface VerifyOptions {
    /** The archive: a path or `s3://bucket/prefix/NAME.stow`. */
    archive: string;
    encryption?: KeySource;
    s3?: S3Options;
    /**
     * Also restore into this scratch database, compare every table's or
     * collection's count and content with the archive, and drop it afterwards.
     * It must not exist or be empty: a database holding anything is refused.
     */
    restoreTest?: string;
    /** Engine options for the test restore (e.g. PostgreSQL's INSERT path for targets without COPY). */
    restoreOptions?: Record<string, unknown>;
    jobs?: number;
    /** Record the result beside the archive (`NAME.stow.verify.json`). Default true. */
    record?: boolean;
    onProgress?: ProgressListener;
    signal?: AbortSignal;
}
/** What verification found for one stream. */
export interface StreamCheck {
    name: string;
    items: number;
    rawBytes: number;
    frames: number;
    ok: boolean;
    problem?: string;
}
export interface VerifyResult {
    archive: string;
    ok: boolean;
    level: 'frames' | 'restore-test';
    /** Everything that failed, one line each. */
    problems: string[];
    streams: StreamCheck[];
    restoreTest?: ContentComparison & {
        target: string;
        ok: boolean;
    };
    durationMs: number;
    /** The record written beside the archive (or that would have been, with `record: false`). */
    record: VerificationRecord;
}
/**
 * Verifies an archive: reads every frame front to back (checksums,
 * decryption, decompression), recomputes every stream's digest, and checks
 * each stream's length, frame count and row/document count against the
 * manifest. With `restoreTest`, also restores it into a scratch database and
 * compares the data with the archive. The result is recorded beside the
 * archive for `list`, `status` and retention.
 *
 * A damaged archive is a result (`ok: false`), not an exception; a missing
 * archive, a wrong key or an unusable scratch database throw.
 */
export declare function verify(options: VerifyOptions): Promise<VerifyResult>;
