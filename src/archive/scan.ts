import type { Encryption } from './archive-keys.js';
import type { ByteSource } from './byte-source.js';
import {
  decodeFrameHeader,
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  type FrameHeader,
  FrameType,
  frameTotalSize,
  HEADER_SIZE,
  TRAILER_SIZE,
} from './format.js';
import { decodeFrame } from './frame-codec.js';
import { readHeader } from './header-read.js';
import {
  createStreamDigest,
  type DigestAlgorithm,
  type RecordedDigest,
  recordDigest,
  type StreamDigest,
  sameDigest,
} from './stream-digest.js';

/** What a front-to-back scan found for one stream. */
export interface ScannedStream {
  streamId: number;
  /** Unknown only when the stream's open frame itself is damaged. */
  name: string | undefined;
  dataFrames: number;
  rawBytes: number;
  /** The stream's close frame was found: every data frame before it is present. */
  complete: boolean;
  items?: number;
  /** The verified digest from the close frame (its field names the algorithm). */
  digest?: RecordedDigest;
}

export interface ScanReport {
  location: string;
  encrypted: boolean;
  streams: ScannedStream[];
  footerFound: boolean;
  /** Where the footer frame ends (the trailer should start there), when it was found. */
  footerEnd?: number;
  /** Offset where the scan stopped, and why, when it did not reach a valid footer. */
  stoppedAt?: { offset: number; reason: string };
}

/**
 * Walks the frames from the front without using the footer: the recovery path
 * for archives whose tail is lost (an interrupted upload or copy). Every frame
 * is verified (checksum, authentication, decompression) so the report says
 * exactly which streams are whole and where the damage starts.
 */
export async function scanArchive(source: ByteSource, encryption?: Encryption): Promise<ScanReport> {
  const { header, key } = await readHeader(source, encryption);
  const streams = new Map<number, ScannedStream>();
  const hashes = new Map<number, StreamDigest>();
  const report: ScanReport = {
    location: source.location,
    encrypted: header.encrypted,
    streams: [],
    footerFound: false,
  };
  let offset = HEADER_SIZE;
  let expectedOrdinal = 0;
  let footerFrames = 0;
  const stop = (reason: string) => {
    report.stoppedAt = { offset, reason };
  };
  while (true) {
    if (offset >= source.size) {
      stop('end of file before the footer');
      break;
    }
    const headerBytes = await source.read(offset, FRAME_HEADER_SIZE);
    if (headerBytes.length < FRAME_HEADER_SIZE) {
      stop('end of file inside a frame header');
      break;
    }
    const fh = decodeFrameHeader(headerBytes);
    if (!fh) {
      stop('damaged frame header');
      break;
    }
    if (fh.ordinal !== expectedOrdinal) {
      stop(`frame out of order (ordinal ${fh.ordinal}, expected ${expectedOrdinal})`);
      break;
    }
    const total = frameTotalSize(fh.storedLength);
    if (offset + total > source.size) {
      stop('end of file inside a frame');
      break;
    }
    const body = await source.read(offset + FRAME_HEADER_SIZE, fh.storedLength + FRAME_CRC_SIZE);
    const raw = decodeFrame(fh, body.subarray(0, fh.storedLength), body.readUInt32LE(fh.storedLength), key);
    if (typeof raw === 'string') {
      stop(`frame ${raw}`);
      break;
    }
    if (fh.type === FrameType.Footer ? fh.sequence !== footerFrames : !applyFrame(fh, raw, streams, hashes)) {
      stop(
        fh.type === FrameType.Footer ? 'footer frame out of order' : 'frame does not fit the stream it names',
      );
      break;
    }
    offset += total;
    expectedOrdinal++;
    if (fh.type === FrameType.Footer) {
      footerFrames++;
      // A footer too large for one frame goes on in the next (format version 3): the trailer follows the last.
      if (await footerGoesOn(source, offset, expectedOrdinal)) continue;
      report.footerFound = offset + TRAILER_SIZE <= source.size;
      report.footerEnd = offset;
      if (!report.footerFound) stop('end of file inside the trailer');
      break;
    }
  }
  report.streams = [...streams.values()];
  return report;
}

function applyFrame(
  fh: FrameHeader,
  raw: Buffer,
  streams: Map<number, ScannedStream>,
  hashes: Map<number, StreamDigest>,
): boolean {
  const s = streams.get(fh.streamId);
  switch (fh.type) {
    case FrameType.StreamOpen: {
      if (s) return false;
      let opened: { name?: string; digest?: string } | undefined;
      try {
        opened = JSON.parse(raw.toString('utf8')) as { name?: string; digest?: string };
      } catch {
        opened = undefined;
      }
      const name = opened?.name;
      streams.set(fh.streamId, { streamId: fh.streamId, name, dataFrames: 0, rawBytes: 0, complete: false });
      // Format 1 open frames name no digest: theirs is SHA-256.
      const algorithm: DigestAlgorithm = opened?.digest === 'blake3' ? 'blake3' : 'sha256';
      // A hasher that does not load here (native-addon) is this machine's problem, not damage: it is thrown.
      hashes.set(fh.streamId, createStreamDigest(algorithm));
      return true;
    }
    case FrameType.Data:
      if (!s || s.complete || fh.sequence !== s.dataFrames) return false;
      s.dataFrames++;
      hashes.get(fh.streamId)!.update(raw);
      s.rawBytes += raw.length;
      return true;
    case FrameType.StreamClose: {
      if (!s || s.complete) return false;
      let summary: { items: number; frames: number } & RecordedDigest;
      try {
        summary = JSON.parse(raw.toString('utf8'));
      } catch {
        return false;
      }
      const hash = hashes.get(fh.streamId)!;
      const computed = recordDigest(hash.algorithm, hash.hex());
      if (summary.frames !== s.dataFrames || !sameDigest(summary, computed)) return false;
      s.complete = true;
      s.items = summary.items;
      s.digest = computed;
      return true;
    }
    case FrameType.Footer:
      return true;
  }
}

/** Whether the frame at `offset` is the footer's next one, rather than the trailer (or damage). */
async function footerGoesOn(source: ByteSource, offset: number, ordinal: number): Promise<boolean> {
  if (offset + FRAME_HEADER_SIZE > source.size) return false;
  const next = decodeFrameHeader(await source.read(offset, FRAME_HEADER_SIZE));
  return next?.type === FrameType.Footer && next.ordinal === ordinal;
}

/** Names of the streams a scan could not find whole, for error messages. */
export function incompleteStreams(report: ScanReport): string[] {
  return report.streams.filter((s) => !s.complete).map((s) => s.name ?? `#${s.streamId}`);
}
