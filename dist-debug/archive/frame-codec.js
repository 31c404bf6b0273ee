import { crc32 } from 'node:zlib';
import zstd from 'zstd-napi/binding.js';
// The low-level binding (a CommonJS native module, so no named imports): it can compress into a
// caller's buffer, which the high-level Compressor cannot.
const { CCtx, CParameter, DCtx, compressBound } = zstd;
import { Codec, encodeFrameHeader, FRAME_CRC_SIZE, FRAME_HEADER_SIZE, frameAad, MAX_FRAME_SIZE, } from './format.js';
import { openFrame, sealFrame } from './keys.js';
/**
 * The writer's level when none is given: the fastest. Backups pick their level
 * per engine (`DEFAULT_COMPRESSION_BY_ENGINE` in ops/backup.ts), from measurements.
 */
export const DEFAULT_COMPRESSION = 1;
/**
 * One compression context per level and one scratch buffer per thread, reused
 * for every frame: allocating a context or a 2 MiB output buffer per frame is
 * what made memory grow with throughput.
 */
const contexts = new Map();
let scratch;
let dctx;
function contextFor(level) {
    let cctx = contexts.get(level);
    if (!cctx) {
        cctx = new CCtx();
        cctx.setParameter(CParameter.compressionLevel, level);
        // No zstd checksum: the frame's CRC and the stream's SHA-256 cover the bytes already.
        cctx.setParameter(CParameter.checksumFlag, 0);
        cctx.setParameter(CParameter.contentSizeFlag, 1);
        contexts.set(level, cctx);
    }
    return cctx;
}
/** Compresses into the thread's scratch buffer; undefined when zstd does not make the frame smaller. */
function compressFrame(raw, level) {
    const bound = compressBound(raw.length);
    if (!scratch || scratch.length < bound)
        scratch = Buffer.allocUnsafeSlow(bound);
    const written = contextFor(level).compress2(scratch, raw);
    return written < raw.length ? scratch.subarray(0, written) : undefined;
}
/**
 * Size of an output buffer that holds any unencrypted frame of up to `rawLength`
 * raw bytes, compressed or not: the writer recycles buffers of this size.
 */
export function frameCapacity(rawLength) {
    return FRAME_HEADER_SIZE + compressBound(rawLength) + FRAME_CRC_SIZE;
}
/**
 * Builds a complete frame: header, stored payload, payload CRC.
 *
 * With `out` (at least {@link frameCapacity} bytes) and no key, the frame is
 * built inside `out` and returned as a view of it: zstd compresses straight
 * into place, and a writer that recycles `out` allocates nothing per frame.
 * Otherwise the frame gets a buffer of its own.
 */
export function encodeFrame(id, raw, level, key, out) {
    if (out && !key && out.length >= frameCapacity(raw.length))
        return encodeInto(id, raw, level, out);
    let codec = Codec.None;
    let body = raw;
    if (level !== 'none' && raw.length > 0) {
        const packed = compressFrame(raw, level);
        // Incompressible data (random bytes, already-compressed blobs) is stored as is: never larger than raw.
        if (packed) {
            codec = Codec.Zstd;
            body = packed;
        }
    }
    const header = { ...id, codec, rawLength: raw.length, storedLength: 0 };
    const stored = key ? sealFrame(key, id.ordinal, frameAad(header), body) : body;
    header.storedLength = stored.length;
    const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + stored.length + FRAME_CRC_SIZE);
    encodeFrameHeader(header, frame);
    frame.set(stored, FRAME_HEADER_SIZE);
    frame.writeUInt32LE(crc32(stored), FRAME_HEADER_SIZE + stored.length);
    return frame;
}
function encodeInto(id, raw, level, out) {
    let codec = Codec.None;
    let storedLength = raw.length;
    if (level !== 'none' && raw.length > 0) {
        const room = out.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + compressBound(raw.length));
        const written = contextFor(level).compress2(room, raw);
        // Incompressible data is stored as is, exactly as encodeFrame does.
        if (written < raw.length) {
            codec = Codec.Zstd;
            storedLength = written;
        }
    }
    if (codec === Codec.None)
        out.set(raw, FRAME_HEADER_SIZE);
    encodeFrameHeader({ ...id, codec, rawLength: raw.length, storedLength }, out);
    const stored = out.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + storedLength);
    out.writeUInt32LE(crc32(stored), FRAME_HEADER_SIZE + storedLength);
    return out.subarray(0, FRAME_HEADER_SIZE + storedLength + FRAME_CRC_SIZE);
}
/**
 * Recovers a frame's raw bytes from its stored payload and trailing CRC.
 * Returns a problem instead of bytes when anything does not check out: wrong
 * bytes are never returned. A compressed frame is decompressed into `out` when
 * it is large enough (the reader recycles such buffers), else into a new one.
 */
export function decodeFrame(header, stored, storedCrc, key, out) {
    if (crc32(stored) !== storedCrc)
        return 'checksum mismatch';
    let body = stored;
    if (key) {
        const opened = openFrame(key, header.ordinal, frameAad(header), stored);
        if (!opened)
            return 'authentication failed';
        body = opened;
    }
    if (header.rawLength > MAX_FRAME_SIZE)
        return 'length mismatch';
    let raw;
    if (header.codec === Codec.Zstd) {
        // The header says how large the frame is: decompress straight into a buffer of that size.
        raw =
            out && out.length >= header.rawLength
                ? out.subarray(0, header.rawLength)
                : Buffer.allocUnsafeSlow(header.rawLength);
        try {
            dctx ??= new DCtx();
            if (dctx.decompress(raw, body) !== header.rawLength)
                return 'length mismatch';
        }
        catch {
            return 'decompression failed';
        }
    }
    else {
        raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    }
    if (raw.length !== header.rawLength)
        return 'length mismatch';
    return raw;
}
//# sourceMappingURL=frame-codec.js.map