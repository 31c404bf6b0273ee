import { StowageError } from '../../errors.js';
import type { EngineRestoreRequest, EngineRestoreResult } from '../engine.js';
import type { MongoRestoreOptions } from './options.js';
/** A restore that stopped part way; lists which collections were fully restored. */
export declare class MongoRestoreError extends StowageError {
    readonly complete: string[];
    readonly incomplete: string[];
    constructor(cause: StowageError, complete: string[], incomplete: string[]);
}
/** Documents were refused by the server (duplicate keys, validation); everything else was restored. */
export declare class DocumentsRejectedError extends StowageError {
    readonly rejected: Record<string, {
        duplicateKeys: number;
        validationFailures: number;
        otherFailures: number;
        samples: string[];
    }>;
    readonly items: Record<string, number>;
    constructor(message: string, rejected: Record<string, {
        duplicateKeys: number;
        validationFailures: number;
        otherFailures: number;
        samples: string[];
    }>, items: Record<string, number>);
}
export declare function restoreMongo(request: EngineRestoreRequest<MongoRestoreOptions>): Promise<EngineRestoreResult>;
