import { PackedTexts } from '../../../archive/packed-texts.js';
import { OBJECT_KINDS, type ObjectKind, SECTIONS, type Section } from '../model.js';
import { IdNames } from './id-names.js';

/** Numbers grown by doubling, read back by position. */
class GrowingArray<A extends Int32Array | Uint32Array | Float64Array | Uint8Array> {
  array: A;
  length = 0;
  constructor(private readonly make: (size: number) => A) {
    this.array = make(1024);
  }

  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = this.make(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }
}

/** Runs of numbers, one run per packed object (its deps' names, its catalog keys). */
class Runs<A extends Int32Array | Float64Array> {
  private readonly values: GrowingArray<A>;
  private readonly starts = new GrowingArray((size) => new Int32Array(size));
  constructor(make: (size: number) => A) {
    this.values = new GrowingArray(make);
    this.starts.push(0);
  }

  /** Ends the current run: the next object's values follow. */
  close(): void {
    this.starts.push(this.values.length);
  }

  push(value: number): void {
    this.values.push(value);
  }

  from(b: number): number {
    return this.starts.array[b]!;
  }
  to(b: number): number {
    return this.starts.array[b + 1]!;
  }
  at(k: number): number {
    return this.values.array[k]!;
  }
}

/**
 * The schema objects of a catalog of thousands of relations, packed as their readers build them
 * (packed-object.ts): each object's JSON text (less its deps) in a {@link PackedTexts}, and what
 * resolving and ordering need as numbers in typed arrays, by the order the objects were packed
 * in (`b`): its id as a name ({@link IdNames}), kind, section, the names its own deps give, its
 * catalog keys and the ids of the tables it references. With 20,000 tables these were 100,000
 * objects of eleven fields, 200,000 strings and 220,000 lists (~39 MB of the heap while the
 * catalog is read and ordered); as numbers they are ~10 MiB outside it.
 */
export class PackedCatalog {
  readonly texts = new PackedTexts();
  readonly names = new IdNames();
  /** Objects packed so far. */
  count = 0;
  private readonly textAt = new GrowingArray((size) => new Float64Array(size));
  private readonly before = new GrowingArray((size) => new Int32Array(size));
  private readonly after = new GrowingArray((size) => new Int32Array(size));
  private readonly idNames = new GrowingArray((size) => new Int32Array(size));
  private readonly kinds = new GrowingArray((size) => new Uint8Array(size));
  /** The section written in the text, and the one the object has now (ordering may move it). */
  private readonly packedSections = new GrowingArray((size) => new Uint8Array(size));
  private readonly sections = new GrowingArray((size) => new Uint8Array(size));
  readonly ownDeps = new Runs((size) => new Int32Array(size));
  readonly keys = new Runs((size) => new Float64Array(size));
  /** Names of `table:schema.name` for each relation the object references (a foreign key's). */
  readonly references = new Runs((size) => new Int32Array(size));
  /** Each object's deps once resolved (see {@link resolve}), by `b`; else its own deps are its deps. */
  private resolvedDeps: Runs<Int32Array> | undefined;

  /**
   * Adds an object: `text` is its JSON with its deps written `[]`, `depsAt` where those two
   * characters are in it. Returns its number, `b`.
   */
  add(
    text: string,
    depsAt: number,
    id: string,
    kind: ObjectKind,
    section: Section,
    deps: readonly string[],
    keys: readonly number[],
    references: readonly { schema: string; name: string }[] | undefined,
  ): number {
    const b = this.count++;
    this.textAt.push(this.texts.size);
    this.before.push(this.texts.add(text.slice(0, depsAt)));
    this.after.push(this.texts.add(text.slice(depsAt + 2)));
    this.idNames.push(this.names.intern(id));
    this.kinds.push(KIND_CODE.get(kind)!);
    this.packedSections.push(SECTION_CODE[section]);
    this.sections.push(SECTION_CODE[section]);
    for (let i = 0; i < deps.length; i++) this.ownDeps.push(this.names.intern(deps[i]!));
    this.ownDeps.close();
    for (let i = 0; i < keys.length; i++) this.keys.push(keys[i]!);
    this.keys.close();
    for (let i = 0; references && i < references.length; i++)
      this.references.push(this.names.intern(`table:${references[i]!.schema}.${references[i]!.name}`));
    this.references.close();
    return b;
  }

  idName(b: number): number {
    return this.idNames.array[b]!;
  }
  id(b: number): string {
    return this.names.text(this.idNames.array[b]!);
  }
  kind(b: number): ObjectKind {
    return OBJECT_KINDS[this.kinds.array[b]!]!;
  }
  section(b: number): Section {
    return SECTIONS[this.sections.array[b]!]!;
  }
  setSection(b: number, section: Section): void {
    this.sections.array[b] = SECTION_CODE[section];
  }
  /** Whether the object is in the section its text says. */
  sectionAsPacked(b: number): boolean {
    return this.sections.array[b] === this.packedSections.array[b];
  }
  packedSection(b: number): Section {
    return SECTIONS[this.packedSections.array[b]!]!;
  }

  /** Where the object's text is: its start, the bytes before its deps' place and after. */
  textOf(b: number): { at: number; before: number; after: number } {
    return { at: this.textAt.array[b]!, before: this.before.array[b]!, after: this.after.array[b]! };
  }

  /** The object's deps as texts: resolved when they were, else its own. */
  depTexts(b: number): string[] {
    const runs = this.resolvedDeps ?? this.ownDeps;
    const out = new Array<string>(runs.to(b) - runs.from(b));
    for (let k = runs.from(b), i = 0; k < runs.to(b); k++, i++) out[i] = this.names.text(runs.at(k));
    return out;
  }

  /** The object's catalog keys. */
  keyList(b: number): number[] {
    const out: number[] = [];
    for (let k = this.keys.from(b); k < this.keys.to(b); k++) out.push(this.keys.at(k));
    return out;
  }

  /**
   * Sets every object's resolved deps at once: `depsOf(b)` gives object `b`'s names in order
   * (called once per object, in order of `b`).
   */
  resolve(depsOf: (b: number, push: (name: number) => void) => void): void {
    const runs = new Runs((size) => new Int32Array(size));
    const push = (name: number) => runs.push(name);
    for (let b = 0; b < this.count; b++) {
      depsOf(b, push);
      runs.close();
    }
    this.resolvedDeps = runs;
  }
}

const KIND_CODE = new Map<ObjectKind, number>(OBJECT_KINDS.map((kind, i) => [kind, i]));
const SECTION_CODE: Record<Section, number> = Object.fromEntries(SECTIONS.map((s, i) => [s, i])) as Record<
  Section,
  number
>;
