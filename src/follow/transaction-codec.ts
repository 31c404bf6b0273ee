import type { Readable } from 'node:stream';
import type { ChangeTransaction } from '../engines/engine.js';
import { StowageError } from '../errors.js';

/**
 * How a segment's `changes` stream holds transactions: one record each,
 * `[u16 position length][position, UTF-8][f64 commit time, ms][u32 payload length][payload]`,
 * big-endian, back to back. Self-delimiting, so a reader needs nothing but the stream.
 */

const FIXED_BYTES = 2 + 8 + 4;

/** The record of one transaction. */
export function encodeTransaction(transaction: ChangeTransaction): Buffer {
  const position = Buffer.from(transaction.position, 'utf8');
  if (position.length > 0xffff) throw new Error(`change position too long (${position.length} bytes)`);
  const head = Buffer.allocUnsafe(FIXED_BYTES + position.length);
  head.writeUInt16BE(position.length, 0);
  position.copy(head, 2);
  head.writeDoubleBE(transaction.commitTime, 2 + position.length);
  head.writeUInt32BE(transaction.payload.length, 2 + position.length + 8);
  return Buffer.concat([head, transaction.payload]) as Buffer;
}

/** Reads the records back, in order; a stream that ends inside a record is an error, never a short read. */
export async function* decodeTransactions(
  stream: Readable,
  streamName: string,
): AsyncGenerator<ChangeTransaction> {
  // Chunks are joined only once a whole record is there, so a large record
  // arriving in many chunks is copied once, not once per chunk.
  let chunks: Buffer[] = [];
  let total = 0;
  let needed = 2;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
    if (total < needed) continue;
    const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    let offset = 0;
    for (;;) {
      const record = readRecord(buffer, offset);
      if ('needed' in record) {
        needed = record.needed;
        break;
      }
      yield record.transaction;
      offset = record.next;
    }
    const rest = buffer.subarray(offset);
    chunks = rest.length > 0 ? [rest] : [];
    total = rest.length;
  }
  if (total > 0) {
    throw new StowageError(
      'corrupt-segment',
      `stream ${streamName} ends inside a change record (${total} bytes left over)`,
    );
  }
}

/** The record at `offset`, or how many bytes from `offset` are needed before it can be read. */
function readRecord(
  buffer: Buffer,
  offset: number,
): { transaction: ChangeTransaction; next: number } | { needed: number } {
  const available = buffer.length - offset;
  if (available < 2) return { needed: 2 };
  const positionBytes = buffer.readUInt16BE(offset);
  const headBytes = FIXED_BYTES + positionBytes;
  if (available < headBytes) return { needed: headBytes };
  const payloadBytes = buffer.readUInt32BE(offset + 2 + positionBytes + 8);
  if (available < headBytes + payloadBytes) return { needed: headBytes + payloadBytes };
  const end = offset + headBytes + payloadBytes;
  const position = buffer.toString('utf8', offset + 2, offset + 2 + positionBytes);
  const commitTime = buffer.readDoubleBE(offset + 2 + positionBytes);
  // A copy: the chunk it came from is released once every record in it is read.
  const payload = Buffer.from(buffer.subarray(offset + headBytes, end));
  return { transaction: { position, commitTime, payload }, next: end };
}
