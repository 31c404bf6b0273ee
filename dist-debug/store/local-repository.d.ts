import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import type { Repository, RepositoryFile } from './repository.js';
/** A repository in a local folder (created 0700 on first write). */
export declare class LocalRepository implements Repository {
    readonly path: string;
    readonly kind = "local";
    readonly url: string;
    constructor(path: string);
    listFiles(folder?: string): Promise<RepositoryFile[]>;
    createArchive(name: string, options?: {
        exclusive?: boolean;
    }): Promise<ByteSink>;
    openArchive(name: string): Promise<ByteSource>;
    readText(name: string): Promise<string | undefined>;
    writeText(name: string, text: string): Promise<void>;
    createText(name: string, text: string): Promise<boolean>;
    remove(name: string): Promise<void>;
    freeSpace(): Promise<{
        availableBytes: number;
        totalBytes: number;
    } | undefined>;
    checkWritable(): Promise<void>;
    locate(name: string): string;
    close(): Promise<void>;
}
