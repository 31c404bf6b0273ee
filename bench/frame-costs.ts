/**
 * Single-thread cost of each piece of per-frame work, in milliseconds per
 * frame: bare zstd-napi against the archive's encodeFrame/decodeFrame, plus
 * SHA-256, CRC32 and the copy into frames. The minimum over several passes,
 * so it is fairly stable even on a busy machine. Not a harness scenario: run
 * it directly after the archive corpus exists (npm run bench -- archive once):
 *
 *   npx tsx bench/frame-costs.ts [corpus.tsv] [frameKiB]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Compressor, Decompressor } from 'zstd-napi';
import { decodeFrameHeader, FrameType } from '../src/archive/format.js';
import { decodeFrame, encodeFrame } from '../src/archive/frame-codec.js';
import { corpusDir } from './lib/corpus.js';

const path = process.argv[2] ?? `${corpusDir()}/stowage-bench-corpus-v1-42-384MiB.tsv`;
const frameSize = Number(process.argv[3] ?? 2048) * 1024;
const corpus = readFileSync(path);
const count = Math.min(24, Math.floor(corpus.length / frameSize));
const stride = Math.floor(corpus.length / count);
const frames = Array.from({ length: count }, (_, i) =>
  Buffer.from(corpus.subarray(i * stride, i * stride + frameSize)),
);

function perFrame(work: () => void, passes = 7): number {
  let best = Number.POSITIVE_INFINITY;
  for (let p = 0; p < passes; p++) {
    const t = performance.now();
    work();
    best = Math.min(best, performance.now() - t);
  }
  return best / frames.length;
}

const ident = (i: number) => ({ type: FrameType.Data, streamId: 0, ordinal: i, sequence: i });
const rows: [string, number][] = [];
for (const level of [1, 3, 9]) {
  const passes = level >= 9 ? 2 : 7;
  const c = new Compressor();
  c.setParameters({ compressionLevel: level, checksumFlag: false, contentSizeFlag: true });
  rows.push([
    `zstd-napi compress, level ${level}`,
    perFrame(() => {
      for (const f of frames) c.compress(f);
    }, passes),
  ]);
  rows.push([
    `encodeFrame, level ${level}`,
    perFrame(() => {
      for (const [i, f] of frames.entries()) encodeFrame(ident(i), f, level, undefined);
    }, passes),
  ]);
  const encoded = frames.map((f, i) => encodeFrame(ident(i), f, level, undefined));
  const d = new Decompressor();
  rows.push([
    `zstd-napi decompress, level ${level}`,
    perFrame(() => {
      for (const e of encoded) d.decompress(e.subarray(32, e.length - 4));
    }),
  ]);
  rows.push([
    `decodeFrame, level ${level}`,
    perFrame(() =>
      encoded.forEach((e) => {
        decodeFrame(
          decodeFrameHeader(e)!,
          e.subarray(32, e.length - 4),
          e.readUInt32LE(e.length - 4),
          undefined,
        );
      }),
    ),
  ]);
}
rows.push([
  'SHA-256 of the raw frame, 64 KiB updates',
  perFrame(() =>
    frames.forEach((f) => {
      const h = createHash('sha256');
      for (let at = 0; at < f.length; at += 65536) h.update(f.subarray(at, at + 65536));
      h.digest();
    }),
  ),
]);
rows.push([
  'CRC32 of the raw frame',
  perFrame(() => {
    for (const f of frames) crc32(f);
  }),
]);
const into = Buffer.allocUnsafeSlow(frameSize);
rows.push([
  'copy into a frame buffer, 64 KiB chunks',
  perFrame(() =>
    frames.forEach((f) => {
      for (let at = 0; at < f.length; at += 65536) f.copy(into, at, at, at + 65536);
    }),
  ),
]);
console.log(`| per ${frameSize / 1024} KiB frame (${path}) | ms |\n|---|---:|`);
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(2)} |`);
