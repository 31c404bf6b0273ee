import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ByteSink } from '../../src/archive/byte-sink.js';
import {
  Codec,
  decodeFrameHeader,
  FRAME_HEADER_SIZE,
  FrameType,
  frameTotalSize,
  HEADER_SIZE,
  TRAILER_SIZE,
} from '../../src/archive/format.js';
import type { CompressionLevel } from '../../src/archive/frame-codec.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { LocalFileSink } from '../../src/store/local/local-file-sink.js';
import { LocalFileSource } from '../../src/store/local/local-file-source.js';
import { BareZstdPool } from '../lib/bare-zstd.js';
import { type Corpus, ensureCorpus } from '../lib/corpus.js';
import { type BenchCase, defineScenario, type TaskResult } from '../lib/harness.js';

/**
 * Archive write and read throughput against the bare compressor.
 *
 * Input: a deterministic ~384 MiB corpus of COPY-text-like rows in four
 * "tables" (bench/lib/corpus.ts), cached on tmpfs. Every case reads it the same
 * way: the four tables through four concurrent fs read streams in `chunkKiB`
 * chunks (64 KiB, about what a COPY or cursor stream delivers).
 *
 * - bare-zstdN: the ceiling. The same zstd-napi at level N on the same number
 *   of worker threads, fed the same 2 MiB frames with the same bound on frames
 *   in flight; compressed output is discarded. No frame headers, CRC, SHA-256,
 *   ordering or output I/O. bare-none reads the input into frames and drops
 *   them: the input floor.
 * - bare-zstdN-sha256: the ceiling plus a SHA-256 of each table on the main
 *   thread, the one piece of the writer's work that grows with the data like
 *   compression does. Its ratio to bare-zstdN is what the manifest's
 *   whole-stream SHA-256 costs on its own.
 * - write-zstdN-null: ArchiveWriter with the four tables as four concurrent
 *   streams, into a sink that drops the bytes. Its ratio to bare-zstdN is the
 *   writer's overhead (requirement: under 10%).
 * - write-zstdN-file: the same into a LocalFileSink on disk (scratch folder
 *   under the OS temp dir): .partial file, fsync, rename — what a backup pays.
 * - bare-unzstdN: the read ceiling. The data frames' payloads read from the
 *   archive file and decompressed on the same number of worker threads.
 * - read-zstdN: ArchiveReader opening that archive and reading all four
 *   streams concurrently (CRC, SHA-256 and length checks included). For an
 *   unencrypted archive the reader decodes on the main thread (see
 *   codec-pool.ts), so this is the single-threaded reader against a
 *   two-thread ceiling.
 *
 * Options (--set KEY=VALUE): sizeMiB (384; 32 with --quick), levels (none,1,3,9),
 * threads (codec threads; default one per core, given to the writer explicitly),
 * frameKiB (2048), chunkKiB (64), seed (42), keepCorpus (0 removes the cached
 * corpus afterwards).
 */

interface Common {
  corpus: Corpus;
  level: CompressionLevel;
  threads: number;
  frameSize: number;
  chunkSize: number;
  /** Bare only: also SHA-256 every table on the main thread, as the writer does for the manifest. */
  sha256?: boolean;
}

interface WriteArgs extends Common {
  sink: 'null' | 'file';
  out: string;
}

interface ReadArgs {
  archive: string;
  threads: number;
  level: CompressionLevel;
  rawBytes: number;
}

/** Drops everything: isolates the writer from output I/O. */
class NullSink implements ByteSink {
  bytes = 0;
  readonly location = 'null';
  /** It keeps nothing, so the writer recycles frame buffers exactly as with a local file. */
  readonly releasesChunks = true;
  async write(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.length;
  }
  async commit(): Promise<void> {}
  async abort(): Promise<void> {}
}

async function write(args: WriteArgs): Promise<TaskResult> {
  const started = performance.now();
  const sink: ByteSink =
    args.sink === 'file' ? await LocalFileSink.create(args.out, { overwrite: true }) : new NullSink();
  const writer = await ArchiveWriter.create(sink, {
    compression: args.level,
    threads: args.threads,
    frameSize: args.frameSize,
  });
  await Promise.all(
    args.corpus.tables.map(async (t) => {
      const stream = writer.open(t.name);
      stream.itemCount = t.rows;
      const input = createReadStream(args.corpus.path, {
        start: t.offset,
        end: t.offset + t.length - 1,
        highWaterMark: args.chunkSize,
      });
      await pipeline(input, stream);
    }),
  );
  const now = new Date().toISOString();
  const result = await writer.finish({
    tool: { name: 'stowage', version: 'bench' },
    engine: 'postgres',
    serverVersion: 'bench',
    database: 'bench',
    source: 'bench corpus',
    startedAt: now,
    finishedAt: now,
    kind: 'manual',
    pointInTime: true,
    options: { compression: args.level },
    warnings: [],
    schema: null,
  });
  const ms = performance.now() - started;
  return {
    ms,
    metrics: {
      archiveMB: Number((result.bytes / 1e6).toFixed(1)),
      compression: Number((args.corpus.bytes / result.bytes).toFixed(3)),
    },
  };
}

