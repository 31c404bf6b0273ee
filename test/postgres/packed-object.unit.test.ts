import { describe, expect, it } from 'vitest';
import { JsonAssembler } from '../../src/archive/json-assembler.js';
import { packFooterObjects } from '../../src/engines/postgres/footer-objects.js';
import { type PgObject, parsePostgresSchema } from '../../src/engines/postgres/model.js';
import { PackedPgObject, packObjects, withChanges } from '../../src/engines/postgres/packed-object.js';

/** Objects as the footer's JSON gives them, with every optional field somewhere. */
function archivedObjects(): PgObject[] {
  return JSON.parse(
    JSON.stringify([
      {
        id: 'schema:s',
        kind: 'schema',
        section: 'pre-data',
        schema: null,
        name: 's',
        sql: ['CREATE SCHEMA s'],
        drop: 'DROP SCHEMA s',
        owner: ['ALTER SCHEMA s OWNER TO "ø wner"'],
        acl: [],
        deps: [],
      },
      {
        id: 'table:s.t',
        kind: 'table',
        section: 'pre-data',
        schema: 's',
        name: 't',
        relation: { schema: 's', name: 't' },
        sql: ["CREATE TABLE s.t (id integer, note text DEFAULT '😀')"],
        drop: 'DROP TABLE s.t',
        owner: ['ALTER TABLE s.t OWNER TO bob'],
        acl: ['GRANT SELECT ON TABLE s.t TO alice', 'REVOKE ALL ON TABLE s.t FROM PUBLIC'],
        deps: ['schema:s'],
      },
      {
        id: 'index:s.t_i',
        kind: 'index',
        section: 'post-data',
        schema: 's',
        name: 't_i',
        relation: { schema: 's', name: 't' },
        sql: ['CREATE INDEX t_i ON s.t (id)'],
        deps: ['table:s.t'],
        lock: 'share',
      },
      {
        id: 'foreign-key:s.t.fk',
        kind: 'foreign-key',
        section: 'post-data',
        schema: 's',
        name: 'fk',
        relation: { schema: 's', name: 't' },
        references: [{ schema: 's', name: 't' }],
        sql: ['ALTER TABLE ONLY s.t ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES s.t(id)'],
        drop: 'ALTER TABLE s.t DROP CONSTRAINT fk',
        deps: ['table:s.t'],
        lock: 'exclusive',
      },
      {
        id: 'user-mapping:bob@srv',
        kind: 'user-mapping',
        section: 'pre-data',
        schema: null,
        name: 'bob@srv',
        sql: ["CREATE USER MAPPING FOR bob SERVER srv OPTIONS (password 'x')"],
        roles: ['bob'],
        deps: [],
        secret: true,
      },
    ]),
  ) as PgObject[];
}

function schemaWith(objects: unknown[]) {
  return {
    format: 'stowage-postgres',
    version: 2,
    server: { version: '15.0', versionNum: 150000 },
    database: { name: 'd', encoding: 'UTF8' },
    contents: 'full',
    objects,
    tables: [],
    sequences: [],
    partitions: [],
  };
}

