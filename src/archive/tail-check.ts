import { crc32 } from 'node:zlib';
import type { ByteSource } from './byte-source.js';
import { FooterLayoutError, storedFooterFrames } from './footer-frames.js';
import {
  decodeHeader,
  decodeTrailer,
  FRAME_HEADER_SIZE,
  HEADER_SIZE,
  NEWEST_TRAILER_VERSION,
  TRAILER_SIZE,
} from './format.js';

/**
 * Checks, without a key, that an archive's header, trailer and footer frames
 * are intact: their CRCs hold and the trailer points at footer frames that
 * end where the trailer starts (one frame, or several: see footer-frames.ts). The CRC covers the footer's stored (possibly
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
  if (trailer.version > NEWEST_TRAILER_VERSION) {
    return `made by a newer stowage (format version ${trailer.version}): upgrade stowage to check it`;
  }
  try {
    for await (const frame of storedFooterFrames(source, trailer)) {
      if (crc32(frame.stored) !== frame.crc) {
        return `footer (manifest) at offset ${frame.offset} fails its checksum`;
      }
    }
  } catch (err) {
    if (!(err instanceof FooterLayoutError)) throw err;
    return `${err.message} (offset ${err.offset})`;
  }
  return undefined;
}