/**
 * Reads the corpus the way the writer's input does — the four tables through
 * concurrent read streams in the same chunk size — and cuts each table into
 * frame-size buffers, handing each frame to `frame`.
 */
async function readFrames(args: Common, frame: (raw: Buffer) => Promise<unknown>): Promise<void> {
  await Promise.all(
    args.corpus.tables.map(async (t) => {
      const input = createReadStream(args.corpus.path, {
        start: t.offset,
        end: t.offset + t.length - 1,
        highWaterMark: args.chunkSize,
      });
      let buffer = Buffer.allocUnsafeSlow(args.frameSize);
      let filled = 0;
      const hash = args.sha256 ? createHash('sha256') : undefined;
      for await (const chunk of input as AsyncIterable<Buffer>) {
        hash?.update(chunk);
        let at = 0;
        while (at < chunk.length) {
          const n = Math.min(chunk.length - at, args.frameSize - filled);
          chunk.copy(buffer, filled, at, at + n);
          filled += n;
          at += n;
          if (filled === args.frameSize) {
            await frame(buffer);
            buffer = Buffer.allocUnsafeSlow(args.frameSize);
            filled = 0;
          }
        }
      }
      if (filled > 0) await frame(buffer.subarray(0, filled));
      hash?.digest('hex');
    }),
  );
}

async function bareCompress(args: Common): Promise<TaskResult> {
  const started = performance.now();
  if (args.level === 'none') {
    let frames = 0;
    await readFrames(args, async () => frames++);
    return { ms: performance.now() - started, metrics: { frames } };
  }
  const pool = new BareZstdPool(args.threads, args.level);
  const sizes: Promise<number>[] = [];
  await readFrames(args, async (raw) => sizes.push((await pool.submit('compress', raw)).done));
  const total = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  const ms = performance.now() - started;
  await pool.close();
  return { ms, metrics: { compression: Number((args.corpus.bytes / total).toFixed(3)) } };
}

/** Offsets and lengths of the zstd payloads of an archive's data frames (found untimed). */
async function dataPayloads(path: string): Promise<{ offset: number; length: number; codec: Codec }[]> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const out: { offset: number; length: number; codec: Codec }[] = [];
    const header = Buffer.alloc(FRAME_HEADER_SIZE);
    let offset = HEADER_SIZE;
    while (offset < size - TRAILER_SIZE) {
      await handle.read(header, 0, FRAME_HEADER_SIZE, offset);
      const fh = decodeFrameHeader(header);
      if (!fh) throw new Error(`bad frame header at ${offset}`);
      if (fh.type === FrameType.Data)
        out.push({ offset: offset + FRAME_HEADER_SIZE, length: fh.storedLength, codec: fh.codec });
      offset += frameTotalSize(fh.storedLength);
    }
    return out;
  } finally {
    await handle.close();
  }
}

async function bareDecompress(args: ReadArgs): Promise<TaskResult> {
  const payloads = await dataPayloads(args.archive);
  const started = performance.now();
  const handle = await open(args.archive, 'r');
  const pool = new BareZstdPool(args.threads, 'none');
  const sizes: Promise<number>[] = [];
  for (const p of payloads) {
    const buffer = Buffer.allocUnsafeSlow(p.length);
    await handle.read(buffer, 0, p.length, p.offset);
    sizes.push(
      p.codec === Codec.Zstd ? (await pool.submit('decompress', buffer)).done : Promise.resolve(p.length),
    );
  }
  const total = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  const ms = performance.now() - started;
  await handle.close();
  await pool.close();
  if (total !== args.rawBytes)
    throw new Error(`bare decompress produced ${total} bytes, expected ${args.rawBytes}`);
  return { ms };
}

async function read(args: ReadArgs): Promise<TaskResult> {
  const started = performance.now();
  const reader = await ArchiveReader.open(await LocalFileSource.open(args.archive), {
    threads: args.threads,
  });
  const totals = await Promise.all(
    reader.list().map(async (s) => {
      let n = 0;
      for await (const chunk of reader.open(s.name)) n += (chunk as Buffer).length;
      return n;
    }),
  );
  await reader.close();
  const ms = performance.now() - started;
  const total = totals.reduce((a, b) => a + b, 0);
  if (total !== args.rawBytes) throw new Error(`read ${total} bytes, expected ${args.rawBytes}`);
  return { ms };
}

