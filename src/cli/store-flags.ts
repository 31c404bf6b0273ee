import { type Command, Option } from 'commander';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { STORE_OPTION_FLAGS } from '../store/option-flags.js';
import type { StoreOptions } from '../store/registry.js';

interface StoreFlag {
  kind: string;
  key: string;
  option: Option;
}

/** The commander option of each store flag, made once (commands share them). */
let flags: StoreFlag[] | undefined;

function storeFlags(): StoreFlag[] {
  flags ??= STORE_OPTION_FLAGS.map(({ kind, key, meta }) => ({
    kind,
    key,
    option: new Option(meta.flag, meta.help ?? ''),
  }));
  return flags;
}

/** Each store flag's schema field, by `kind.key`; loaded by {@link loadStoreFlagSchemas} before an action runs. */
let fields: Map<string, { field: z.ZodType; isBoolean: boolean }> | undefined;

/**
 * Loads the store schemas (and zod) that check the store flags' values.
 * Commands marked by {@link addStoreOptions} call it before their action
 * runs; `--help` and argument parsing do without.
 */
export async function loadStoreFlagSchemas(): Promise<void> {
  if (fields) return;
  const [{ STORES }, { isBoolean }] = await Promise.all([
    import('../store/registry.js'),
    import('../store/options-from-env.js'),
  ]);
  const loaded = new Map<string, { field: z.ZodType; isBoolean: boolean }>();
  for (const { kind, key } of storeFlags()) {
    const store = STORES.find((s) => s.kind === kind);
    const field = (store &&
      ((await store.optionSchemas.load()).Options.shape as Record<string, z.ZodType>))?.[key];
    if (!field) throw new Error(`store flag ${kind}.${key} has no option in the ${kind} store's schema`);
    loaded.set(`${kind}.${key}`, { field, isBoolean: isBoolean(field) });
  }
  fields = loaded;
}

/** Commands whose store flags are still to be added. */
const deferred = new WeakSet<Command>();

/**
 * Marks a command as taking the store flags (`--s3-endpoint`…) shared by
 * every command that touches a repository. They are added by
 * {@link addDeferredStoreOptions} when this command is about to parse (the
 * CLI's `preSubcommand` hook), and show in its own `--help`; their values
 * are checked against the stores' option schemas, which load (with zod)
 * only once the command's action is about to run. Each also has an
 * environment variable, and S3 endpoint, region and credentials come from
 * the usual AWS variables when not given.
 */
export function addStoreOptions(command: Command): Command {
  deferred.add(command);
  return command;
}

/** Adds the store flags to a command marked by {@link addStoreOptions}, once. */
export async function addDeferredStoreOptions(command: Command): Promise<Command> {
  if (!deferred.has(command)) return command;
  deferred.delete(command);
  for (const { option } of storeFlags()) command.addOption(option);
  // The schemas (zod and the store layer) load only when a flag was given: a command that fails
  // on its arguments, or takes its store settings from the environment, does without them here.
  command.hook('preAction', async (thisCommand) => {
    if (storeFlags().some(({ option }) => thisCommand.getOptionValue(option.attributeName()) !== undefined))
      await loadStoreFlagSchemas();
  });
  return command;
}

/**
 * The store options the flags give, checked against each store's schema (the
 * environment fills in the rest later). A command's action calls it after
 * {@link loadStoreFlagSchemas} (its `preAction` hook).
 */
export function storeOptionsFrom(opts: Record<string, unknown>): StoreOptions {
  const out: Record<string, Record<string, unknown>> = {};
  // No flags added: no command took them, so none was given.
  for (const { kind, key, option } of flags ?? []) {
    const raw = opts[option.attributeName()];
    if (raw === undefined) continue;
    const schema = fields?.get(`${kind}.${key}`);
    if (!schema) throw new Error('store flags read before loadStoreFlagSchemas()');
    const parsed = schema.field.safeParse(schema.isBoolean ? raw === true : raw);
    if (!parsed.success) {
      throw new UsageError(`${option.long} ${raw}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
    }
    out[kind] = { ...out[kind], [key]: parsed.data };
  }
  return out as StoreOptions;
}
