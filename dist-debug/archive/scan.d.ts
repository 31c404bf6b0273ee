import type { ByteSource } from './byte-source.js';
import type { KeySource } from './keys.js';
import { type RecordedDigest } from './stream-digest.js';
/** What a front-to-back scan found for one stream. */
export interface ScannedStream {
    streamId: number;
    /** Unknown only when the stream's open frame itself is damaged. */
    name: string | undefined;
    dataFrames: number;
    rawBytes: number;
    /** The stream's close frame was found: every data frame before it is present. */
    complete: boolean;
    items?: number;
    /** The verified digest from the close frame (its field names the algorithm). */
    digest?: RecordedDigest;
}
export interface ScanReport {
    location: string;
    encrypted: boolean;
    streams: ScannedStream[];
    footerFound: boolean;
    /** Offset where the scan stopped, and why, when it did not reach a valid footer. */
    stoppedAt?: {
        offset: number;
        reason: string;
    };
}
/**
 * Walks the frames from the front without using the footer: the recovery path
 * for archives whose tail is lost (an interrupted upload or copy). Every frame
 * is verified (checksum, authentication, decompression) so the report says
 * exactly which streams are whole and where the damage starts.
 */
export declare function scanArchive(source: ByteSource, encryption?: KeySource): Promise<ScanReport>;
/** Names of the streams a scan could not find whole, for error messages. */
export declare function incompleteStreams(report: ScanReport): string[];
