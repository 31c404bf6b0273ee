// The fast check in front of zod for archived schema sections: it may say
// "valid as it stands" only where zod accepts the value and gives back an
// equal one, and a damaged or hostile section is still refused by zod with
// its path named.
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { manifestSchemas } from '../../src/archive/manifest.js';
import { runRecordSchemas } from '../../src/catalog/run-record.js';
import { largeObjectsSchema } from '../../src/engines/postgres/large-objects.js';
import { parsePostgresSchema, postgresSchemas } from '../../src/engines/postgres/model.js';
import { StowageError } from '../../src/errors.js';
import { conformer } from '../../src/schema-check/zod-conforms.js';
import { isIsoDatetime } from '../../src/schema-check/zod-stand-in.js';
import { claimSchemas } from '../../src/store/claim.js';
import { s3OptionSchemas } from '../../src/store/s3/s3-options.js';

const { Footer: FooterSchema, StreamEntry: StreamEntrySchema } = await manifestSchemas.load();
const { PostgresSchemaSchema } = await postgresSchemas.load();
const LargeObjectsSchema = largeObjectsSchema(z);

const relation = (name: string) => ({ schema: 'public', name });

/** A valid section touching every field kind: enums, nullables, optionals, nested arrays, bounded ints. */
function section(tables = 2) {
  const objects: unknown[] = [
    {
      id: 'schema:public',
      kind: 'schema',
      section: 'pre-data',
      schema: null,
      name: 'public',
      sql: [],
      deps: [],
    },
  ];
  for (let i = 0; i < tables; i++) {
    objects.push({
      id: `table:public.t${i}`,
      kind: 'table',
      section: 'pre-data',
      schema: 'public',
      name: `t${i}`,
      relation: relation(`t${i}`),
      sql: [`CREATE TABLE public.t${i} (id integer)`],
      owner: [`ALTER TABLE public.t${i} OWNER TO app`],
      acl: [],
      deps: ['schema:public'],
    });
    objects.push({
      id: `foreign-key:public.t${i}.fk`,
      kind: 'foreign-key',
      section: 'post-data',
      schema: 'public',
      name: `t${i}.fk`,
      relation: relation(`t${i}`),
      references: [relation('t0')],
      sql: [`ALTER TABLE ONLY public.t${i} ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES public.t0(id)`],
      deps: [`table:public.t${i}`],
      lock: 'exclusive',
    });
  }
  return {
    format: 'stowage-postgres',
    version: 2,
    server: { version: '15.4', versionNum: 150004 },
    database: { name: 'shop', encoding: 'UTF8' },
    contents: 'full',
    partial: false,
    objects,
    tables: Array.from({ length: tables }, (_, i) => ({
      streams: [`public.t${i}`],
      schema: 'public',
      name: `t${i}`,
      columns: [{ name: 'id', type: 'integer' }],
      format: 'binary',
      estimatedRows: 3,
      estimatedBytes: 100,
      identityAlways: false,
    })),
    sequences: [{ schema: 'public', name: 's', lastValue: '7', isCalled: true }],
    partitions: [{ schema: 'public', name: 't1', ancestors: [relation('t0')] }],
    largeObjects: { stream: 'large objects', count: 1, extras: [{ oid: 7, comment: [], acl: [] }] },
  };
}

interface Place {
  value: unknown;
  set: (v: unknown) => void;
}

/** Every value in `value` (itself included), with a way to put another in its place. */
function places(value: unknown, set: (v: unknown) => void, out: Place[]): Place[] {
  out.push({ value, set });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      places(
        value[i],
        (n) => {
          value[i] = n;
        },
        out,
      );
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record))
      places(
        record[key],
        (n) => {
          record[key] = n;
        },
        out,
      );
  }
  return out;
}

const replacements: unknown[] = [
  undefined,
  null,
  'x',
  '',
  1,
  1.5,
  -1,
  2 ** 60,
  Number.NaN,
  true,
  [],
  {},
  ['x'],
];

