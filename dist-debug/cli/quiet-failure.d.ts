import { StowageError } from '../errors.js';
/**
 * A failure the command has already reported in its own output (a failed
 * verification, an unhealthy status): the CLI exits 1 without printing
 * another line.
 */
export declare class QuietFailure extends StowageError {
    constructor(what?: string);
}
