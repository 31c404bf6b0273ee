/** Where a read's bytes stand among the server's protocol messages (see {@link MessageFraming.cut}). */
export interface ReadCut {
  /**
   * Where the message begun in an earlier read ends: 0 when none was under way, the read's
   * length when it goes on past the read.
   */
  pendingEnd: number;
  /** Where the read's last whole message ends: the bytes after it start a message the read cuts. */
  lastEnd: number;
}

/**
 * Follows the PostgreSQL protocol's message boundaries (a type byte, a 4-byte length that
 * counts itself, the body) through the reads of one connection, so that socket-feed.ts can
 * tell which of a read's bytes are whole messages.
 *
 * Of the messages a backup receives outside a COPY, pg keeps a slice of the bytes past
 * the read only for CopyData (`d`, pg's own COPY handling) and authentication (`R`: the
 * MD5 salt, used after an await); it parses every other one into strings and numbers as it
 * reads. A read with one of those is {@link cut} as `undefined`.
 */
export class MessageFraming {
  /** Body bytes of the message under way still to come. */
  private rest = 0;
  /** Bytes of the header under way (type and length) seen so far. */
  private headerSeen = 0;
  private readonly header = Buffer.alloc(HEADER_BYTES);
  /** The type of the message under way. */
  private type = 0;
  /** A length no message can have came: the boundaries are not known any more. */
  private lost = false;

  /**
   * Moves past the boundaries in `chunk[0, n)`; `undefined` when the read holds (part of)
   * a message pg may keep a slice of, or the boundaries are lost.
   */
  cut(chunk: Buffer, n: number): ReadCut | undefined {
    if (this.lost) return undefined;
    const pendingAtStart = this.rest > 0 || this.headerSeen > 0;
    let safe = !(pendingAtStart && UNSAFE.has(this.type));
    let pendingEnd = pendingAtStart ? -1 : 0;
    let lastEnd = 0;
    let at = 0;
    while (at < n) {
      if (this.rest > 0) {
        const k = this.rest < n - at ? this.rest : n - at;
        at += k;
        this.rest -= k;
        if (this.rest > 0) break;
      } else {
        if (this.headerSeen === 0) {
          this.type = chunk[at]!;
          if (UNSAFE.has(this.type)) safe = false;
        }
        if (this.headerSeen === 0 && n - at >= HEADER_BYTES) {
          this.rest = chunk.readUInt32BE(at + 1) - 4;
          at += HEADER_BYTES;
        } else {
          this.header[this.headerSeen++] = chunk[at++]!;
          if (this.headerSeen < HEADER_BYTES) continue;
          this.headerSeen = 0;
          this.rest = this.header.readUInt32BE(1) - 4;
        }
        if (this.rest < 0) {
          this.lost = true;
          return undefined;
        }
        if (this.rest > 0) continue;
      }
      // A message ends at `at`.
      if (pendingEnd < 0) pendingEnd = at;
      lastEnd = at;
    }
    if (!safe) return undefined;
    // A message under way through the whole read: all of it belongs to that message.
    if (pendingEnd < 0) return { pendingEnd: n, lastEnd: n };
    return { pendingEnd, lastEnd };
  }
}

/** A message header: its type byte and its length. */
const HEADER_BYTES = 5;

/** Message types pg keeps slices of (see {@link MessageFraming}). */
const UNSAFE = new Set(['d'.charCodeAt(0), 'R'.charCodeAt(0)]);

/**
 * Gives `buf[0, n)`, the next read of a connection `framing` follows, to pg's parser
 * (`parse`) so that it keeps nothing of `buf` once `parse` returns: the end of a message
 * it holds the start of (which it copies onto that start), the whole messages as a view
 * (parsed at once), and a copy of the message the read cuts; where the framing says pg
 * could keep a slice of a message, a copy of all of it.
 */
export function handOver(
  framing: MessageFraming,
  buf: Buffer,
  n: number,
  parse: (bytes: Buffer) => void,
): void {
  const cut = framing.cut(buf, n);
  if (!cut) {
    parse(Buffer.from(buf.subarray(0, n)));
    return;
  }
  if (cut.pendingEnd > 0) parse(buf.subarray(0, cut.pendingEnd));
  if (cut.lastEnd > cut.pendingEnd) parse(buf.subarray(cut.pendingEnd, cut.lastEnd));
  if (n > cut.lastEnd) parse(Buffer.from(buf.subarray(cut.lastEnd, n)));
}
