// The store registry: a location picks its store by scheme, store options are
// checked against the store's own schema (flags, variables, caller), and the
// CLI flags come from those schemas.
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import {
  addDeferredStoreOptions,
  addStoreOptions,
  loadStoreFlagSchemas,
  storeOptionsFrom,
} from '../../src/cli/store-flags.js';
import { UsageError } from '../../src/errors.js';
import { parseDaemonConfig } from '../../src/ops/daemon-config.js';
import { localStore } from '../../src/store/local/local-store.js';
import { openRepository, repositoryUrlOf, resolveArchiveRef } from '../../src/store/open-repository.js';
import { STORE_OPTION_FLAGS } from '../../src/store/option-flags.js';
import {
  describeStoreLocation,
  STORES,
  type StoreOptions,
  storeFor,
  storeOptionsFor,
} from '../../src/store/registry.js';
import { s3Store } from '../../src/store/s3/s3-store.js';
import type { StoreOptionMeta } from '../../src/store/store.js';

async function usageMessage(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('a location picks its store', () => {
  it('by scheme, any case; a path is local', () => {
    expect(storeFor('/var/backups').kind).toBe('local');
    expect(storeFor('backups/prod').kind).toBe('local');
    expect(storeFor('C:\\backups').kind).toBe('local');
    expect(storeFor('s3://bucket/prefix').kind).toBe('s3');
    expect(storeFor('S3://bucket').kind).toBe('s3');
    expect(storeFor('memory://space').kind).toBe('memory');
  });

  it('an address no store serves is a usage error, not a local folder named "gs:"', async () => {
    const message = await usageMessage(() => openRepository('gs://bucket/prod'));
    expect(message).toBe('no store serves gs:// addresses');
    await usageMessage(() => resolveArchiveRef('azure://c/x.stow'));
  });

  it('every store has a kind of its own and claims schemes no other does', () => {
    const kinds = STORES.map((s) => s.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const schemes = STORES.flatMap((s) => [...s.schemes]);
    expect(new Set(schemes).size).toBe(schemes.length);
  });

  it('splits archive references into their repository and name', async () => {
    expect(repositoryUrlOf('s3://bkt/p/q/x.stow')).toBe('s3://bkt/p/q');
    expect(repositoryUrlOf('memory://space/p/x.stow')).toBe('memory://space/p');
    expect(repositoryUrlOf('/var/backups/x.stow')).toBe('/var/backups');
    const { repository, name } = await resolveArchiveRef('memory://refs/prod/shop.stow');
    expect([repository.url, repository.kind, name]).toEqual(['memory://refs/prod', 'memory', 'shop.stow']);
  });
});

describe('store options', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('come from STOWAGE_S3_* variables, under what the caller gives', async () => {
    vi.stubEnv('STOWAGE_S3_ENDPOINT', 'http://env:9000');
    vi.stubEnv('STOWAGE_S3_FORCE_PATH_STYLE', 'yes');
    vi.stubEnv('STOWAGE_S3_SSE', 'AES256');
    expect(await storeOptionsFor(s3Store, {})).toEqual({
      endpoint: 'http://env:9000',
      forcePathStyle: true,
      serverSideEncryption: 'AES256',
    });
    const given: StoreOptions = { s3: { endpoint: 'http://flag:9000', region: undefined } };
    expect(await storeOptionsFor(s3Store, given)).toMatchObject({ endpoint: 'http://flag:9000' });
  });

  it('a bad variable names itself', async () => {
    vi.stubEnv('STOWAGE_S3_SSE', 'rot13');
    expect(await usageMessage(() => storeOptionsFor(s3Store, {}))).toMatch(/^STOWAGE_S3_SSE: /);
  });

  it('a misspelt key or an unknown store is a usage error naming it', async () => {
    const typo = { s3: { endpont: 'http://x' } } as unknown as StoreOptions;
    expect(await usageMessage(() => storeOptionsFor(s3Store, typo))).toMatch(/s3 store option s3: .*endpont/);
    const unknown = { gcs: {} } as unknown as StoreOptions;
    expect(await usageMessage(() => openRepository('memory://x', { stores: unknown }))).toBe(
      'no store is called gcs',
    );
    const bad = { s3: { partSizeMiB: 1 } };
    expect(await usageMessage(() => storeOptionsFor(s3Store, bad))).toMatch(/s3\.partSizeMiB/);
  });

  it('stall messages name the S3 endpoint in force, other stores by location', async () => {
    expect(await describeStoreLocation('s3://b/x.stow', { s3: { endpoint: 'http://minio:9000' } })).toBe(
      'S3 endpoint http://minio:9000 (s3://b/x.stow)',
    );
    expect(await describeStoreLocation('/var/backups')).toBe('storage at /var/backups');
    expect(await describeStoreLocation('gs://nope')).toBe('storage at gs://nope');
  });

  it('of the local store, none given, are checked without asking zod', async () => {
    const load = vi.spyOn(localStore.optionSchemas, 'load');
    try {
      expect(await storeOptionsFor(localStore, {})).toEqual({});
      expect(await storeOptionsFor(localStore, { local: {} })).toEqual({});
      expect(load).not.toHaveBeenCalled();
      // One it does not take is still refused, in zod's words.
      const extra = { local: { mode: 'fast' } } as unknown as StoreOptions;
      expect(await usageMessage(() => storeOptionsFor(localStore, extra))).toBe(
        'invalid local store option local: Unrecognized key: "mode"',
      );
      expect(load).toHaveBeenCalled();
    } finally {
      load.mockRestore();
    }
  });
});

describe('the CLI store flags come from the store schemas', () => {
  // The CLI adds the flags when a command is chosen (main.ts, preSubcommand), not when it is defined.
  const withFlags = (command: Command) => addDeferredStoreOptions(addStoreOptions(command));
  const parse = async (args: string[]) => {
    const command = await withFlags(new Command().exitOverride());
    command.parse(args, { from: 'user' });
    // What the command's preAction hook does before its action reads the flags.
    await loadStoreFlagSchemas();
    return storeOptionsFrom(command.opts());
  };

  it('are the S3 flags the CLI always had, credentials never among them', async () => {
    const flags = (await withFlags(new Command())).options.map((o) => o.long);
    expect(flags).toEqual([
      '--s3-endpoint',
      '--s3-region',
      '--s3-path-style',
      '--s3-sse',
      '--s3-kms-key-id',
      '--s3-storage-class',
    ]);
  });

  it('are listed for the CLI exactly as the store schemas declare them', async () => {
    const shapes = new Map<string, Record<string, unknown>>();
    for (const store of STORES) shapes.set(store.kind, (await store.optionSchemas.load()).Options.shape);
    // The CLI adds its flags from STORE_OPTION_FLAGS so that --help loads no zod; it must not drift.
    const declared = STORES.flatMap((store) =>
      Object.entries(shapes.get(store.kind) ?? {}).flatMap(([key, field]) => {
        const meta = (field as z.ZodType).meta() as StoreOptionMeta | undefined;
        return meta?.flag ? [{ kind: store.kind, key, meta }] : [];
      }),
    );
    expect(STORE_OPTION_FLAGS).toEqual(declared);
  });

  it('give the options of their store, checked', async () => {
    expect(await parse([])).toEqual({});
    expect(await parse(['--s3-endpoint', 'http://m:9000', '--s3-path-style', '--s3-sse', 'aws:kms'])).toEqual(
      {
        s3: { endpoint: 'http://m:9000', forcePathStyle: true, serverSideEncryption: 'aws:kms' },
      },
    );
    expect(await usageMessage(() => parse(['--s3-sse', 'rot13']))).toMatch(/^--s3-sse rot13: /);
  });
});

describe('the daemon configuration has one section per store', () => {
  const job = 'jobs: [{ name: a, source: "postgres://db/a", repository: /r, schedule: "0 2 * * *" }]';

  it('s3: takes the S3 store options and refuses a misspelt one', async () => {
    const config = parseDaemonConfig(
      `${job}\ns3: { endpoint: "http://m:9000", serverSideEncryption: AES256 }`,
      'c.yaml',
      {},
    );
    expect(config.s3).toEqual({ endpoint: 'http://m:9000', serverSideEncryption: 'AES256' });
    await usageMessage(() => parseDaemonConfig(`${job}\ns3: { endpont: "http://m:9000" }`, 'c.yaml', {}));
    await usageMessage(() => parseDaemonConfig(`${job}\ns3: { serverSideEncryption: rot13 }`, 'c.yaml', {}));
  });
});
