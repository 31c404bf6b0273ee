import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { S3Options } from '../store/s3-client.js';
export interface InspectResult {
    archive: string;
    manifest: Manifest;
}
/** Reads an archive's manifest from its tail, without reading any data frame. */
export declare function inspect(archive: string, options?: {
    encryption?: KeySource;
    s3?: S3Options;
}): Promise<InspectResult>;
