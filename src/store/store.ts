import type { z } from 'zod';
import type { LazySchemas } from '../schema-check/lazy-schemas.js';
import type { Repository } from './repository.js';

/**
 * How one store option can also be given, attached to the option's schema
 * with zod's `.meta()`. The CLI builds its flags and `optionsFromEnv`
 * its environment variables from these, so an option is declared once.
 */
export type StoreOptionMeta = {
  /** Commander flag, e.g. `--s3-endpoint <url>`; a flag without `<value>` sets the option to true. */
  flag?: string;
  /** The flag's help text. */
  help?: string;
  /** Environment variable that gives the option when neither flag nor caller does. */
  env?: string;
};

/** A store's options: a strict zod object, so a misspelt key is an error, not silently ignored. */
export type StoreOptionsSchema = z.ZodObject;

/**
 * A kind of place where archives live (a local folder, an S3 bucket prefix,
 * process memory). Each store is one object in its own folder under
 * `src/store/`; the registry (`registry.ts`) picks the store of a location by
 * its URL scheme. Everything above the store layer works with the
 * {@link Repository} it opens and never with a store's own options.
 */
export interface Store<Schema extends StoreOptionsSchema = StoreOptionsSchema> {
  /** Its name: the key of its options in `StoreOptions` and in the daemon configuration. */
  readonly kind: string;
  /**
   * URL schemes it serves (`s3` for `s3://…`). The local store has none: it
   * takes every location without a scheme, i.e. paths.
   */
  readonly schemes: readonly string[];
  /**
   * True when its archives live only as long as this process (memory). A
   * command-line run would report such a backup and then lose it, so the CLI
   * refuses these stores.
   */
  readonly inProcess?: boolean;
  /**
   * Its options' schema, `Options`, built on first use (lazy-schemas.ts): a
   * store with none, given none, is checked without loading zod. Fields may
   * carry {@link StoreOptionMeta}.
   */
  readonly optionSchemas: Pick<LazySchemas<{ Options: Schema }>, 'load' | 'builtWith' | 'safeParse'>;
  /** The options the environment gives (validated; a bad value names its variable). */
  fromEnv(env?: NodeJS.ProcessEnv): Promise<z.input<Schema>>;
  /**
   * Opens the repository at `url`; archives are written through its
   * `createArchive` (a ByteSink) and read through `openArchive` (a
   * ByteSource). The caller closes it.
   */
  open(url: string, options: z.output<Schema>): Promise<Repository>;
  /** Splits a reference to one archive into its repository's address and the archive's name there. */
  splitArchiveRef(ref: string): { repository: string; name: string };
  /** A repository's address as messages and records show it (what its `Repository.url` will be), without opening it. */
  canonicalUrl(url: string): string;
  /** How stall messages name the party that went silent, e.g. `S3 endpoint … (s3://…)`; default `storage at LOCATION`. */
  describe?(location: string, options: z.output<Schema>): string;
}
