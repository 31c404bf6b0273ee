import { crc32 } from 'node:zlib';
import type { ByteSource } from './byte-source.js';
import {
  decodeFrameHeader,
  decodeHeader,
  decodeTrailer,
  FRAME_HEADER_SIZE,
  FrameType,
  frameTotalSize,
  HEADER_SIZE,
  TRAILER_SIZE,
} from './format.js';

/**
 * Checks, without a key, that an archive's header, trailer and footer frame
 * are intact: their CRCs hold and the trailer points at a footer frame that
 * ends where the trailer starts. The CRC covers the footer's stored (possibly
 * encrypted) bytes, so this tells an encrypted archive with a whole footer
 * from a damaged one when no key is at hand, which retention needs to decide
 * whether the archive may count as a restorable backup.
 *
 * @returns undefined when intact, else one line saying what is damaged.
 */
export async function checkArchiveTail(source: ByteSource): Promise<string | undefined> {
  if (source.size < HEADER_SIZE + TRAILER_SIZE) return 'too short to be a whole archive';
  const header = decodeHeader(await source.read(0, HEADER_SIZE));
  if (header === 'magic') return 'not a stowage archive';
  if (header === 'crc' || header === 'short') return 'header is damaged';
  const trailer = decodeTrailer(await source.read(source.size - TRAILER_SIZE, TRAILER_SIZE));
  if (trailer === 'magic') return 'trailer missing (the archive was cut short)';
  if (trailer === 'crc') return 'trailer is damaged';
  const { footerOffset, footerLength } = trailer;
  if (
    footerOffset < HEADER_SIZE ||
    footerOffset + footerLength + TRAILER_SIZE !== source.size ||
    footerLength < FRAME_HEADER_SIZE
  ) {
    return 'trailer points outside the file';
  }
  const bytes = await source.read(footerOffset, footerLength);
  const frame = decodeFrameHeader(bytes);
  if (!frame || frame.type !== FrameType.Footer || frameTotalSize(frame.storedLength) !== footerLength) {
    return `footer frame header at offset ${footerOffset} is damaged`;
  }
  const stored = bytes.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + frame.storedLength);
  if (crc32(stored) !== bytes.readUInt32LE(FRAME_HEADER_SIZE + frame.storedLength)) {
    return `footer (manifest) at offset ${footerOffset} fails its checksum`;
  }
  return undefined;
}
