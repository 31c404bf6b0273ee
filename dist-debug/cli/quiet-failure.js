import { StowageError } from '../errors.js';
/**
 * A failure the command has already reported in its own output (a failed
 * verification, an unhealthy status): the CLI exits 1 without printing
 * another line.
 */
export class QuietFailure extends StowageError {
    constructor(what = 'failed') {
        super('quiet-failure', what);
        this.name = 'QuietFailure';
    }
}
//# sourceMappingURL=quiet-failure.js.map