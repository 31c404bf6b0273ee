import type { Document, MongoClient } from 'mongodb';
/**
 * Query filters for `parts` slices of a collection, or `[{}]` when it cannot
 * be split (too few documents, unsplittable `_id` types, server refuses).
 * Boundaries come from `$sample` where the server has it, else from skips
 * along the `_id` index.
 */
export declare function planIdRanges(client: MongoClient, db: string, collection: string, parts: number, estimatedDocuments: number): Promise<Document[]>;
/** Builds the range filters from sorted, distinct boundary values. */
export declare function rangesFromBoundaries(boundaries: unknown[]): Document[];
