/**
 * Typed errors. Every error Stowage raises on purpose is a {@link StowageError}
 * with a stable `code`, a one-line message that says what happened, and where
 * possible a `hint` naming what to do. The CLI prints `message` and `hint`.
 */
export declare class StowageError extends Error {
    readonly code: string;
    readonly hint?: string | undefined;
    constructor(code: string, message: string, hint?: string | undefined, options?: {
        cause?: unknown;
    });
}
/** Bad command-line usage or API arguments (CLI exit code 2). */
export declare class UsageError extends StowageError {
    constructor(message: string, hint?: string);
}
/** The file is not a .stow archive at all. */
export declare class NotAnArchiveError extends StowageError {
    constructor(what: string);
}
/** The archive was written by a newer (or unknown) format version. */
export declare class UnsupportedVersionError extends StowageError {
    readonly version: number;
    constructor(version: number);
}
/** A frame failed its checksum or authentication. */
export declare class CorruptFrameError extends StowageError {
    readonly offset: number;
    readonly stream: string;
    constructor(offset: number, stream: string, detail: string);
}
/** The archive ends early; `incomplete` lists the streams that are not whole. */
export declare class TruncatedArchiveError extends StowageError {
    readonly incomplete: string[];
    constructor(incomplete: string[], detail: string);
}
/** Decryption failed on the key check: wrong passphrase or key file. */
export declare class WrongKeyError extends StowageError {
    constructor();
}
/** The archive is encrypted and no key was given. */
export declare class KeyRequiredError extends StowageError {
    constructor();
}