const levelName = (level: CompressionLevel) => (level === 'none' ? 'none' : `zstd${level}`);

let corpusToRemove: Corpus | undefined;

export const scenario = defineScenario({
  name: 'archive',
  description:
    'Archive write and read throughput at zstd levels none/1/3/9 on a deterministic COPY-text-like corpus (four tables written as four concurrent streams), ' +
    'against the bare compressor: the same zstd-napi, level, 2 MiB frames and number of worker threads, with the same input reading and frames-in-flight bound, ' +
    'but no framing, CRC, SHA-256, ordering or output. "null" writes into a sink that drops bytes (the writer overhead); "file" writes a real .stow file with fsync and rename. ' +
    'MB/s is raw (uncompressed) bytes per second.',
  async prepare(options) {
    const v = options.values;
    const sizeMiB = Number(v.sizeMiB ?? (options.quick ? 32 : 384));
    const levels: CompressionLevel[] = (v.levels ?? 'none,1,3,9')
      .split(',')
      .map((l) => (l === 'none' ? 'none' : Number(l)));
    const threads = Number(v.threads ?? Math.max(1, Math.min(availableParallelism(), 8)));
    const frameSize = Number(v.frameKiB ?? 2048) * 1024;
    const chunkSize = Number(v.chunkKiB ?? 64) * 1024;
    options.log(`corpus of ${sizeMiB} MiB (generated once, then cached)`);
    const t0 = performance.now();
    const corpus = await ensureCorpus(sizeMiB, Number(v.seed ?? 42));
    options.log(`corpus ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${corpus.path}`);
    if (v.keepCorpus === '0') corpusToRemove = corpus;
    const cases: BenchCase[] = [];
    for (const level of levels) {
      const name = levelName(level);
      const common: Common = { corpus, level, threads, frameSize, chunkSize };
      const archive = join(options.scratchDir, `reference-${name}.stow`);
      // The read cases read an archive written once, untimed, before their first run.
      const ensureArchive = async () => {
        if (existsSync(archive)) return;
        options.log(`writing reference archive ${archive}`);
        await write({ ...common, sink: 'file', out: archive });
      };
      const out = join(options.scratchDir, `write-${name}.stow`);
      cases.push(
        {
          id: `bare-${name}`,
          group: name,
          label: level === 'none' ? 'bare: read input into frames' : 'bare zstd-napi (ceiling)',
          bytes: corpus.bytes,
          run: { task: 'bareCompress', args: common },
        },
        {
          id: `bare-${name}-sha256`,
          group: name,
          label: level === 'none' ? 'bare + SHA-256 of the input' : 'bare zstd-napi + SHA-256 of the input',
          bytes: corpus.bytes,
          baseline: `bare-${name}`,
          run: { task: 'bareCompress', args: { ...common, sha256: true } },
        },
        {
          id: `write-${name}-null`,
          group: name,
          label: 'write → null sink',
          bytes: corpus.bytes,
          baseline: `bare-${name}`,
          run: { task: 'write', args: { ...common, sink: 'null', out } },
        },
        {
          id: `write-${name}-file`,
          group: name,
          label: 'write → file (fsync)',
          bytes: corpus.bytes,
          baseline: `bare-${name}`,
          run: { task: 'write', args: { ...common, sink: 'file', out } },
          afterEach: () => rm(out, { force: true }),
        },
      );
      const readArgs: ReadArgs = { archive, threads, level, rawBytes: corpus.bytes };
      if (level !== 'none') {
        cases.push({
          id: `bare-un${name}`,
          group: name,
          label: 'bare zstd-napi decompress (ceiling)',
          bytes: corpus.bytes,
          run: { task: 'bareDecompress', args: readArgs },
          beforeEach: ensureArchive,
        });
      }
      cases.push({
        id: `read-${name}`,
        group: name,
        label: 'read all streams',
        bytes: corpus.bytes,
        baseline: level !== 'none' ? `bare-un${name}` : undefined,
        run: { task: 'read', args: readArgs },
        beforeEach: ensureArchive,
      });
    }
    options.log(
      `${cases.length} cases, ${threads} codec threads, frame ${frameSize / 1024} KiB, input chunk ${chunkSize / 1024} KiB`,
    );
    return cases;
  },
  async cleanup() {
    if (corpusToRemove) {
      await rm(corpusToRemove.path, { force: true });
      await rm(`${corpusToRemove.path}.json`, { force: true });
    }
  },
  tasks: {
    write: (args: WriteArgs) => write(args),
    read: (args: ReadArgs) => read(args),
    bareCompress: (args: Common) => bareCompress(args),
    bareDecompress: (args: ReadArgs) => bareDecompress(args),
  },
});
