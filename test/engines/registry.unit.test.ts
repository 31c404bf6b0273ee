import { describe, expect, it } from 'vitest';
import { BACKUP_FLAGS, INSPECT_FLAGS, RESTORE_FLAGS } from '../../src/cli/engine-flags.js';
import {
  allEngines,
  databaseOfUrl,
  ENGINE_NAMES,
  engineNameForUrl,
  enginePlugin,
  isEngineName,
} from '../../src/engines/registry.js';
import { StowageError, UsageError } from '../../src/errors.js';
import { DEFAULT_COMPRESSION_BY_ENGINE } from '../../src/ops/backup.js';
import { ItemSplitter } from '../../src/ops/item-digest.js';
import { databaseParty } from '../../src/ops/stall-watchdog.js';

describe('the engine registry (engines are plugins, issue 16)', () => {
  it('lists the engines once; names, schemes and defaults come from their plugins', () => {
    expect(ENGINE_NAMES).toEqual(['postgres', 'mongodb']);
    expect(allEngines().map((e) => e.label)).toEqual(['PostgreSQL', 'MongoDB']);
    expect(isEngineName('mongodb')).toBe(true);
    expect(isEngineName('oracle')).toBe(false);
    expect(DEFAULT_COMPRESSION_BY_ENGINE).toEqual({ postgres: 1, mongodb: 6 });
  });

  it('picks the engine by URL scheme, or the libpq key=value form PostgreSQL claims', () => {
    expect(engineNameForUrl('postgres://u@h/db')).toBe('postgres');
    expect(engineNameForUrl('POSTGRESQL://u@h/db')).toBe('postgres');
    expect(engineNameForUrl('host=db dbname=shop')).toBe('postgres');
    expect(engineNameForUrl('mongodb://h/db')).toBe('mongodb');
    expect(engineNameForUrl('mongodb+srv://cluster.example.com/db')).toBe('mongodb');
    let error: unknown;
    try {
      engineNameForUrl('mysql://h/db');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('unsupported database URL scheme "mysql:"');
    expect((error as UsageError).hint).toBe(
      'use postgres://, postgresql://, mongodb:// or mongodb+srv://, or PostgreSQL key=value pairs ("host=db dbname=shop")',
    );
  });

  it('reads the database a URL names the way its engine does', () => {
    expect(databaseOfUrl('postgres://u@h/shop')).toBe('shop');
    expect(databaseOfUrl('host=h user=app')).toBe('app'); // libpq: the user name
    expect(databaseOfUrl('mongodb://h/shop?authSource=admin')).toBe('shop');
    expect(databaseOfUrl('mongodb://h/')).toBeUndefined();
  });

  it('refuses an engine name no plugin has (an archive of a newer stowage) with a clear error', () => {
    expect(() => enginePlugin('oracle')).toThrow(StowageError);
    expect(() => enginePlugin('oracle')).toThrow(/engine "oracle", which this stowage does not know/);
    expect(() => new ItemSplitter('oracle')).toThrow(/does not know/);
  });

  it("each engine's CLI flags set options its option keys know, and the CLI labels them with its name", () => {
    for (const engine of allEngines()) {
      for (const flag of engine.flags.backup) expect(engine.optionKeys.backup).toContain(flag.option);
      for (const flag of [...engine.flags.restore, ...engine.flags.inspect])
        expect(engine.optionKeys.restore).toContain(flag.option);
    }
    for (const [specs, command] of [
      [BACKUP_FLAGS, 'backup'],
      [RESTORE_FLAGS, 'restore'],
      [INSPECT_FLAGS, 'inspect'],
    ] as const) {
      const expected = allEngines().flatMap((e) =>
        e.flags[command].map((f) => ({ flags: f.flags, text: `${e.label}: ${f.description}` })),
      );
      expect(specs.map((s) => ({ flags: s.flags, text: s.description }))).toEqual(expected);
    }
  });

  it('names the server in stall messages by the engine plugin (label and default port)', () => {
    expect(databaseParty('postgres://app:secret@db.example.com/shop')).toBe(
      'PostgreSQL at db.example.com:5432',
    );
    expect(databaseParty('mongodb://a:1,b:2/shop')).toBe('MongoDB at a:1,b:2');
    expect(databaseParty('mongodb://h/shop')).toBe('MongoDB at h:27017');
    expect(databaseParty('host=db dbname=shop')).toBe('PostgreSQL');
    expect(databaseParty('mysql://h/db')).toBe('the database');
  });
});

describe('the scratch databases of verify --restore-test, as each engine plans them', () => {
  it('PostgreSQL restores into the scratch database itself, creating it, without owners or grants', () => {
    const plan = enginePlugin('postgres').scratchPlan('postgres://u@h/scratch', ['public.a', 'public.b']);
    expect(plan.databases).toEqual(['postgres://u@h/scratch']);
    expect(plan.restoreUrl).toBe('postgres://u@h/scratch');
    expect(plan.restoreOptions).toEqual({ create: true, owner: false, acl: false });
    expect(plan.rename('public.a')).toBe('public.a');
  });

  it('MongoDB maps one archived database onto the scratch one, several onto scratch_<db> each (never admin)', () => {
    const mongodb = enginePlugin('mongodb');
    const single = mongodb.scratchPlan('mongodb://h:1/scr?authSource=admin', ['shop.orders', 'shop.users']);
    expect(single.databases).toEqual(['mongodb://h:1/scr?authSource=admin']);
    expect(single.restoreUrl).toBe('mongodb://h:1/scr?authSource=admin');
    expect(single.restoreOptions).toEqual({ include: ['shop.*'], oplogReplay: false });
    expect(single.compareUrl).toBe('mongodb://h:1/?authSource=admin');
    expect(single.backupOptions).toEqual({ databases: ['scr'], oplog: false });
    expect(single.rename('shop.orders')).toBe('scr.orders');

    const several = mongodb.scratchPlan('mongodb://h:1/scr', [
      'shop.orders',
      'crm.people',
      'admin.system.users',
    ]);
    expect(several.databases).toEqual(['mongodb://h:1/scr_shop', 'mongodb://h:1/scr_crm']);
    expect(several.restoreUrl).toBe('mongodb://h:1/');
    expect(several.restoreOptions).toEqual({
      nsFrom: ['shop.*', 'crm.*'],
      nsTo: ['scr_shop.*', 'scr_crm.*'],
      include: ['shop.*', 'crm.*'],
      oplogReplay: false,
    });
    expect(several.rename('crm.people')).toBe('scr_crm.people');

    expect(() => mongodb.scratchPlan('mongodb://h:1/', ['shop.orders'])).toThrow(UsageError);
  });
});
