import { loadZstdBinding } from './zstd-binding.js';

const { CCtx, CParameter, DCtx, compressBound } = loadZstdBinding();

/** Fast: the schema's text is packed once and read back once or twice; level 1 still takes it to about a tenth. */
const PACK_LEVEL = 1;

/**
 * Byte pieces compressed with zstd one by one and kept outside V8's heap, read back
 * through the few pieces unpacked last. The packed forms of a schema's text (packed-json.ts,
 * packed-texts.ts, packed-strings.ts) keep their bytes here: at 20,000 tables the same text
 * as strings, arrays and objects is 40–85 MB of heap, which V8 then nearly doubles as room
 * to grow (docs/BENCHMARKS.md, sessions 14–16); packed it is 2–4 MiB of buffers.
 *
 * Readers go through the pieces in about the order they were added, so a handful of
 * unpacked pieces serves them; the buffer of the one read longest ago is filled again.
 */
export class PackedPieces {
  private readonly pieces: Buffer[] = [];
  private readonly rawSizes: number[] = [];
  private cctx: InstanceType<typeof CCtx> | undefined;
  /** zstd's output, reused: a fresh buffer per piece was megabytes of malloc'd garbage. */
  private room: Buffer | undefined;
  private dctx: InstanceType<typeof DCtx> | undefined;
  /** Unpacked pieces, the one read last at the end. */
  private readonly unpacked: { piece: number; room: Buffer; bytes: Buffer }[] = [];
  /** Pieces unpacked so far (a reader out of order shows here). */
  unpackCount = 0;

  /** @param keptUnpacked Pieces kept unpacked for reading again (at least one). */
  constructor(private readonly keptUnpacked = 4) {}

  /** Pieces added. */
  get count(): number {
    return this.pieces.length;
  }

  /** Bytes held: the memory under the packed pieces and the unpacked ones kept. */
  get bytes(): number {
    let n = 0;
    for (const piece of this.pieces) n += piece.buffer.byteLength;
    for (const kept of this.unpacked) n += kept.room.buffer.byteLength;
    return n;
  }

  /** The raw size of piece `n`. */
  rawSize(n: number): number {
    return this.rawSizes[n] as number;
  }

  /** Packs `raw` (not kept: the caller may fill it again) as the next piece; gives its number. */
  add(raw: Uint8Array): number {
    if (!this.cctx) {
      this.cctx = new CCtx();
      this.cctx.setParameter(CParameter.compressionLevel, PACK_LEVEL);
    }
    const bound = compressBound(raw.length);
    if (!this.room || this.room.length < bound) this.room = Buffer.allocUnsafeSlow(bound);
    const written = this.cctx.compress2(this.room, raw);
    // A buffer of its own, not Buffer.from's: a piece of a few KiB would be a slice of Node's
    // shared pool and keep its whole slab (64 KiB on Node 24) alive for as long as the piece
    // (1.2 MiB of a 20,000-table catalog's pieces held 10.6 MiB: BENCHMARKS, "bkpeak").
    const own = Buffer.allocUnsafeSlow(written);
    this.room.copy(own, 0, 0, written);
    this.pieces.push(own);
    this.rawSizes.push(raw.length);
    return this.pieces.length - 1;
  }

  /**
   * Piece `n`'s bytes. Valid until {@link keptUnpacked} other pieces have been read: a
   * caller joining parts copies each as it comes.
   */
  read(n: number): Buffer {
    const kept = this.unpacked;
    for (let i = kept.length - 1; i >= 0; i--) {
      const hit = kept[i] as (typeof kept)[number];
      if (hit.piece !== n) continue;
      if (i !== kept.length - 1) {
        kept.splice(i, 1);
        kept.push(hit);
      }
      return hit.bytes;
    }
    const packed = this.pieces[n];
    if (!packed) throw new RangeError(`no packed piece ${n}`);
    const size = this.rawSizes[n] as number;
    const oldest = kept.length >= Math.max(1, this.keptUnpacked) ? kept.shift() : undefined;
    const room = oldest && oldest.room.length >= size ? oldest.room : Buffer.allocUnsafeSlow(size);
    this.dctx ??= new DCtx();
    const written = this.dctx.decompress(room.subarray(0, size), packed);
    if (written !== size) throw new Error(`packed piece ${n} unpacked to ${written} bytes, not ${size}`);
    this.unpackCount++;
    const bytes = room.subarray(0, size);
    kept.push({ piece: n, room, bytes });
    return bytes;
  }
}
