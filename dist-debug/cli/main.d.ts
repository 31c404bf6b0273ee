import type { Prompter } from './context.js';
/** Where the CLI writes and whom it asks; the real process by default, replaceable in tests. */
export interface CliIo {
    stdout?: {
        write(text: string): unknown;
    };
    stderr?: {
        write(text: string): unknown;
    };
    /** A person is at the terminal. Default: stdin and stderr are TTYs. */
    interactive?: boolean;
    prompt?: Prompter;
}
/**
 * The `stowage` command. Exit codes: 0 success, 1 failure, 2 bad usage,
 * 130 interrupted.
 */
export declare function main(argv: string[], io?: CliIo): Promise<number>;
