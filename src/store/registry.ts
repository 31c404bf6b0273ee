import type { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Built } from '../schema-check/lazy-schemas.js';
import { inProcessStoresRefused } from './in-process-refusal.js';
import { localStore } from './local/local-store.js';
import { memoryStore } from './memory/memory-store.js';
import type { Repository } from './repository.js';
import { s3Store } from './s3/s3-store.js';
import type { Store } from './store.js';

/** Every store; adding one is a folder under `src/store/` and a line here. */
export const STORES = [localStore, s3Store, memoryStore] as const;

type AnyStore = (typeof STORES)[number];

/** A store's name: `local`, `s3`, `memory`. */
export type StoreKind = AnyStore['kind'];

/**
 * Settings for the stores, by store kind (`{ s3: { endpoint, … } }`). What a
 * store's entry leaves out comes from the environment (its `fromEnv`).
 * Operations pass this record through to the registry untouched; only the
 * store reads its own entry.
 */
export type StoreOptions = { [S in AnyStore as S['kind']]?: z.input<Built<S['optionSchemas']>['Options']> };

/** `s3` from `s3://bucket`; undefined for a path. Single letters are left out: `C:\…` is a Windows path. */
function schemeOf(location: string): string | undefined {
  return /^([a-z][a-z0-9+.-]+):\/\//i.exec(location)?.[1]?.toLowerCase();
}

function usableStores(): readonly Store[] {
  return STORES.filter((s) => !(inProcessStoresRefused() && (s as Store).inProcess));
}

/** The store that serves a location: the one whose scheme it has, or the local store for a path. */
export function storeFor(location: string): Store {
  const scheme = schemeOf(location);
  if (scheme === undefined) return localStore;
  const store = STORES.find((s) => (s.schemes as readonly string[]).includes(scheme)) as Store | undefined;
  const known = usableStores()
    .flatMap((s) => s.schemes.map((x) => `${x}://`))
    .join(', ');
  if (store && inProcessStoresRefused() && store.inProcess) {
    throw new UsageError(
      `${scheme}:// keeps archives only inside one process, and this command ends with its run`,
      `give a local path or one of ${known}; ${scheme}:// is for the library`,
    );
  }
  if (!store)
    throw new UsageError(`no store serves ${scheme}:// addresses`, `give a local path or one of ${known}`);
  return store;
}

/**
 * A store's options in force: the caller's entry in `stores` over what the
 * environment gives, checked against the store's schema (unknown keys and
 * bad values are usage errors naming the key).
 */
export async function storeOptionsFor(
  store: Store,
  stores: StoreOptions = {},
): Promise<Record<string, unknown>> {
  checkKinds(stores);
  const given = Object.fromEntries(
    Object.entries((stores as Record<string, object | undefined>)[store.kind] ?? {}).filter(
      ([, value]) => value !== undefined,
    ),
  );
  // Checked without zod when valid as they stand (the local store given nothing); zod words what is wrong.
  const parsed = await store.optionSchemas.safeParse('Options', { ...(await store.fromEnv()), ...given });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.length ? `${store.kind}.${issue.path.join('.')}` : store.kind;
    throw new UsageError(
      `invalid ${store.kind} store option ${key}: ${issue?.message ?? 'invalid value'}`,
      `fix ${key}`,
    );
  }
  return parsed.data;
}

function checkKinds(stores: StoreOptions): void {
  for (const kind of Object.keys(stores)) {
    if (!STORES.some((s) => s.kind === kind)) {
      throw new UsageError(
        `no store is called ${kind}`,
        `store options go under ${STORES.map((s) => s.kind).join(', ')}`,
      );
    }
  }
}

/** Opens the repository at a location (a path, `s3://bucket/prefix`, `memory://space`). The caller closes it. */
export async function openStoreRepository(location: string, stores?: StoreOptions): Promise<Repository> {
  const store = storeFor(location);
  return store.open(location, await storeOptionsFor(store, stores));
}

/** How stall messages name the store of a location; never fails (a bad location is reported elsewhere). */
export async function describeStoreLocation(location: string, stores?: StoreOptions): Promise<string> {
  try {
    const store = storeFor(location);
    if (store.describe) return store.describe(location, await storeOptionsFor(store, stores));
  } catch {
    // fall through to the plain description
  }
  return `storage at ${location}`;
}

/**
 * Each store's options as a key of its own (`s3:`), for configuration files
 * such as the daemon's, built with the zod the caller imported.
 */
export function storeConfigShape(zod: typeof z) {
  return Object.fromEntries(
    STORES.map((store) => [store.kind, (store as Store).optionSchemas.builtWith(zod).Options.optional()]),
  ) as { [S in AnyStore as S['kind']]: z.ZodOptional<Built<S['optionSchemas']>['Options']> };
}

/** The store settings in a configuration whose top-level keys include {@link STORE_CONFIG_SHAPE}. */
export function storeOptionsIn(config: { [K in StoreKind]?: unknown }): StoreOptions {
  const out: Record<string, unknown> = {};
  for (const { kind } of STORES) if (config[kind] !== undefined) out[kind] = config[kind];
  return out as StoreOptions;
}
