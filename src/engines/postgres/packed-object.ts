import { PackedStrings } from '../../archive/packed-strings.js';
import { LOCK_MODES } from '../../scheduler/scheduler.js';
import { pairPool } from './archived-strings.js';
import {
  OBJECT_KINDS,
  type ObjectKind,
  type PgObject,
  type RelationRef,
  SECTIONS,
  type Section,
} from './model.js';
import { stringPool } from './string-pool.js';

/** The statement lists of an object in its group of {@link PackedStrings} (`drop` is a list of one). */
const SQL = 0;
const OWNER = 1;
const ACL = 2;
const DROP = 3;

/**
 * An archived schema object as a restore keeps it: what planning reads on
 * every object (id, kind, section, names, relation, dependencies, lock) as
 * values, and its statements (`sql`, `owner`, `acl`, `drop`), the bulk of the
 * schema, packed outside V8's heap in the schema's {@link PackedStrings},
 * unpacked each time they are read. At 20,000 tables the parsed schema was
 * ~80 MB of heap and V8 kept nearly twice that committed; the statements alone
 * were ~20 MB of strings in ~300,000 arrays (docs/BENCHMARKS.md, session 16).
 *
 * It reads as the {@link PgObject} it was made from, and `JSON.stringify`
 * gives that object's JSON (keys in the schema's order). The statements cannot
 * be assigned: a changed object is a new one ({@link withChanges}), as the
 * restore's changes always made. A spread (`{ ...o }`) would lose the
 * statements: use {@link withChanges}.
 */
export class PackedPgObject implements PgObject {
  /**
   * The id where it is not the usual `kind:schema.name` (which {@link id} derives): at 20,000
   * tables ~75,000 id strings, ~3.7 MB, held through the restore.
   */
  private readonly ownId: string | undefined;
  /** `kind`, `section`, `lock` and `secret` as one small number (see {@link flagsOf}): three fields fewer per object. */
  private readonly flags: number;
  schema: string | null;
  name: string;
  relation: RelationRef | undefined;
  references: RelationRef[] | undefined;
  roles: string[] | undefined;
  deps: string[];

  constructor(
    o: Omit<PgObject, 'sql' | 'owner' | 'acl' | 'drop'>,
    private readonly texts: PackedStrings,
    private readonly entry: number,
  ) {
    this.ownId = o.schema !== null && o.id === usualId(o.kind, o.schema, o.name) ? undefined : o.id;
    this.flags = flagsOf(o);
    this.schema = o.schema;
    this.name = o.name;
    this.relation = o.relation;
    this.references = o.references;
    this.roles = o.roles;
    this.deps = o.deps;
  }

  get kind(): ObjectKind {
    return OBJECT_KINDS[this.flags >> KIND_SHIFT] as ObjectKind;
  }

  get section(): Section {
    return SECTIONS[(this.flags >> SECTION_SHIFT) & 1] as Section;
  }

  get lock(): PgObject['lock'] {
    const lock = (this.flags >> LOCK_SHIFT) & 3;
    return lock === 0 ? undefined : LOCK_MODES[lock - 1];
  }

  get secret(): boolean | undefined {
    const secret = this.flags & 3;
    return secret === 0 ? undefined : secret === 2;
  }

  get id(): string {
    return this.ownId ?? usualId(this.kind, this.schema as string, this.name);
  }

  get sql(): string[] {
    return this.texts.get(this.entry, SQL) as string[];
  }

  get owner(): string[] | undefined {
    return this.texts.get(this.entry, OWNER);
  }

  get acl(): string[] | undefined {
    return this.texts.get(this.entry, ACL);
  }

  get drop(): string | undefined {
    return this.texts.get(this.entry, DROP)?.[0];
  }

  /** This object with `changes`, packed in the same store (statements changed are added to it). */
  with(changes: Partial<PgObject>): PackedPgObject {
    const statementsChange = 'sql' in changes || 'owner' in changes || 'acl' in changes || 'drop' in changes;
    const entry = statementsChange
      ? packStatements(this.texts, { ...plainStatements(this), ...pickStatements(changes) })
      : this.entry;
    return new PackedPgObject({ ...this.values(), ...changes }, this.texts, entry);
  }

  /** The object as plain values, statements unpacked, absent fields left out (as the archive has them). */
  toJSON(): PgObject {
    const o = this.values();
    const { sql, owner, acl, drop } = plainStatements(this);
    // The archive's key order (model.ts), so the text is the archived object's.
    return dropUndefined({
      id: o.id,
      kind: o.kind,
      section: o.section,
      schema: o.schema,
      name: o.name,
      relation: o.relation,
      references: o.references,
      sql,
      drop,
      owner,
      acl,
      roles: o.roles,
      deps: o.deps,
      lock: o.lock,
      secret: o.secret,
    }) as PgObject;
  }

