/**
 * Progress events emitted by backup and restore. The library emits them; the CLI
 * renders them (bars on a terminal, log lines elsewhere). A "unit" is one table
 * or collection.
 */
export type ProgressEvent = {
    type: 'phase';
    phase: string;
    message?: string;
} | {
    type: 'plan';
    units: {
        name: string;
        estimatedItems?: number;
        estimatedBytes?: number;
    }[];
} | {
    type: 'unit-start';
    name: string;
} | {
    type: 'unit-progress';
    name: string;
    items: number;
    bytes: number;
} | {
    type: 'unit-done';
    name: string;
    items: number;
    bytes: number;
} | {
    type: 'warning';
    message: string;
};
export type ProgressListener = (event: ProgressEvent) => void;
/** A listener that ignores everything, for callers that do not care. */
export declare const ignoreProgress: ProgressListener;
