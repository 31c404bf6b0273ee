import type { ByteSource } from './byte-source.js';
import { type Header } from './format.js';
import { type KeySource } from './keys.js';
/** An archive's header, validated, with the frame key when the archive is encrypted. */
export interface OpenedHeader {
    header: Header;
    key: Buffer | undefined;
}
/**
 * Reads and checks the header, then derives and checks the key. Shared by the
 * indexed reader and the recovery scan, which must agree on what a valid start
 * of an archive is.
 */
export declare function readHeader(source: ByteSource, encryption: KeySource | undefined): Promise<OpenedHeader>;
