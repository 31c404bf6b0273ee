import type { ByteSink } from '../archive/byte-sink.js';
/**
 * Writes an archive to standard output, for pipes (`stowage backup … --to - | …`).
 * There is no rename to make a pipe atomic: a failed backup ends the output
 * without a trailer, which every reader rejects as truncated.
 */
export declare class StdoutSink implements ByteSink {
    readonly location = "<stdout>";
    write(chunk: Uint8Array): Promise<void>;
    commit(): Promise<void>;
    abort(): Promise<void>;
}
