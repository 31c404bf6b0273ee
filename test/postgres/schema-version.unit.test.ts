// The schema section's version: archives of the previous version still
// restore; a newer one asks for an upgrade rather than being called damaged.
import { describe, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_VERSION, parsePostgresSchema } from '../../src/engines/postgres/model.js';
import { StowageError } from '../../src/errors.js';

const section = (version: number, kind = 'schema') => ({
  format: 'stowage-postgres',
  version,
  server: { version: '15.4', versionNum: 150004 },
  database: { name: 'shop', encoding: 'UTF8' },
  contents: 'full',
  objects: [{ id: 'x', kind, section: 'pre-data', schema: null, name: 'x', sql: [], deps: [] }],
  tables: [],
  sequences: [],
  partitions: [],
});

describe('postgres schema section version', () => {
  it('reads version 1 and the current version', async () => {
    expect(POSTGRES_SCHEMA_VERSION).toBe(2);
    expect((await parsePostgresSchema(section(1))).version).toBe(1);
    expect((await parsePostgresSchema(section(2, 'operator-class'))).objects[0]?.kind).toBe('operator-class');
  });

  it('asks for an upgrade for a newer version', async () => {
    let error: unknown;
    try {
      await parsePostgresSchema(section(3, 'something-new'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).code).toBe('unsupported-version');
  });
});
