import { JSON_TEXT } from '../../../archive/json-pieces.js';
import type { PackedTexts } from '../../../archive/packed-texts.js';
import type { ObjectKind, PgObject, RelationRef, Section } from '../model.js';
import type { CatalogObject } from './context.js';

/** Where the deps go in an object's JSON as packed: the one top-level key written empty. */
const DEPS_MARK = '"deps":[]';
const EMPTY: string[] = [];

/**
 * A schema object whose JSON text waits in a {@link PackedTexts} while the catalog is
 * resolved and ordered: what that needs (`id`, `kind`, `section`, `deps`, `keys`,
 * `references`) are fields; every other field of the object is read from the text
 * (unpacked on each read: only a rare path, a warning about an object left out, asks).
 * The text is the object's JSON with its deps left empty, in two runs (before and after
 * them), so deps added while resolving and a section moved by ordering are written as
 * they are at the end: the JSON is the object's as if it had never been packed.
 */
export class PackedObject {
  constructor(
    private readonly store: PackedTexts,
    /** Where the text starts in `store`; its bytes before the deps' place, and after. */
    private readonly at: number,
    private readonly before: number,
    private readonly after: number,
    /** The section written in the text (ordering may move the object to post-data). */
    private readonly packedSection: Section,
    public id: string,
    public kind: ObjectKind,
    public section: Section,
    public deps: string[],
    public keys: number[] | undefined,
    public references: RelationRef[] | undefined,
  ) {}

  /** The object's JSON text: UTF-8 parts valid until the next is asked for, and the deps as a string. */
  *[JSON_TEXT](): Generator<Buffer | string> {
    if (this.section !== this.packedSection) yield this.head();
    else yield* this.store.bytes(this.at, this.before);
    yield JSON.stringify(this.deps);
    yield* this.store.bytes(this.at + this.before, this.after);
  }

  /** The object as it would be had it never been packed (a new copy each call). */
  unpacked(): PgObject {
    const text = `${this.head()}${JSON.stringify(this.deps)}${this.store.text(this.at + this.before, this.after)}`;
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
    const head = this.store.text(this.at, this.before);
    if (this.section === this.packedSection) return head;
    // The first `"section":` in the text is the key: inside a JSON string every quote is escaped.
    return head.replace(
      `"section":${JSON.stringify(this.packedSection)}`,
      `"section":${JSON.stringify(this.section)}`,
    );
  }
}

/**
 * `object` packed into `store` as a {@link PackedObject}, or `object` itself when resolving
 * the catalog may rewrite its statements or read its other fields: one with detachable parts
 * or a shell (cycles.ts), a refresh (depend.ts names its view from them).
 */
export function packObject(store: PackedTexts, object: CatalogObject): CatalogObject {
  if (object instanceof PackedObject || object.detachable || object.shell || object.kind === 'refresh')
    return object;
  const { deps, keys, references } = object;
  // The stored object has no keys (read-catalog.ts `stored`); deps are written at the end.
  const bare = object as Partial<CatalogObject>;
  bare.deps = EMPTY;
  bare.keys = undefined;
  const text = JSON.stringify(object);
  const mark = text.indexOf(DEPS_MARK);
  if (mark < 0) throw new Error(`object ${object.id} has no deps in its JSON`);
  const at = store.size;
  const before = store.add(text.slice(0, mark + DEPS_MARK.length - 2));
  const after = store.add(text.slice(mark + DEPS_MARK.length));
  const packed = new PackedObject(
    store,
    at,
    before,
    after,
    object.section,
    object.id,
    object.kind,
    object.section,
    deps,
    keys,
    references,
  );
  return packed as unknown as CatalogObject;
}

/** `object` as a plain object: a packed one unpacked. */
export function unpackedObject(object: PgObject): PgObject {
  return object instanceof PackedObject ? object.unpacked() : object;
}
