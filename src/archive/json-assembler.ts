/**
 * `JSON.parse` of UTF-8 text handed over in byte chunks, without ever holding
 * the whole text: the footer of an archive of 20,000 tables is 48 MB of JSON,
 * and parsing it as one string kept the decompressed bytes, the string and the
 * parsed objects in memory at once (~100 MB more than the objects alone).
 *
 * The containers down to the long arrays are built here; every element of an
 * array, and every scalar, is cut out of the bytes and handed to `JSON.parse`
 * on its own, which is where the speed is (and which checks it). So the value
 * is the one `JSON.parse` gives for the whole text (duplicate keys: the last
 * wins; `__proto__` is an own property), and text it refuses is refused.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** JSON's whitespace: space, tab, line feed, carriage return (nothing else). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Ends a scalar (number, true, false, null) in the containers this builds. */
function endsScalar(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c);
}

/** What the container being built expects next. */
enum Expect {
  /** After `{`: a key or `}`. */
  KeyOrEnd,
  /** After `,` in an object. */
  Key,
  /** After a key. */
  Colon,
  /** After `:`, `[`, `,` in an array, or at the top. */
  Value,
  /** After `[`: a value or `]`. */
  ValueOrEnd,
  /** After a value in a container. */
  CommaOrEnd,
  /** After the top-level value: only whitespace. */
  Nothing,
}

interface Open {
  value: Record<string, unknown> | unknown[];
  /** The key this container goes under in its parent object. */
  key: string | undefined;
  /** An array's: what each element becomes (see {@link ArrayItems}). */
  items?: ((item: unknown) => unknown) | undefined;
}

/**
 * Asked as an array member of an object opens, with the keys from the top down
 * to it and the object that holds it (its members before the array already
 * placed): a function that turns each element, as it is parsed, into what the
 * array keeps, or undefined to keep the elements as parsed. So a long list can
 * be kept in a smaller form without ever existing whole as parsed (a restore's
 * schema objects, engines/postgres/packed-object.ts).
 */
export type ArrayItems = (
  path: readonly string[],
  holder: Record<string, unknown>,
) => ((item: unknown) => unknown) | undefined;

/** A value being cut out of the bytes, possibly over several chunks. */
interface Cut {
  /** A run is several elements of an array, parsed together as one array (one call instead of one each). */
  kind: 'string' | 'container' | 'scalar' | 'run';
  /** Whether the value is the key of a member (only strings are). */
  isKey: boolean;
  /** Bytes of earlier chunks (copied: the caller may reuse its chunk buffers). */
  pieces: Buffer[];
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** Bytes in `pieces`. */
  length: number;
}

/** A run of array elements ends at the first element boundary past this many bytes. */
const RUN_BYTES = 64 * 1024;

export class JsonAssembler {
  private readonly open: Open[] = [];
  private expect = Expect.Value;
  private key: string | undefined;
  private cut: Cut | undefined;
  private root: unknown;

  constructor(private readonly arrayItems?: ArrayItems) {}

