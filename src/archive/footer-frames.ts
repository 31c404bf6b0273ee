import type { ByteSource } from './byte-source.js';
import {
  decodeFrameHeader,
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  type FrameHeader,
  FrameType,
  frameTotalSize,
  SPLIT_FOOTER_VERSION,
  type Trailer,
} from './format.js';

/** One footer frame as stored: its payload is not yet checked against its CRC, nor decrypted. */
export interface StoredFooterFrame {
  offset: number;
  header: FrameHeader;
  stored: Buffer;
  crc: number;
}

/** A footer frame that does not sit where the trailer and the frames before it place it. */
export class FooterLayoutError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'FooterLayoutError';
  }
}

/**
 * The footer's frames in order, as the trailer places them (the caller has
 * checked that the footer ends where the trailer starts): one frame that fills
 * the footer (trailer version 1 or 2), or footer frames with sequences 0, 1, …
 * and consecutive ordinals that fill it exactly (version 3). Reads a frame at
 * a time, so a split footer is never in memory whole as stored bytes.
 *
 * @throws FooterLayoutError when a frame header is damaged or out of place.
 */
export async function* storedFooterFrames(
  source: ByteSource,
  trailer: Trailer,
): AsyncGenerator<StoredFooterFrame> {
  const { footerOffset, footerLength } = trailer;
  if (trailer.version < SPLIT_FOOTER_VERSION) {
    // One read, as before version 3: the whole tail of most archives is a single small request.
    const bytes = await source.read(footerOffset, footerLength);
    const header = decodeFrameHeader(bytes);
    if (!header || header.type !== FrameType.Footer || frameTotalSize(header.storedLength) !== footerLength) {
      throw new FooterLayoutError(footerOffset, 'footer frame header is damaged');
    }
    yield storedFrame(footerOffset, header, bytes.subarray(FRAME_HEADER_SIZE));
    return;
  }
  const end = footerOffset + footerLength;
  let offset = footerOffset;
  let sequence = 0;
  let previousOrdinal = -1;
  while (offset < end) {
    const header =
      end - offset >= FRAME_HEADER_SIZE
        ? decodeFrameHeader(await source.read(offset, FRAME_HEADER_SIZE))
        : undefined;
    if (!header || header.type !== FrameType.Footer) {
      throw new FooterLayoutError(offset, `footer frame ${sequence} header is damaged`);
    }
    if (header.sequence !== sequence || (sequence > 0 && header.ordinal !== previousOrdinal + 1)) {
      throw new FooterLayoutError(
        offset,
        `footer frame ${sequence} is out of order (sequence ${header.sequence}, ordinal ${header.ordinal})`,
      );
    }
    const total = frameTotalSize(header.storedLength);
    if (offset + total > end) {
      throw new FooterLayoutError(offset, `footer frame ${sequence} runs past the end of the footer`);
    }
    const body = await source.read(offset + FRAME_HEADER_SIZE, header.storedLength + FRAME_CRC_SIZE);
    if (body.length < header.storedLength + FRAME_CRC_SIZE) {
      throw new FooterLayoutError(offset, `archive ends inside footer frame ${sequence}`);
    }
    yield storedFrame(offset, header, body);
    offset += total;
    previousOrdinal = header.ordinal;
    sequence++;
  }
}

/** `body`: the stored payload followed by its CRC. */
function storedFrame(offset: number, header: FrameHeader, body: Buffer): StoredFooterFrame {
  return {
    offset,
    header,
    stored: body.subarray(0, header.storedLength),
    crc: body.readUInt32LE(header.storedLength),
  };
}
