import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { Repository } from '../store/repository.js';
import { type VerificationRecord } from './verification-record.js';
/** One archive in a repository, as `list`, `status` and retention see it. */
export interface ArchiveInfo {
    name: string;
    /** Where it is (path or s3:// address): usable as an archive argument. */
    location: string;
    /** Database key (the database part of the name). */
    database: string;
    /** When the backup started (from the manifest, else from the name). */
    at: Date;
    kind: 'scheduled' | 'manual';
    /** Size of the archive file. */
    bytes: number;
    engine?: Manifest['engine'];
    /** The database(s) as the engine named them. */
    sourceDatabase?: string;
    finishedAt?: Date;
    durationMs?: number;
    rawBytes?: number;
    items?: number;
    streams?: number;
    note?: string;
    encrypted?: boolean;
    pointInTime?: boolean;
    /** Latest verification result, when one is recorded and still matches the file. */
    verification?: VerificationRecord;
    /** Why the manifest could not be read (no key given, damaged tail…); the rest then comes from the name. */
    unreadable?: string;
}
export interface ListOptions {
    /** Key for encrypted archives; without it their manifests are not read (the name still tells date and kind). */
    encryption?: KeySource;
    /** Manifests read at once (each is three small reads). Default 8. */
    concurrency?: number;
    /** Only archives of this database key. */
    database?: string;
}
/**
 * Lists the archives in a repository, oldest first, reading each one's
 * manifest from its tail and its verification record. Files that are not
 * archives are ignored; archives whose manifest cannot be read are listed
 * with `unreadable` set rather than hidden, since retention and status must
 * account for them.
 */
export declare function listArchives(repository: Repository, options?: ListOptions): Promise<ArchiveInfo[]>;