/**
 * Damages every place of a fresh `make()` with each replacement ('extra-key' adds an unknown key to
 * an object; 'both' gives a stream entry the other digest too) and checks that the fast check never
 * takes what zod refuses or would give back changed. Returns how many were tried and refused.
 */
function damageEverywhere<T>(
  make: () => T,
  schema: z.ZodType,
  conforms: (value: unknown) => boolean,
  replacements: unknown[],
  sameAs?: (value: unknown) => boolean,
): { tried: number; refused: number } {
  let tried = 0;
  let refused = 0;
  const count = places(make(), () => {}, []).length;
  for (let at = 1; at < count; at++) {
    for (const replacement of replacements) {
      const damaged = make();
      const place = places(damaged, () => {}, [])[at] as Place;
      if (replacement === 'extra-key' || replacement === 'both') {
        if (!place.value || typeof place.value !== 'object' || Array.isArray(place.value)) continue;
        const record = place.value as Record<string, unknown>;
        if (replacement === 'both') record[record.blake3 ? 'sha256' : 'blake3'] = '0'.repeat(64);
        else record.unexpected = 1;
      } else place.set(replacement);
      tried++;
      const fast = conforms(damaged);
      if (sameAs) expect(fast, JSON.stringify(damaged).slice(0, 300)).toBe(sameAs(damaged));
      const zod = schema.safeParse(damaged);
      if (fast) {
        expect(zod.success).toBe(true);
        expect(zod.data).toEqual(damaged);
      } else refused++;
    }
  }
  return { tried, refused };
}

describe('zod-conforms', () => {
  const conforms = conformer(PostgresSchemaSchema);

  it('takes a valid section as it stands', () => {
    expect(conforms(section())).toBe(true);
  });

  it('never says yes where zod says no or would give back something else, whatever is damaged', () => {
    const { tried, refused } = damageEverywhere(section, PostgresSchemaSchema, conforms, [
      ...replacements,
      'extra-key',
    ]);
    // The check can fail: most damage is caught by it, the rest left to zod.
    expect(tried).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(tried / 2);
  });

  it('checks refinements and string-keyed records itself, hands other formats to zod', () => {
    const check = conformer(
      z.object({
        at: z.iso.datetime(),
        digest: z.string().regex(/^[0-9a-f]{4}$/),
        options: z.record(z.string(), z.number()),
        pair: z.object({ a: z.number(), b: z.number() }).refine((p) => p.a < p.b),
      }),
    );
    const valid = { at: '2026-01-01T00:00:00Z', digest: '00ff', options: { a: 1 }, pair: { a: 1, b: 2 } };
    expect(check(valid)).toBe(true);
    expect(check({ ...valid, at: 'yesterday' })).toBe(false);
    expect(check({ ...valid, digest: 'XYZW' })).toBe(false);
    expect(check({ ...valid, options: { a: 'b' } })).toBe(false);
    expect(check({ ...valid, pair: { a: 2, b: 1 } })).toBe(false);
    expect(conformer(LargeObjectsSchema)({ stream: 's', count: 0, extras: [], owners: ['a'] })).toBe(true);
  });
});

