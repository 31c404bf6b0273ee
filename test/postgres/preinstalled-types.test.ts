// Base types installed in the target by hand, as Stowage used to ask for types with C functions
// ("install it in the target first"): such archives hold the type's I/O functions but not the
// type. The target must not count as non-empty for them, and --clean must not drop them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineBackupResult } from '../../src/engines/engine.js';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import type { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import { loadParityFixtures, schemaEntries } from './parity.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

const TYPES = ['10-a-base-types.sql'];
const ALL = ['10-a-base-types.sql', '10-b-base-types-used.sql'];

describe('postgres restore into a target with pre-installed base types', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  let backup: { streams: MemoryStreams; result: EngineBackupResult };
  /** The backup as older Stowage wrote it: base types left out, their I/O functions in. */
  let older: { streams: MemoryStreams; result: EngineBackupResult };

  beforeAll(async () => {
    source = await createPgDatabase('preinst_src');
    await loadParityFixtures(source.url, ALL);
    backup = await backupToMemory(source.url, {}, 2);
    const schema = backup.result.schema as PostgresSchema;
    const baseTypes = schema.objects.filter((o) => o.kind === 'shell-type').map((o) => o.name);
    expect(baseTypes.sort()).toEqual(['Cube Twin', 'Label']);
    const leftOut = new Set(
      schema.objects
        .filter((o) => (o.kind === 'shell-type' || o.kind === 'type') && baseTypes.includes(o.name))
        .map((o) => o.id),
    );
    const objects = schema.objects
      .filter((o) => !leftOut.has(o.id))
      .map((o) => ({ ...o, deps: o.deps.filter((d) => !leftOut.has(d)) }));
    older = { streams: backup.streams, result: { ...backup.result, schema: { ...schema, objects } } };
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  const targetWithTypes = async () => {
    const target = await createPgDatabase('preinst_dst');
    created.push(target);
    await loadParityFixtures(target.url, TYPES);
    return target;
  };
  const expectSameAsSource = async (target: TestPgDatabase) => {
    expect(schemaEntries(target.url)).toEqual(schemaEntries(source.url));
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
  };

  it('restores an older backup without --clean: the installed types and their functions do not count', async () => {
    const target = await targetWithTypes();
    const result = await restoreFromMemory(target.url, older, { owner: true }, 2);
    expect(result.warnings.filter((w) => w.includes('installed in the target beforehand'))).toHaveLength(2);
    await expectSameAsSource(target);
  });

  it('restores an older backup with --clean, twice, keeping the installed types', async () => {
    const target = await targetWithTypes();
    await restoreFromMemory(target.url, older, { owner: true, clean: true }, 2);
    await restoreFromMemory(target.url, older, { owner: true, clean: true }, 1);
    await expectSameAsSource(target);
  });

  it('still refuses a target holding other objects', async () => {
    const target = await targetWithTypes();
    await loadParityFixtures(target.url, ['11-aggregate-star.sql']);
    await expect(restoreFromMemory(target.url, older, {}, 1)).rejects.toThrow(/is not empty/);
  });

  it('restores a current backup, which holds the types, over them with --clean', async () => {
    const target = await targetWithTypes();
    await expect(restoreFromMemory(target.url, backup, {}, 1)).rejects.toThrow(/is not empty/);
    await restoreFromMemory(target.url, backup, { owner: true, clean: true }, 2);
    await expectSameAsSource(target);
  });
});
