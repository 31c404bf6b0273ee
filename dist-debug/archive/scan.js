import { decodeFrameHeader, FRAME_CRC_SIZE, FRAME_HEADER_SIZE, FrameType, frameTotalSize, HEADER_SIZE, TRAILER_SIZE, } from './format.js';
import { decodeFrame } from './frame-codec.js';
import { readHeader } from './header-read.js';
import { createStreamDigest, recordDigest, sameDigest, } from './stream-digest.js';
/**
 * Walks the frames from the front without using the footer: the recovery path
 * for archives whose tail is lost (an interrupted upload or copy). Every frame
 * is verified (checksum, authentication, decompression) so the report says
 * exactly which streams are whole and where the damage starts.
 */
export async function scanArchive(source, encryption) {
    const { header, key } = await readHeader(source, encryption);
    const streams = new Map();
    const hashes = new Map();
    const report = {
        location: source.location,
        encrypted: header.encrypted,
        streams: [],
        footerFound: false,
    };
    let offset = HEADER_SIZE;
    let expectedOrdinal = 0;
    const stop = (reason) => {
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
        if (!applyFrame(fh, raw, streams, hashes)) {
            stop('frame does not fit the stream it names');
            break;
        }
        offset += total;
        expectedOrdinal++;
        if (fh.type === FrameType.Footer) {
            report.footerFound = offset + TRAILER_SIZE <= source.size;
            if (!report.footerFound)
                stop('end of file inside the trailer');
            break;
        }
    }
    report.streams = [...streams.values()];
    return report;
}
function applyFrame(fh, raw, streams, hashes) {
    const s = streams.get(fh.streamId);
    switch (fh.type) {
        case FrameType.StreamOpen: {
            if (s)
                return false;
            let opened;
            try {
                opened = JSON.parse(raw.toString('utf8'));
            }
            catch {
                opened = undefined;
            }
            const name = opened?.name;
            streams.set(fh.streamId, { streamId: fh.streamId, name, dataFrames: 0, rawBytes: 0, complete: false });
            // Format 1 open frames name no digest: theirs is SHA-256.
            const algorithm = opened?.digest === 'blake3' ? 'blake3' : 'sha256';
            try {
                hashes.set(fh.streamId, createStreamDigest(algorithm));
            }
            catch {
                return false;
            }
            return true;
        }
        case FrameType.Data:
            if (!s || s.complete || fh.sequence !== s.dataFrames)
                return false;
            s.dataFrames++;
            hashes.get(fh.streamId).update(raw);
            s.rawBytes += raw.length;
            return true;
        case FrameType.StreamClose: {
            if (!s || s.complete)
                return false;
            let summary;
            try {
                summary = JSON.parse(raw.toString('utf8'));
            }
            catch {
                return false;
            }
            const hash = hashes.get(fh.streamId);
            const computed = recordDigest(hash.algorithm, hash.hex());
            if (summary.frames !== s.dataFrames || !sameDigest(summary, computed))
                return false;
            s.complete = true;
            s.items = summary.items;
            s.digest = computed;
            return true;
        }
        case FrameType.Footer:
            return true;
    }
}
/** Names of the streams a scan could not find whole, for error messages. */
export function incompleteStreams(report) {
    return report.streams.filter((s) => !s.complete).map((s) => s.name ?? `#${s.streamId}`);
}
//# sourceMappingURL=scan.js.map