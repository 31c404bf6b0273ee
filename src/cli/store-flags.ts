import { type Command, Option } from 'commander';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { isBoolean } from '../store/options-from-env.js';
import { STORES, type StoreOptions } from '../store/registry.js';
import type { StoreOptionMeta } from '../store/store.js';

/** Every store option that has a flag, with the store it belongs to. */
function storeFlags() {
  return STORES.flatMap((store) =>
    Object.entries(store.optionsSchema.shape).flatMap(([key, field]) => {
      const meta = (field as z.ZodType).meta() as StoreOptionMeta | undefined;
      if (!meta?.flag) return [];
      const option = new Option(meta.flag, meta.help ?? '');
      return [{ kind: store.kind, key, field: field as z.ZodType, option }];
    }),
  );
}

/**
 * The store flags (`--s3-endpoint`…) shared by every command that touches a
 * repository, built from the stores' option schemas. Each also has an
 * environment variable, and S3 endpoint, region and credentials come from the
 * usual AWS variables when not given.
 */
export function addStoreOptions(command: Command): Command {
  for (const { option } of storeFlags()) command.addOption(option);
  return command;
}

/** The store options the flags give, checked against each store's schema (the environment fills in the rest later). */
export function storeOptionsFrom(opts: Record<string, unknown>): StoreOptions {
  const out: Record<string, Record<string, unknown>> = {};
  for (const { kind, key, field, option } of storeFlags()) {
    const raw = opts[option.attributeName()];
    if (raw === undefined) continue;
    const parsed = field.safeParse(isBoolean(field) ? raw === true : raw);
    if (!parsed.success) {
      throw new UsageError(`${option.long} ${raw}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
    }
    out[kind] = { ...out[kind], [key]: parsed.data };
  }
  return out as StoreOptions;
}
