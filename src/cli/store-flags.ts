import { type Command, Option } from 'commander';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import type { StoreOptions } from '../store/registry.js';
import type { StoreOptionMeta } from '../store/store.js';

interface StoreFlag {
  kind: string;
  key: string;
  field: z.ZodType;
  option: Option;
  isBoolean: boolean;
}

/** Every store option that has a flag, with the store it belongs to; read once the stores are loaded. */
let loadedFlags: StoreFlag[] | undefined;

async function storeFlags(): Promise<StoreFlag[]> {
  if (loadedFlags) return loadedFlags;
  const [{ STORES }, { isBoolean }] = await Promise.all([
    import('../store/registry.js'),
    import('../store/options-from-env.js'),
  ]);
  loadedFlags = STORES.flatMap((store) =>
    Object.entries(store.optionsSchema.shape).flatMap(([key, field]) => {
      const meta = (field as z.ZodType).meta() as StoreOptionMeta | undefined;
      if (!meta?.flag) return [];
      const option = new Option(meta.flag, meta.help ?? '');
      return [
        {
          kind: store.kind,
          key,
          field: field as z.ZodType,
          option,
          isBoolean: isBoolean(field as z.ZodType),
        },
      ];
    }),
  );
  return loadedFlags;
}

/** Commands whose store flags are still to be added. */
const deferred = new WeakSet<Command>();

/**
 * Marks a command as taking the store flags (`--s3-endpoint`…) shared by
 * every command that touches a repository. They are built from the stores'
 * option schemas, which loads zod and the store layer: `stowage --version`
 * and `--help` do without, so the flags are added by
 * {@link addDeferredStoreOptions} when this command is about to parse (the
 * CLI's `preSubcommand` hook), and show in its own `--help`. Each also has an
 * environment variable, and S3 endpoint, region and credentials come from the
 * usual AWS variables when not given.
 */
export function addStoreOptions(command: Command): Command {
  deferred.add(command);
  return command;
}

/** Adds the store flags to a command marked by {@link addStoreOptions}, once. */
export async function addDeferredStoreOptions(command: Command): Promise<Command> {
  if (!deferred.has(command)) return command;
  deferred.delete(command);
  for (const { option } of await storeFlags()) command.addOption(option);
  return command;
}

/** The store options the flags give, checked against each store's schema (the environment fills in the rest later). */
export function storeOptionsFrom(opts: Record<string, unknown>): StoreOptions {
  const out: Record<string, Record<string, unknown>> = {};
  // No flags loaded: no command took them, so none was given.
  for (const { kind, key, field, option, isBoolean } of loadedFlags ?? []) {
    const raw = opts[option.attributeName()];
    if (raw === undefined) continue;
    const parsed = field.safeParse(isBoolean ? raw === true : raw);
    if (!parsed.success) {
      throw new UsageError(`${option.long} ${raw}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
    }
    out[kind] = { ...out[kind], [key]: parsed.data };
  }
  return out as StoreOptions;
}