describe('packed schema objects', () => {
  it('read as the objects they were packed from, and give the same JSON', () => {
    const plain = archivedObjects();
    const texts = JSON.stringify(plain);
    const packed = archivedObjects();
    packObjects(packed);
    for (let i = 0; i < plain.length; i++) {
      const o = packed[i]!;
      expect(o).toBeInstanceOf(PackedPgObject);
      for (const key of Object.keys(plain[i]!) as (keyof PgObject)[]) expect(o[key]).toEqual(plain[i]![key]);
      // Absent fields read as absent.
      if (!('drop' in plain[i]!)) expect(o.drop).toBeUndefined();
      if (!('owner' in plain[i]!)) expect(o.owner).toBeUndefined();
    }
    expect(JSON.stringify(packed)).toBe(texts);
  });

  it('keep no id of the usual form kind:schema.name (derived when read) and kind, section, lock and secret as one number', () => {
    const packed = archivedObjects();
    const odd = { ...archivedObjects()[1]!, id: 'table:s.other', name: 't' };
    packed.push(odd);
    packObjects(packed);
    const [schema, table] = packed;
    expect(table!.id).toBe('table:s.t');
    expect(Object.values(table!)).not.toContain('table:s.t');
    expect(schema!.id).toBe('schema:s');
    expect(packed.at(-1)!.id).toBe('table:s.other');
    // A change of name keeps the id it had.
    expect(withChanges(table!, { name: 'u' }).id).toBe('table:s.t');
    expect(JSON.parse(JSON.stringify(withChanges(table!, { name: 'u' })))).toMatchObject({
      id: 'table:s.t',
      name: 'u',
    });
    // Kind, section, lock and secret are kept as one number: every value reads back.
    const flagged = withChanges(table!, {
      kind: 'index',
      section: 'post-data',
      lock: 'share',
      secret: false,
    });
    expect([flagged.kind, flagged.section, flagged.lock, flagged.secret]).toEqual([
      'index',
      'post-data',
      'share',
      false,
    ]);
    expect(JSON.parse(JSON.stringify(flagged))).toMatchObject({ lock: 'share', secret: false });
    expect('secret' in JSON.parse(JSON.stringify(table))).toBe(false);
  });

  it('share the dependency lists and relation references that are equal', () => {
    const packed = archivedObjects();
    packObjects(packed);
    const [, table, index, foreignKey] = packed;
    expect(index!.deps).toBe(foreignKey!.deps);
    expect(index!.relation).toBe(table!.relation);
    expect(foreignKey!.references![0]).toBe(table!.relation);
  });

  it('change into new packed objects that keep the statements not changed; a statement cannot be assigned', () => {
    const packed = archivedObjects();
    packObjects(packed);
    const table = packed[1]!;
    const changed = withChanges(table, { sql: ['CREATE TABLE s.t (id integer)'] });
    expect(changed).toBeInstanceOf(PackedPgObject);
    expect(changed.sql).toEqual(['CREATE TABLE s.t (id integer)']);
    // What a spread would have lost:
    expect(changed.owner).toEqual(table.owner);
    expect(changed.acl).toEqual(table.acl);
    expect(changed.drop).toBe('DROP TABLE s.t');
    expect(table.sql).toEqual(archivedObjects()[1]!.sql);
    expect(withChanges(table, { acl: undefined }).acl).toBeUndefined();
    expect(() => {
      (table as { sql: string[] }).sql = [];
    }).toThrow(TypeError);
  });

  it('are packed one by one as the footer is parsed, and the schema check takes them as they are', async () => {
    const footer = { manifest: { engine: 'postgres', schema: schemaWith(archivedObjects()) } };
    const text = Buffer.from(JSON.stringify(footer));
    const json = new JsonAssembler(packFooterObjects);
    for (let at = 0; at < text.length; at += 13) json.write(text.subarray(at, at + 13));
    const read = json.end() as typeof footer;
    const objects = read.manifest.schema.objects;
    expect(objects.every((o) => o instanceof PackedPgObject)).toBe(true);
    const schema = await parsePostgresSchema(read.manifest.schema);
    expect(schema.objects).toEqual(objects);
    expect(JSON.stringify(read)).toBe(JSON.stringify(footer));
  });

  it('packs a schema parsed whole in its own list, so the caller keeps no unpacked copy', async () => {
    const value = schemaWith(archivedObjects());
    const schema = await parsePostgresSchema(value);
    expect(value.objects.every((o) => o instanceof PackedPgObject)).toBe(true);
    expect(schema.objects).not.toBe(value.objects);
    expect(schema.objects[1]).toBe(value.objects[1]);
  });

  it('leaves a damaged object unpacked as the footer is read, and the check then names what is wrong', async () => {
    const objects: unknown[] = archivedObjects();
    (objects[2] as { sql: unknown }).sql = 'CREATE INDEX not in a list';
    const text = Buffer.from(JSON.stringify({ manifest: { schema: schemaWith(objects) } }));
    const json = new JsonAssembler(packFooterObjects);
    json.write(text);
    const read = json.end() as { manifest: { schema: { objects: unknown[] } } };
    expect(read.manifest.schema.objects[2]).not.toBeInstanceOf(PackedPgObject);
    expect(read.manifest.schema.objects[1]).toBeInstanceOf(PackedPgObject);
    await expect(parsePostgresSchema(read.manifest.schema)).rejects.toThrow(
      /schema section is damaged: objects\.2\.sql/,
    );
  });

  it("leaves other lists, and other engines' schemas, as parsed", () => {
    const text = JSON.stringify({
      manifest: {
        schema: { format: 'stowage-mongodb', objects: [{ id: 'x', sql: [] }] },
        streams: [{ name: 'a' }],
      },
    });
    const json = new JsonAssembler(packFooterObjects);
    json.write(Buffer.from(text));
    expect(JSON.stringify(json.end())).toBe(text);
  });
});