  /** Takes the next bytes of the text. `chunk` is not kept: the caller may reuse it once this returns. */
  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.cut) {
        const end = this.scanCut(this.cut, chunk, i);
        if (end < 0) {
          this.cut.pieces.push(Buffer.from(chunk.subarray(i)));
          this.cut.length += n - i;
          return;
        }
        const cut = this.cut;
        this.cut = undefined;
        const last = chunk.subarray(i, end);
        const bytes = cut.pieces.length ? Buffer.concat([...cut.pieces, last]) : last;
        this.finish(cut, bytes.toString('utf8'));
        i = end;
        continue;
      }
      const c = chunk[i] as number;
      if (isSpace(c)) {
        i++;
        continue;
      }
      this.structural(c);
      // A value starting here is cut from this byte on; anything else was consumed.
      if (!this.cut) i++;
    }
  }

  /** The parsed value, once the whole text was written. */
  end(): unknown {
    if (this.cut) {
      const cut = this.cut;
      this.cut = undefined;
      // Only a scalar ends with the text; a string or container not closed is refused by JSON.parse.
      this.finish(cut, Buffer.concat(cut.pieces).toString('utf8'));
    }
    if (this.expect !== Expect.Nothing) throw new SyntaxError('JSON text ends early');
    return this.root;
  }

  /** A byte outside any value being cut: structure, or the first byte of a value. */
  private structural(c: number): void {
    const expect = this.expect;
    if (expect === Expect.KeyOrEnd || expect === Expect.Key) {
      if (expect === Expect.KeyOrEnd && c === CLOSE_BRACE) this.close(false);
      else if (c === QUOTE) this.startCut(c, true);
      else throw unexpected(c);
    } else if (expect === Expect.Colon) {
      if (c !== COLON) throw unexpected(c);
      this.expect = Expect.Value;
    } else if (expect === Expect.ValueOrEnd || expect === Expect.Value) {
      if (expect === Expect.ValueOrEnd && c === CLOSE_BRACKET) this.close(true);
      else this.startValue(c);
    } else if (expect === Expect.CommaOrEnd) {
      const isArray = Array.isArray(this.open.at(-1)?.value);
      if (c === COMMA) this.expect = isArray ? Expect.Value : Expect.Key;
      else if (c === (isArray ? CLOSE_BRACKET : CLOSE_BRACE)) this.close(isArray);
      else throw unexpected(c);
    } else throw unexpected(c);
  }

  /** Members that are containers are built here; array elements and scalars are cut out. */
  private startValue(c: number): void {
    const top = this.open.at(-1);
    if ((c === OPEN_BRACE || c === OPEN_BRACKET) && (top === undefined || !Array.isArray(top.value))) {
      const isArray = c === OPEN_BRACKET;
      const items =
        isArray && top && this.arrayItems
          ? this.arrayItems(
              [...this.open.slice(1).map((o) => o.key as string), this.key as string],
              top.value as Record<string, unknown>,
            )
          : undefined;
      this.open.push({ value: isArray ? [] : {}, key: this.key, items });
      this.key = undefined;
      this.expect = isArray ? Expect.ValueOrEnd : Expect.KeyOrEnd;
      return;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COMMA || c === COLON) throw unexpected(c);
    if (top !== undefined && Array.isArray(top.value)) this.startRun();
    else this.startCut(c, false);
  }

  private startRun(): void {
    this.cut = {
      kind: 'run',
      isKey: false,
      pieces: [],
      depth: 0,
      inString: false,
      escaped: false,
      length: 0,
    };
  }

  private startCut(c: number, isKey: boolean): void {
    this.cut = {
      kind: c === QUOTE ? 'string' : c === OPEN_BRACE || c === OPEN_BRACKET ? 'container' : 'scalar',
      isKey,
      pieces: [],
      depth: 0,
      inString: false,
      escaped: false,
      length: 0,
    };
  }

  /**
   * Where the value being cut ends in `chunk` (the index after its last byte), scanning from `from`
   * with the cut's state; -1 when it goes on past the chunk.
   */
  private scanCut(cut: Cut, chunk: Buffer, from: number): number {
    const n = chunk.length;
    let i = from;
    if (cut.kind === 'scalar') {
      while (i < n && !endsScalar(chunk[i] as number)) i++;
      return i < n ? i : -1;
    }
    const run = cut.kind === 'run';
    let { depth, inString, escaped } = cut;
    for (; i < n; i++) {
      const c = chunk[i] as number;
      if (run && depth === 0 && !inString) {
        // Between (or inside scalar) elements: the run ends before the array's end, or before a comma
        // once it is long enough; the comma or bracket is left to the structure.
        if (c === CLOSE_BRACKET || c === CLOSE_BRACE) return this.endRun(cut, i);
        if (c === COMMA && cut.length + (i - from) >= RUN_BYTES) return this.endRun(cut, i);
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0 && !run) {
            cut.inString = false;
            return i + 1;
          }
        }
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0 && !run) {
          cut.depth = 0;
          return i + 1;
        }
      }
    }
    cut.depth = depth;
    cut.inString = inString;
    cut.escaped = escaped;
    return -1;
  }

  private endRun(cut: Cut, at: number): number {
    cut.depth = 0;
    cut.inString = false;
    cut.escaped = false;
    return at;
  }

  /** A value cut out whole: parsed, and put where it belongs. */
  private finish(cut: Cut, text: string): void {
    if (cut.kind === 'run') {
      const values = JSON.parse(`[${text}]`) as unknown[];
      const open = this.open.at(-1) as Open;
      const array = open.value as unknown[];
      const items = open.items;
      if (items) for (let i = 0; i < values.length; i++) array.push(items(values[i]));
      else for (let i = 0; i < values.length; i++) array.push(values[i]);
      this.expect = Expect.CommaOrEnd;
      return;
    }
    const value: unknown = JSON.parse(text);
    if (cut.isKey) {
      this.key = value as string;
      this.expect = Expect.Colon;
      return;
    }
    this.place(value);
  }

  private close(isArray: boolean): void {
    const done = this.open.pop() as Open;
    if (Array.isArray(done.value) !== isArray) throw new SyntaxError('JSON brackets do not match');
    this.key = done.key;
    this.place(done.value);
  }

  private place(value: unknown): void {
    const top = this.open.at(-1);
    if (top === undefined) {
      this.root = value;
      this.expect = Expect.Nothing;
      return;
    }
    if (Array.isArray(top.value)) top.value.push(value);
    else if (this.key === '__proto__') {
      // As JSON.parse makes it: an own property, not the object's prototype.
      Object.defineProperty(top.value, this.key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else top.value[this.key as string] = value;
    this.key = undefined;
    this.expect = Expect.CommaOrEnd;
  }
}

function unexpected(c: number): SyntaxError {
  return new SyntaxError(`unexpected byte ${c} in JSON`);
}
