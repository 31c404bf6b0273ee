import { JSON_TEXT, jsonPieceBytes } from './json-pieces.js';
import { loadZstdBinding } from './zstd-binding.js';

const { CCtx, CParameter, DCtx, compressBound } = loadZstdBinding();

/**
 * Items from which {@link PackedJson.pack} packs a list: a shorter one stays as it is, without
 * its text ever being made. A PostgreSQL schema's objects are ~400 bytes of JSON each: 20,000
 * tables are 100,000 objects (~40 MiB of text, ~85 MB as objects), 1,000 tables 5,000.
 */
export const PACK_FROM_ITEMS = 10_000;

/** Raw bytes per packed piece: each is unpacked into a buffer of its own when written. */
const PIECE_SIZE = 64 * 1024;

/** Fast: a pack is made once and read once, by the footer writer, which compresses it again. */
const PACK_LEVEL = 1;

/**
 * A JSON value kept, until it is written, as its JSON text compressed in pieces
 * (zstd, each piece on its own): a tenth of the text's size, and outside V8's
 * heap, where the same value as objects and strings is twice the text. A
 * backup's schema is only needed again when the footer is written, so it is
 * packed once the engine has built it and waits out the data phase packed
 * (20,000 tables: ~85 MB of heap, ~4 MiB packed).
 *
 * {@link jsonPieceBytes} writes its text as it was packed, a piece at a time;
 * `JSON.stringify` and {@link PackedJson.value} unpack it whole.
 */
export class PackedJson {
  private constructor(
    /** Compressed pieces, each a zstd frame that records its own raw size. */
    private readonly pieces: Buffer[],
    private readonly rawSizes: number[],
  ) {}

  /** `value` packed, or `value` itself when it is a list of fewer than `fromItems` items. */
  static pack<T>(value: T, fromItems = PACK_FROM_ITEMS): T | PackedJson {
    if (Array.isArray(value) && value.length < fromItems) return value;
    // The text's pieces and zstd's output are one buffer each, reused: a fresh 256 KiB buffer per
    // piece was ~40 MiB of malloc'd garbage at 20,000 tables, which stayed in RSS once freed.
    const cctx = new CCtx();
    cctx.setParameter(CParameter.compressionLevel, PACK_LEVEL);
    let room = Buffer.allocUnsafeSlow(compressBound(PIECE_SIZE));
    const pieces: Buffer[] = [];
    const rawSizes: number[] = [];
    for (const piece of jsonPieceBytes(value, PIECE_SIZE, true)) {
      const bound = compressBound(piece.length);
      if (room.length < bound) room = Buffer.allocUnsafeSlow(bound);
      const written = cctx.compress2(room, piece);
      pieces.push(Buffer.from(room.subarray(0, written)));
      rawSizes.push(piece.length);
    }
    // A value whose text is empty (undefined) packs to nothing: it stays as it is too.
    return pieces.length ? new PackedJson(pieces, rawSizes) : value;
  }

  /** Bytes held: the compressed pieces. */
  get packedBytes(): number {
    return this.pieces.reduce((n, p) => n + p.length, 0);
  }

  /**
   * The JSON text's UTF-8 bytes, a piece at a time in one buffer filled again for the next
   * (see JSON_TEXT): a new one per piece left ~40 MiB of buffers to collect at 20,000 tables.
   */
  *[JSON_TEXT](): Generator<Buffer> {
    const dctx = new DCtx();
    let raw = Buffer.allocUnsafeSlow(PIECE_SIZE);
    for (let i = 0; i < this.pieces.length; i++) {
      const size = this.rawSizes[i] as number;
      if (raw.length < size) raw = Buffer.allocUnsafeSlow(size);
      const written = dctx.decompress(raw.subarray(0, size), this.pieces[i] as Buffer);
      if (written !== size)
        throw new Error(`packed JSON piece ${i} unpacked to ${written} bytes, not ${size}`);
      yield raw.subarray(0, size);
    }
  }

  /** The value, parsed again from the text (a new copy each call). */
  value(): unknown {
    const text = Buffer.allocUnsafe(this.rawSizes.reduce((n, size) => n + size, 0));
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