/** A valid archive footer: streams with either digest, an index with and without payload CRCs, a chain mark. */
function footer(streams = 3) {
  const hex = (i: number) => i.toString(16).padStart(64, '0');
  return {
    manifest: {
      formatVersion: 2,
      tool: { name: 'stowage', version: '1.0.0' },
      engine: 'postgres',
      serverVersion: '15.4',
      database: 'shop',
      source: 'postgres://app@localhost/shop',
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:00:05Z',
      kind: 'scheduled',
      onDemand: true,
      note: 'nightly',
      pointInTime: true,
      options: { jobs: 2, compression: 1 },
      encrypted: false,
      warnings: ['w'],
      incomplete: ['operators: 3'],
      streams: Array.from({ length: streams }, (_, i) => ({
        name: `public.t${i}`,
        items: i,
        rawBytes: 10 * i,
        storedBytes: 40 + i,
        ...(i % 2 ? { sha256: hex(i) } : { blake3: hex(i) }),
        frames: 1,
      })),
      schema: { anything: ['goes', 1] },
      chain: {
        id: 'shop',
        feedId: 'stowage_shop',
        role: 'segment',
        sequence: 3,
        after: '0/16B3748',
        last: '0/16B3750',
        transactions: 2,
        firstCommitAt: '2026-12-01T10:00:01Z',
        lastCommitAt: '2026-12-01T10:00:02.5Z',
        coveredUntil: '2026-12-01T10:00:03Z',
      },
    },
    index: Array.from({ length: streams }, (_, i) => ({
      name: `public.t${i}`,
      streamId: i,
      frames: [64 + 100 * i],
      sizes: [90],
      ...(i % 2 ? {} : { crcs: [4_000_000_000] }),
    })),
  };
}

describe('zod-conforms on archive footers', () => {
  const conforms = conformer(FooterSchema);

  it('takes a valid footer as it stands, checking digests, datetimes and refinements itself', () => {
    // Before, every stream entry (a regex and a refinement) and every datetime went to zod one by one.
    const byZod = vi.spyOn(StreamEntrySchema, 'safeParse');
    try {
      expect(conforms(footer(500))).toBe(true);
      expect(byZod).not.toHaveBeenCalled();
    } finally {
      byZod.mockRestore();
    }
  });

  it('never says yes where zod says no or would give back something else, whatever is damaged', () => {
    const { tried, refused } = damageEverywhere(footer, FooterSchema, conforms, [
      ...replacements,
      'g'.repeat(64),
      '2026-12-01 10:00',
      'extra-key',
      'both',
    ]);
    expect(tried).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(tried / 2);
    // A stream with neither digest: the refinement says no.
    const neither = footer();
    delete (neither.manifest.streams[0] as { blake3?: string }).blake3;
    expect(conforms(neither)).toBe(false);
    expect(FooterSchema.safeParse(neither).success).toBe(false);
  });

  it('never takes a value zod would change (defaults, transforms) as it stands', () => {
    const check = conformer(z.object({ a: z.string().default('x'), b: z.string().transform((s) => s) }));
    expect(check({ a: 'y', b: 'z' })).toBe(false);
    expect(check({ b: 'z' })).toBe(false);
    // zod judges a superRefine, but strips the unknown key: the value is not what zod gives back.
    const judged = conformer(z.object({ a: z.number() }).superRefine(() => {}));
    expect(judged({ a: 1 })).toBe(true);
    expect(judged({ a: 1, extra: 2 })).toBe(false);
  });
});

