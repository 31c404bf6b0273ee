import type { ByteSource } from './byte-source.js';

/** Frames up to this size are read together with their small neighbours. */
const SMALL_FRAME = 16 * 1024;
/** Most bytes one read covers. */
const WINDOW_SIZE = 64 * 1024;
/** Bytes between two small frames (other streams' open and close frames) still read along. */
const MAX_GAP = 4 * 1024;
/**
 * Windows kept (8 MiB at most) for the frames still to come from them. A
 * restore does not read tables in file order (the biggest first): with a few
 * windows only, 3,000 small tables read a new window for nearly every frame.
 * A window is let go as soon as each of its frames was read once.
 */
const KEEP = 128;

interface Window {
  start: number;
  end: number;
  bytes: Promise<Buffer>;
  /**
   * Its frames not read yet (through it or another window). A restore reads each frame once:
   * a window kept after its last frame only held memory (a 3,000-table archive's every window, to the end).
   */
  unread: number;
}

/**
 * Reads the data frames of small streams several at a time. A restore of
 * thousands of small tables reads one small frame per table: one read each
 * was 20,000 file reads (or ranged GETs) for 20,000 tables, and the biggest
 * share of the restore's client CPU after the loading itself. The frame index
 * says where every frame is, so a read of a small frame also takes the small
 * frames that follow it in the file (up to {@link WINDOW_SIZE}, across gaps of
 * at most {@link MAX_GAP}: never a big frame, so nothing much is read that
 * the restore does not need), and later reads of those come from memory.
 */
export class FrameWindows {
  /** Offsets and total sizes of the small frames, in file order. */
  private readonly offsets: number[];
  private readonly sizes: number[];
  /** Recently read windows, most recent last. */
  private readonly windows: Window[] = [];
  /** Which of the small frames were read (1), by their place in {@link offsets}. */
  private readonly wasRead: Uint8Array;

  constructor(
    private readonly source: ByteSource,
    frames: Iterable<{ offset: number; size: number }>,
  ) {
    const small: { offset: number; size: number }[] = [];
    for (const f of frames) if (f.size <= SMALL_FRAME) small.push(f);
    small.sort((a, b) => a.offset - b.offset);
    this.offsets = small.map((f) => f.offset);
    this.sizes = small.map((f) => f.size);
    this.wasRead = new Uint8Array(small.length);
  }

  /** The `size` bytes at `offset` (fewer only at the end of the file), as {@link ByteSource.read}. */
  read(offset: number, size: number): Promise<Buffer> {
    if (size > SMALL_FRAME) return this.source.read(offset, size);
    const first = this.markRead(offset);
    let hit: Window | undefined;
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const w = this.windows[i] as Window;
      if (offset < w.start || offset + size > w.end) continue;
      hit ??= w;
      // Windows may overlap (each starts at the frame that missed): every one holding the frame counts it.
      if (first && --w.unread <= 0) this.windows.splice(i, 1);
    }
    if (hit) {
      const w = hit;
      const at = this.windows.indexOf(w);
      if (at >= 0 && at !== this.windows.length - 1) this.windows.push(...this.windows.splice(at, 1));
      return w.bytes.then((bytes) => bytes.subarray(offset - w.start, offset - w.start + size));
    }
    const { end, unread } = this.windowEnd(offset, size);
    if (end === offset + size || unread === 0) return this.source.read(offset, size);
    const bytes = this.source.read(offset, end - offset);
    const window: Window = { start: offset, end, bytes, unread };
    this.windows.push(window);
    if (this.windows.length > KEEP) this.windows.shift();
    // A failed read is not kept: the next read of these frames tries again.
    bytes.catch(() => {
      const at = this.windows.indexOf(window);
      if (at >= 0) this.windows.splice(at, 1);
    });
    return bytes.then((b) => b.subarray(0, size));
  }

  /** Notes the small frame at `offset` as read; whether it is its first read. */
  private markRead(offset: number): boolean {
    const i = this.firstAfter(offset) - 1;
    if (i < 0 || this.offsets[i] !== offset || this.wasRead[i]) return false;
    this.wasRead[i] = 1;
    return true;
  }

  /**
   * Where a read starting with the frame at `offset` ends (after the small frames that follow
   * it closely), and how many of the frames after that one were not read yet.
   */
  private windowEnd(offset: number, size: number): { end: number; unread: number } {
    let end = offset + size;
    let unread = 0;
    let i = this.firstAfter(offset);
    while (i < this.offsets.length) {
      const next = this.offsets[i] as number;
      const nextEnd = next + (this.sizes[i] as number);
      if (next - end > MAX_GAP || nextEnd - offset > WINDOW_SIZE) break;
      if (nextEnd > end) end = nextEnd;
      if (!this.wasRead[i]) unread++;
      i++;
    }
    return { end, unread };
  }

  /** Index of the first small frame that starts after `offset`. */
  private firstAfter(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.offsets[mid] as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
