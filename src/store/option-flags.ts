import { S3_OPTION_FLAGS } from './s3/s3-flags.js';
import type { StoreOptionMeta } from './store.js';

/** One store option that has a command-line flag. */
export interface StoreOptionFlag {
  /** The store it belongs to (`s3`). */
  kind: string;
  /** The option's key in that store's options. */
  key: string;
  meta: StoreOptionMeta & { flag: string };
}

/**
 * Every store option with a flag, by store. The schemas in the registry
 * carry the same records through `.meta()`; this list exists so the CLI can
 * add the flags (and show them in `--help`) without loading the store layer
 * and zod. A unit test checks it against the schemas.
 */
export const STORE_OPTION_FLAGS: readonly StoreOptionFlag[] = Object.entries(S3_OPTION_FLAGS).map(
  ([key, meta]) => ({ kind: 's3', key, meta }),
);
