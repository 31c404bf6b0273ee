import { JSON_TEXT } from '../../../archive/json-pieces.js';
import type { ObjectKind, PgObject, RelationRef, Section } from '../model.js';
import type { CatalogObject } from './context.js';
import type { PackedCatalog } from './packed-catalog.js';

/** Where the deps go in an object's JSON as packed: the one top-level key written empty. */
const DEPS_MARK = '"deps":[]';
const EMPTY: string[] = [];

/**
 * A schema object whose JSON text waits in a {@link PackedCatalog} while the catalog is
 * resolved and ordered, with what that needs (id, kind, section, deps, keys, references) as
 * numbers there: the object itself is only its catalog and its number, `b`. The fields read as
 * the object's own (a step that works on objects, not positions, reads them: each read of `id`
 * or `deps` makes its text again, and deps once read are kept as assigned); every other field
 * is read from the text (unpacked on each read: only a rare path, a warning about an object
 * left out, asks). The text is the object's JSON with its deps left empty, in two runs (before
 * and after them), so deps resolved and a section moved by ordering are written as they are at
 * the end: the JSON is the object's as if it had never been packed.
 */
export class PackedObject {
  /** Deps a step working on objects read or assigned (resolve-positions.ts does neither). */
  private assigned: string[] | undefined = undefined;

  constructor(
    private readonly catalog: PackedCatalog,
    /** The object's number in its catalog. */
    readonly b: number,
  ) {}

  get id(): string {
    return this.catalog.id(this.b);
  }
  get kind(): ObjectKind {
    return this.catalog.kind(this.b);
  }
  get section(): Section {
    return this.catalog.section(this.b);
  }
  set section(section: Section) {
    this.catalog.setSection(this.b, section);
  }
  get deps(): string[] {
    this.assigned ??= this.catalog.depTexts(this.b);
    return this.assigned;
  }
  set deps(deps: string[]) {
    this.assigned = deps;
  }
  /** The catalog keys it was packed with (clearing them is a no-op: the schema stores none). */
  get keys(): number[] {
    return this.catalog.keyList(this.b);
  }
  set keys(_keys: number[] | undefined) {}
  get references(): RelationRef[] | undefined {
    const { references } = this.catalog;
    return references.to(this.b) > references.from(this.b) ? this.unpacked().references : undefined;
  }

  /** The object's JSON text: UTF-8 parts valid until the next is asked for, and the deps as a string. */
  *[JSON_TEXT](): Generator<Buffer | string> {
    const { at, before, after } = this.catalog.textOf(this.b);
    if (!this.catalog.sectionAsPacked(this.b)) yield this.head();
    else yield* this.catalog.texts.bytes(at, before);
    yield this.assigned ? JSON.stringify(this.assigned) : this.catalog.depsJson(this.b);
    yield* this.catalog.texts.bytes(at + before, after);
  }

  /** The object as it would be had it never been packed (a new copy each call). */
  unpacked(): PgObject {
    const { at, before, after } = this.catalog.textOf(this.b);
    const deps = JSON.stringify(this.assigned ?? this.catalog.depTexts(this.b));
    const text = `${this.head()}${deps}${this.catalog.texts.text(at + before, after)}`;
    return JSON.parse(text) as PgObject;
  }

  /** For `JSON.stringify`: the object's own JSON. */
  toJSON(): PgObject {
    return this.unpacked();
  }

  get schema(): string | null {
    return this.unpacked().schema;
  }
  get name(): string {
    return this.unpacked().name;
  }
  get relation(): RelationRef | undefined {
    return this.unpacked().relation;
  }
  get sql(): string[] {
    return this.unpacked().sql;
  }
  get drop(): string | undefined {
    return this.unpacked().drop;
  }
  get owner(): string[] | undefined {
    return this.unpacked().owner;
  }
  get acl(): string[] | undefined {
    return this.unpacked().acl;
  }
  get roles(): string[] | undefined {
    return this.unpacked().roles;
  }
  get lock(): PgObject['lock'] {
    return this.unpacked().lock;
  }
  get secret(): boolean | undefined {
    return this.unpacked().secret;
  }

  /** The text before the deps, with the section the object has now. */
  private head(): string {
    const { at, before } = this.catalog.textOf(this.b);
    const head = this.catalog.texts.text(at, before);
    if (this.catalog.sectionAsPacked(this.b)) return head;
    // The first `"section":` in the text is the key: inside a JSON string every quote is escaped.
    return head.replace(
      `"section":${JSON.stringify(this.catalog.packedSection(this.b))}`,
      `"section":${JSON.stringify(this.section)}`,
    );
  }
}

/**
 * `object` packed into `store` as a {@link PackedObject}, or `object` itself when resolving
 * the catalog may rewrite its statements or read its other fields: one with detachable parts
 * or a shell (cycles.ts), a refresh (depend.ts names its view from them).
 */
export function packObject(catalog: PackedCatalog, object: CatalogObject): CatalogObject {
  if (object instanceof PackedObject || object.detachable || object.shell || object.kind === 'refresh')
    return object;
  const { id, kind, section, deps, keys, references } = object;
  // The stored object has no keys (read-catalog.ts `stored`); deps are written at the end.
  const bare = object as Partial<CatalogObject>;
  bare.deps = EMPTY;
  bare.keys = undefined;
  const text = JSON.stringify(object);
  const mark = text.indexOf(DEPS_MARK);
  if (mark < 0) throw new Error(`object ${id} has no deps in its JSON`);
  const b = catalog.add(text, mark + DEPS_MARK.length - 2, id, kind, section, deps, keys, references);
  return new PackedObject(catalog, b) as unknown as CatalogObject;
}

/** `object` as a plain object: a packed one unpacked. */
export function unpackedObject(object: PgObject): PgObject {
  return object instanceof PackedObject ? object.unpacked() : object;
}