  private values(): Omit<PgObject, 'sql' | 'owner' | 'acl' | 'drop'> {
    return {
      id: this.id,
      kind: this.kind,
      section: this.section,
      schema: this.schema,
      name: this.name,
      relation: this.relation,
      references: this.references,
      roles: this.roles,
      deps: this.deps,
      lock: this.lock,
      secret: this.secret,
    };
  }
}

/** Where {@link PackedPgObject}'s flags keep each field: secret in bits 0–1, lock 2–3, section 4, kind from 5. */
const LOCK_SHIFT = 2;
const SECTION_SHIFT = 4;
const KIND_SHIFT = 5;

function flagsOf(o: Pick<PgObject, 'kind' | 'section' | 'lock' | 'secret'>): number {
  const kind = OBJECT_KINDS.indexOf(o.kind);
  const section = SECTIONS.indexOf(o.section);
  // Refused by the schema check before objects are packed; a plain error should one come here.
  if (kind < 0 || section < 0)
    throw new Error(`cannot pack a schema object of kind ${o.kind} in ${o.section}`);
  const lock = o.lock === undefined ? 0 : LOCK_MODES.indexOf(o.lock) + 1;
  const secret = o.secret === undefined ? 0 : o.secret ? 2 : 1;
  return (kind << KIND_SHIFT) | (section << SECTION_SHIFT) | (lock << LOCK_SHIFT) | secret;
}

/** The id most objects have (introspect/*.ts), which an object need not keep. */
function usualId(kind: ObjectKind, schema: string, name: string): string {
  return `${kind}:${schema}.${name}`;
}

type Statements = Pick<PgObject, 'sql' | 'owner' | 'acl' | 'drop'>;

function plainStatements(o: Statements): Statements {
  return { sql: o.sql, owner: o.owner, acl: o.acl, drop: o.drop };
}

function pickStatements(changes: Partial<PgObject>): Partial<Statements> {
  const picked: Partial<Statements> = {};
  if ('sql' in changes) picked.sql = changes.sql;
  if ('owner' in changes) picked.owner = changes.owner;
  if ('acl' in changes) picked.acl = changes.acl;
  if ('drop' in changes) picked.drop = changes.drop;
  return picked;
}

function packStatements(texts: PackedStrings, s: Statements): number {
  return texts.add([s.sql, s.owner, s.acl, s.drop === undefined ? undefined : [s.drop]]);
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

/**
 * `o` with `changes`: a {@link PackedPgObject} stays one (a spread would lose
 * its statements), a plain object is spread.
 */
export function withChanges<T extends PgObject>(o: T, changes: Partial<PgObject>): T {
  return (o instanceof PackedPgObject ? o.with(changes) : { ...o, ...changes }) as T;
}

/**
 * Packs the objects of one archived schema, one at a time, into one store,
 * with their repeated values made one value each (as archived-strings.ts does
 * for plain objects): kinds, sections and schema names, dependency ids (the
 * id of the object named), relation references, and whole dependency lists (a
 * table's index, constraint, foreign key and default all name just it).
 * Dependency lists are shared: they are read-only from here on.
 */
export class ObjectPacker {
  readonly texts = new PackedStrings();
  private readonly text = stringPool();
  private readonly ids = stringPool();
  private readonly relation = pairPool<RelationRef>(this.text, 'schema', 'name');
  /** By their ids joined with NUL, which no PostgreSQL name holds: one key per list. */
  private readonly depLists = new Map<string, string[]>();

  pack(o: PgObject): PackedPgObject {
    const deps = o.deps;
    for (let j = 0; j < deps.length; j++) deps[j] = this.ids(deps[j]!);
    const references = o.references;
    for (let j = 0; references && j < references.length; j++) references[j] = this.relation(references[j]!);
    return new PackedPgObject(
      {
        id: this.ids(o.id),
        kind: this.text(o.kind) as ObjectKind,
        section: this.text(o.section) as Section,
        schema: o.schema === null ? null : this.text(o.schema),
        name: o.name,
        relation: o.relation && this.relation(o.relation),
        references,
        roles: o.roles,
        deps: this.sharedDeps(deps),
        lock: o.lock,
        secret: o.secret,
      },
      this.texts,
      packStatements(this.texts, o),
    );
  }

  private sharedDeps(deps: string[]): string[] {
    if (deps.length === 0) return EMPTY_DEPS;
    const key = deps.length === 1 ? deps[0]! : deps.join('\0');
    const known = this.depLists.get(key);
    if (known) return known;
    this.depLists.set(key, deps);
    return deps;
  }
}

/** The one empty dependency list (read-only, as all shared ones). */
const EMPTY_DEPS: string[] = [];

/**
 * Packs `objects` in place (any already packed stay as they are): the list
 * reads as before, its JSON is the same, and the plain objects can go.
 */
export function packObjects(objects: PgObject[]): void {
  const packer = new ObjectPacker();
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    if (!(o instanceof PackedPgObject)) objects[i] = packer.pack(o);
  }
}
