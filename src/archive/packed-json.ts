import { JSON_TEXT, jsonPieceBytes } from './json-pieces.js';
import { PackedPieces } from './packed-pieces.js';

/**
 * Items from which {@link PackedJson.pack} packs a list: a shorter one stays as it is, without
 * its text ever being made. A PostgreSQL schema's objects are ~400 bytes of JSON each: 20,000
 * tables are 100,000 objects (~40 MiB of text, ~85 MB as objects), 1,000 tables 5,000.
 */
export const PACK_FROM_ITEMS = 10_000;

/** Raw bytes per packed piece: each is unpacked into a buffer of its own when written. */
const PIECE_SIZE = 64 * 1024;

/**
 * A JSON value kept, until it is written, as its JSON text compressed in pieces
 * (packed-pieces.ts): a tenth of the text's size, and outside V8's
 * heap, where the same value as objects and strings is twice the text. A
 * backup's schema is only needed again when the footer is written, so it is
 * packed once the engine has built it and waits out the data phase packed
 * (20,000 tables: ~85 MB of heap, ~4 MiB packed).
 *
 * {@link jsonPieceBytes} writes its text as it was packed, a piece at a time;
 * `JSON.stringify` and {@link PackedJson.value} unpack it whole.
 */
export class PackedJson {
  private constructor(private readonly pieces: PackedPieces) {}

  /** `value` packed, or `value` itself when it is a list of fewer than `fromItems` items. */
  static pack<T>(value: T, fromItems = PACK_FROM_ITEMS): T | PackedJson {
    if (Array.isArray(value) && value.length < fromItems) return value;
    // Read once, in order: one unpacked piece kept, its buffer filled again for the next.
    const pieces = new PackedPieces(1);
    // The text's pieces come in one buffer filled again for each (json-pieces.ts).
    for (const piece of jsonPieceBytes(value, PIECE_SIZE, true)) pieces.add(piece);
    // A value whose text is empty (undefined) packs to nothing: it stays as it is too.
    return pieces.count ? new PackedJson(pieces) : value;
  }

  /** Bytes held: the compressed pieces (and the one unpacked last). */
  get packedBytes(): number {
    return this.pieces.bytes;
  }

  /**
   * The JSON text's UTF-8 bytes, a piece at a time in one buffer filled again for the next
   * (see JSON_TEXT): a new one per piece left ~40 MiB of buffers to collect at 20,000 tables.
   */
  *[JSON_TEXT](): Generator<Buffer> {
    for (let i = 0; i < this.pieces.count; i++) yield this.pieces.read(i);
  }

  /** The value, parsed again from the text (a new copy each call). */
  value(): unknown {
    let size = 0;
    for (let i = 0; i < this.pieces.count; i++) size += this.pieces.rawSize(i);
    const text = Buffer.allocUnsafe(size);
    let at = 0;
    for (const piece of this[JSON_TEXT]()) at += piece.copy(text, at);
    return JSON.parse(text.toString('utf8'));
  }

  /** For `JSON.stringify`: the same text as the value it was packed from. */
  toJSON(): unknown {
    return this.value();
  }
}

/**
 * Makes each {@link PackedJson} among `record`'s own properties read as its value again:
 * unpacked the first time it is read, then kept as a plain property. So a caller that is
 * handed the record (a backup's manifest schema) sees what was packed, and one that never
 * reads it pays nothing.
 */
export function unpackOnRead(record: unknown): void {
  if (typeof record !== 'object' || record === null) return;
  for (const key of Object.keys(record)) {
    const packed = (record as Record<string, unknown>)[key];
    if (!(packed instanceof PackedJson)) continue;
    Object.defineProperty(record, key, {
      configurable: true,
      enumerable: true,
      get() {
        const value = packed.value();
        Object.defineProperty(record, key, { configurable: true, enumerable: true, writable: true, value });
        return value;
      },
      set(value: unknown) {
        Object.defineProperty(record, key, { configurable: true, enumerable: true, writable: true, value });
      },
    });
  }
}
