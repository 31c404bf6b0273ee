import type { ByteSource } from '../archive/byte-source.js';
/** Random-access reads of a local archive file. */
export declare class LocalFileSource implements ByteSource {
    private readonly handle;
    readonly size: number;
    readonly location: string;
    private constructor();
    static open(path: string): Promise<LocalFileSource>;
    read(offset: number, length: number): Promise<Buffer>;
    close(): Promise<void>;
}