describe('parsePostgresSchema with thousands of tables', () => {
  it('uses a valid section’s objects as they are, with lists of its own', async () => {
    const raw = section(3000);
    const parsed = await parsePostgresSchema(raw);
    expect(parsed.objects[4500]).toBe(raw.objects[4500]);
    expect(parsed.tables[2999]).toBe(raw.tables[2999]);
    expect(parsed.objects).not.toBe(raw.objects);
    parsed.objects.length = 0;
    expect(raw.objects).toHaveLength(6001);
  });

  it('refuses a damaged or hostile object deep in the list, naming where', async () => {
    const cases: [string, (s: ReturnType<typeof section>) => void, string][] = [
      [
        'a wrong kind',
        (s) => Object.assign(s.objects[1321] as object, { kind: 'rootkit' }),
        'objects.1321.kind',
      ],
      [
        'a statement that is not text',
        (s) => Object.assign(s.objects[17] as object, { sql: [{}] }),
        'objects.17.sql.0',
      ],
      [
        'a table without streams',
        (s) => Object.assign(s.tables[900] as object, { streams: [] }),
        'tables.900.streams',
      ],
      ['an object that is null', (s) => (s.objects[99] = null), 'objects.99'],
    ];
    for (const [what, damage, path] of cases) {
      const raw = section(1000);
      damage(raw);
      let error: unknown;
      try {
        await parsePostgresSchema(raw);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(StowageError);
      expect((error as StowageError).code, what).toBe('corrupt-schema');
      expect((error as StowageError).message, what).toContain(
        `PostgreSQL schema section is damaged: ${path}`,
      );
    }
  });

  it('drops keys it does not know, as zod does', async () => {
    const text = JSON.stringify(section(2)).replace(
      '"id":"table:public.t0"',
      '"__proto__":{"polluted":true},"extra":"x","id":"table:public.t0"',
    );
    const parsed = await parsePostgresSchema(JSON.parse(text));
    expect(parsed.objects[1]).not.toHaveProperty('extra');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the stand-in: the same checks without zod (lazy-schemas.ts)', () => {
  const footerReplacements = [...replacements, 'g'.repeat(64), '2026-12-01 10:00', 'extra-key', 'both'];

  it('describes every schema the backup and restore paths declare (a zod method it lacks fails here)', async () => {
    // The stand-in is typed as zod's z, so a schema using a method it does not have compiles, and
    // would only throw at the first check of a real run.
    const all: [string, { load(): Promise<object>; conforms(name: never): unknown }][] = [
      ['manifest', manifestSchemas],
      ['postgres', postgresSchemas],
      ['run record', runRecordSchemas],
      ['claim', claimSchemas],
      ['s3 options', s3OptionSchemas],
    ];
    let described = 0;
    for (const [what, schemas] of all) {
      for (const name of Object.keys(await schemas.load())) {
        expect(() => schemas.conforms(name as never), `${what}: ${name}`).not.toThrow();
        described++;
      }
    }
    expect(described).toBeGreaterThan(10);
  });

  it('takes a valid footer and schema section as they stand', () => {
    expect(manifestSchemas.conforms('Footer')(footer(50))).toBe(true);
    expect(postgresSchemas.conforms('PostgresSchemaSchema')(section(50))).toBe(true);
  });

  it('says what the check built from the zod schema says, whatever is damaged', () => {
    const footers = damageEverywhere(
      footer,
      FooterSchema,
      manifestSchemas.conforms('Footer'),
      footerReplacements,
      conformer(FooterSchema),
    );
    expect(footers.tried).toBeGreaterThan(1000);
    const sections = damageEverywhere(
      section,
      PostgresSchemaSchema,
      postgresSchemas.conforms('PostgresSchemaSchema'),
      [...replacements, 'extra-key'],
      conformer(PostgresSchemaSchema),
    );
    expect(sections.refused).toBeGreaterThan(sections.tried / 2);
  });

  it('takes the datetimes zod takes, and no other', () => {
    const zodDatetime = z.iso.datetime();
    const days = ['01', '09', '10', '28', '29', '30', '31', '32', '00', '1'];
    const months = ['01', '02', '04', '09', '11', '12', '13', '00'];
    const years = ['2026', '2024', '2000', '1900', '2100', '2400', '0000', '0004', '9999', '226'];
    const times = ['T10:00:00Z', 'T23:59:59.999999Z', 'T24:00:00Z', 'T10:60:00Z', 'T10:00:60Z', 'T10:00Z'];
    const odd = ['T10:00:00', 'T10:00:00+01:00', 't10:00:00z', ' 10:00:00Z', 'T10:00:00.Z', 'T10:00:00.5Z\n'];
    let checked = 0;
    for (const y of years)
      for (const m of months)
        for (const d of days)
          for (const t of [...times, ...odd]) {
            const value = `${y}-${m}-${d}${t}`;
            expect(isIsoDatetime(value), value).toBe(zodDatetime.safeParse(value).success);
            checked++;
          }
    for (const value of [undefined, 7, '', 'yesterday', new Date()])
      expect(isIsoDatetime(value)).toBe(zodDatetime.safeParse(value).success);
    expect(checked).toBeGreaterThan(9000);
  });

  it('checks claims, run records and store options as zod does', async () => {
    const { ClaimOwner } = await claimSchemas.load();
    const { RunRecord } = await runRecordSchemas.load();
    const { Options: S3Options } = await s3OptionSchemas.load();
    const cases: [(v: unknown) => boolean, z.ZodType, unknown[]][] = [
      [
        claimSchemas.conforms('ClaimOwner'),
        ClaimOwner,
        [
          { pid: 7, host: 'h', startedAt: '2026-12-01T10:00:00.000Z' },
          { pid: 0, host: 'h', startedAt: '2026-12-01T10:00:00.000Z' },
          { pid: 7.5, host: 'h', startedAt: '2026-12-01T10:00:00.000Z' },
          { pid: 7, host: 'h', startedAt: '2026-02-30T10:00:00.000Z' },
          { pid: 7, host: 'h' },
        ],
      ],
      [
        runRecordSchemas.conforms('RunRecord'),
        RunRecord,
        [
          {
            database: 'shop',
            status: 'success',
            startedAt: '2026-12-01T10:00:00Z',
            finishedAt: '2026-12-01T10:01:00Z',
            bytes: 10,
          },
          {
            database: 'shop',
            status: 'failed',
            startedAt: '2026-12-01T10:00:00Z',
            finishedAt: '2026-12-01T10:01:00Z',
          },
          { database: 'shop', status: 'failure', startedAt: '2026-12-01T10:00:00Z', finishedAt: 'now' },
          {
            database: 'shop',
            status: 'failure',
            startedAt: '2026-12-01T10:00:00Z',
            finishedAt: '2026-12-01T10:01:00Z',
            bytes: -1,
          },
        ],
      ],
      [
        s3OptionSchemas.conforms('Options'),
        S3Options,
        [
          {},
          {
            endpoint: 'http://m:9000',
            forcePathStyle: true,
            serverSideEncryption: 'aws:kms',
            partSizeMiB: 5.5,
          },
          { serverSideEncryption: 'rot13' },
          { partSizeMiB: 4 },
          { queueSize: 17 },
          { queueSize: 2.5 },
          { endpont: 'http://typo' },
          { forcePathStyle: 'yes' },
        ],
      ],
    ];
    for (const [conforms, schema, values] of cases)
      for (const value of values) {
        const zod = schema.safeParse(value);
        expect(conforms(value), JSON.stringify(value)).toBe(zod.success);
      }
  });

  it('gives a manifest written without zod its keys in the order zod gave them (formatVersion first)', async () => {
    const { manifest } = footer(3);
    const shuffled = Object.fromEntries(Object.entries(manifest).reverse());
    const written = await manifestSchemas.parseInOrder('Manifest', shuffled);
    expect(JSON.stringify(written)).toBe(
      JSON.stringify((await manifestSchemas.load()).Manifest.parse(shuffled)),
    );
    expect(Object.keys(written)[0]).toBe('formatVersion');
  });

  it('orders nested objects (stream entries, the chain mark) as zod does, and copies arrays and objects as zod does', async () => {
    const { manifest } = footer(5);
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
    const shuffled = {
      ...reversed(manifest),
      streams: manifest.streams.map(reversed),
      chain: reversed({ id: 'c', feedId: 'f', role: 'base', sequence: 0, after: '0/1', transactions: 0 }),
    };
    const written = await manifestSchemas.parseInOrder('Manifest', shuffled);
    const parsed = (await manifestSchemas.load()).Manifest.parse(shuffled);
    expect(JSON.stringify(written)).toBe(JSON.stringify(parsed));
    expect(Object.keys(written.streams[1]!)).toEqual([
      'name',
      'items',
      'rawBytes',
      'storedBytes',
      'sha256',
      'frames',
    ]);
    // New arrays and objects where zod makes them; records and the unknown schema are the caller's own.
    expect(written.streams).not.toBe(shuffled.streams);
    expect(written.streams[0]).not.toBe(shuffled.streams[0]);
    expect(written.warnings).not.toBe(manifest.warnings);
    expect(written.schema).toBe(manifest.schema);
  });
});
