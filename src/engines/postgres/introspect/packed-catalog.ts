import { PackedTexts } from '../../../archive/packed-texts.js';
import { OBJECT_KINDS, type ObjectKind, SECTIONS, type Section } from '../model.js';
import { IdNames } from './id-names.js';

/** Numbers grown by doubling, read back by position. */
class GrowingArray<A extends Int32Array | Uint32Array | Float64Array | Uint8Array> {
  array: A;
  length = 0;
  constructor(
    private readonly make: (size: number) => A,
    size: number,
  ) {
    this.array = make(Math.max(1024, size));
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
  private readonly starts: GrowingArray<Int32Array>;
  constructor(make: (size: number) => A, runs: number, values: number) {
    this.values = new GrowingArray(make, values);
    this.starts = new GrowingArray((size) => new Int32Array(size), runs + 1);
    this.starts.push(0);
  }

  /** Ends the current run: the next object's values follow. */
  close(): void {
    this.starts.push(this.values.length);
  }

  push(value: number): void {
    this.values.push(value);
  }

  /** Values pushed so far. */
  get total(): number {
    return this.values.length;
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
  readonly names: IdNames;
  /** Objects packed so far. */
  count = 0;
  private readonly textAt: GrowingArray<Float64Array>;
  private readonly before: GrowingArray<Int32Array>;
  private readonly after: GrowingArray<Int32Array>;
  private readonly idNames: GrowingArray<Int32Array>;
  private readonly kinds: GrowingArray<Uint8Array>;
  /** The section written in the text, and the one the object has now (ordering may move it). */
  private readonly packedSections: GrowingArray<Uint8Array>;
  private readonly sections: GrowingArray<Uint8Array>;
  /** Let go once the catalog is resolved ({@link resolve}): only resolving reads them. */
  ownDeps: Runs<Int32Array>;
  keys: Runs<Float64Array>;
  /** Names of `table:schema.name` for each relation the object references (a foreign key's). */
  readonly references: Runs<Int32Array>;
  /** Each object's deps once resolved (see {@link resolve}), by `b`; else its own deps are its deps. */
  private resolvedDeps: Runs<Int32Array> | undefined;
  private jsonScratch = Buffer.allocUnsafeSlow(4096);

  /**
   * `expected`: about how many objects will be packed (five a table, as a table with a key, an
   * index, a foreign key and a default has). The arrays start at that size, so they are not
   * grown by doubling, each growth leaving the last array to be collected.
   */
  constructor(expected = 0) {
    const int32 = (size: number) => new Int32Array(size);
    const uint8 = (size: number) => new Uint8Array(size);
    this.names = new IdNames(expected);
    this.textAt = new GrowingArray((size) => new Float64Array(size), expected);
    this.before = new GrowingArray(int32, expected);
    this.after = new GrowingArray(int32, expected);
    this.idNames = new GrowingArray(int32, expected);
    this.kinds = new GrowingArray(uint8, expected);
    this.packedSections = new GrowingArray(uint8, expected);
    this.sections = new GrowingArray(uint8, expected);
    this.ownDeps = new Runs(int32, expected, expected);
    this.keys = new Runs((size) => new Float64Array(size), expected, expected * 2);
    this.references = new Runs(int32, expected, expected / 5);
  }

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

  /**
   * The object's deps as JSON (`["schema:app","table:app.t"]`): UTF-8 bytes in a buffer filled
   * again by the next call, made from the names' bytes without a string each; a list with a
   * name JSON escapes comes as a string.
   */
  depsJson(b: number): Buffer | string {
    const runs = this.resolvedDeps ?? this.ownDeps;
    const { names } = this;
    let size = 2;
    for (let k = runs.from(b); k < runs.to(b); k++) {
      const name = runs.at(k);
      if (!names.plainInJson(name)) return JSON.stringify(this.depTexts(b));
      size += names.byteLength(name) + 3;
    }
    if (size > this.jsonScratch.length) this.jsonScratch = Buffer.allocUnsafeSlow(size * 2);
    const out = this.jsonScratch;
    let at = 0;
    out[at++] = 0x5b;
    for (let k = runs.from(b); k < runs.to(b); k++) {
      if (k > runs.from(b)) out[at++] = 0x2c;
      out[at++] = 0x22;
      at += names.copyTo(runs.at(k), out, at);
      out[at++] = 0x22;
    }
    out[at++] = 0x5d;
    return out.subarray(0, at);
  }

  /** The object's catalog keys. */
  keyList(b: number): number[] {
    if (this.resolvedDeps) throw new Error('a resolved catalog keeps no catalog keys');
    const out: number[] = [];
    for (let k = this.keys.from(b); k < this.keys.to(b); k++) out.push(this.keys.at(k));
    return out;
  }

  /**
   * Sets every object's resolved deps at once: `depsOf(b)` gives object `b`'s names in order
   * (called once per object, in order of `b`), `total` names in all.
   */
  resolve(depsOf: (b: number, push: (name: number) => void) => void, total: number): void {
    const runs = new Runs((size) => new Int32Array(size), this.count, total);
    const push = (name: number) => runs.push(name);
    for (let b = 0; b < this.count; b++) {
      depsOf(b, push);
      runs.close();
    }
    this.resolvedDeps = runs;
    // The own deps and the keys were for resolving: with 20,000 tables ~3 MiB that would otherwise
    // stay to the footer, through the data phase, where the backup's peak is.
    this.ownDeps = new Runs((size) => new Int32Array(size), 0, 0);
    this.keys = new Runs((size) => new Float64Array(size), 0, 0);
  }
}

const KIND_CODE = new Map<ObjectKind, number>(OBJECT_KINDS.map((kind, i) => [kind, i]));
const SECTION_CODE: Record<Section, number> = Object.fromEntries(SECTIONS.map((s, i) => [s, i])) as Record<
  Section,
  number
>;
