import { Writable } from 'node:stream';
import { defaultCodecThreads } from '../archive/codec-pool.js';
import { FrameType } from '../archive/format.js';
import { type CompressionLevel, encodeFrame } from '../archive/frame-codec.js';
import type { EngineName, EngineStreamWriter, StreamWriterSet } from '../engines/engine.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { UsageError } from '../errors.js';
import { ignoreProgress, type ProgressEvent, type ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { DEFAULT_COMPRESSION_BY_ENGINE, scrub } from './backup.js';
import { type CompareRun, timeNativeDump } from './bench-compare.js';

/**
 * `stowage bench`: how fast a database reads and what its archive would
 * weigh at several compression levels, without writing an archive. The
 * engine's own backup path runs into measuring streams (so the figures are a
 * real backup's), a bounded sample of the streams' bytes (whole frames, in
 * the order they arrive, up to 32 MiB) is compressed with the archive's frame
 * codec at each level, and a time budget cuts the read
 * short on big databases: what was not read is extrapolated from the
 * engine's size estimates.
 */

export interface BenchOptions {
  /** Source connection URL; only read (the engine's backup path, in its read-only snapshot). */
  source: string;
  /** Time budget in seconds for reading and compressing (default 30); a `compare` run comes on top. */
  seconds?: number;
  /** Compression levels to measure (default 1, 3, 6, 9). */
  levels?: CompressionLevel[];
  /** Parallel connections, as for backup (default 2). */
  jobs?: number;
  /** Engine backup options (selection), as for backup. */
  engineOptions?: Record<string, unknown>;
  /** Also time pg_dump -Fc / mongodump --archive --gzip on the same database when on the PATH. */
  compare?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** One table or collection. */
export interface UnitBench {
  unit: string;
  /** Rows or documents read. */
  rows: number;
  /** Bytes read (as a backup archives them, before compression). */
  bytes: number;
  /** Wall time from the first byte to the last, seconds. */
  seconds: number;
  rowsPerSecond: number;
  bytesPerSecond: number;
  /** False when the time budget ended the read before this unit's end. */
  complete: boolean;
  /** The engine's estimate of the whole unit, when it was not read to its end. */
  estimatedRows?: number;
  estimatedBytes?: number;
}

/** One compression level, measured on the sampled bytes. */
export interface LevelBench {
  level: CompressionLevel;
  /** Archived bytes per raw byte on the sample. */
  ratio: number;
  /** Raw bytes compressed per second on one thread. */
  bytesPerSecond: number;
  /** Estimated archive size of a full backup at this level. */
  archiveBytes: number;
}

export interface BenchReport {
  engine: EngineName;
  source: string;
  database: string;
  budgetSeconds: number;
  /** True when the budget ended the read before the whole database was read: totals are extrapolated. */
  sampled: boolean;
  units: UnitBench[];
  read: { rows: number; bytes: number; seconds: number; rowsPerSecond: number; bytesPerSecond: number };
  /** Raw bytes the levels were measured on. */
  sampledBytes: number;
  levels: LevelBench[];
  /** The level a backup uses by default for this engine. */
  defaultLevel: CompressionLevel;
  /** A full backup at the default level. */
  estimate: { rows: number; rawBytes: number; archiveBytes: number; seconds: number };
  compare?: CompareRun[];
}

const DEFAULT_LEVELS: CompressionLevel[] = [1, 3, 6, 9];
/** Bytes of each stream kept for the compression sample: one archive frame. */
const SAMPLE_PER_STREAM = 2 * 1024 * 1024;
/** All samples together: memory stays flat however big the database. */
const SAMPLE_TOTAL = 32 * 1024 * 1024;
/** Share of the budget for reading; the rest compresses the sample. */
const READ_SHARE = 0.7;

interface StreamMeasure {
  name: string;
  bytes: number;
  items: number;
  first: number;
  last: number;
  done: boolean;
}

/** Where the engine writes during a bench: counts, keeps a bounded sample, stores nothing. */
class MeasuringStreams implements StreamWriterSet {
  readonly streams = new Map<string, StreamMeasure>();
  readonly samples: Buffer[] = [];
  private sampled = 0;

  open(name: string): EngineStreamWriter {
    const m: StreamMeasure = { name, bytes: 0, items: 0, first: 0, last: 0, done: false };
    this.streams.set(name, m);
    const parts: Buffer[] = [];
    let kept = 0;
    const flush = () => {
      if (kept > 0) this.samples.push(Buffer.concat(parts, kept));
      parts.length = 0;
      kept = 0;
    };
    const writer = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        const now = performance.now();
        if (m.bytes === 0) m.first = now;
        m.last = now;
        m.bytes += chunk.length;
        const room = Math.min(SAMPLE_PER_STREAM - kept, SAMPLE_TOTAL - this.sampled);
        if (room > 0) {
          const piece = chunk.length <= room ? Buffer.from(chunk) : Buffer.from(chunk.subarray(0, room));
          parts.push(piece);
          kept += piece.length;
          this.sampled += piece.length;
          if (kept >= SAMPLE_PER_STREAM) flush();
        }
        callback();
      },
      final: (callback) => {
        m.items = writer.itemCount;
        m.done = true;
        if (m.first === 0) m.first = m.last = performance.now();
        flush();
        callback();
      },
    }) as EngineStreamWriter;
    writer.itemCount = 0;
    return writer;
  }
}

/** Measures read speed and archive size at several levels of one database; see {@link BenchOptions}. */
export async function bench(options: BenchOptions): Promise<BenchReport> {
  const engineName = engineNameForUrl(options.source);
  const seconds = options.seconds ?? 30;
  if (!(seconds > 0))
    throw new UsageError(`the time budget must be a positive number of seconds, got ${seconds}`);
  const levels = options.levels ?? DEFAULT_LEVELS;
  for (const level of levels) {
    if (level !== 'none' && (!Number.isInteger(level) || level < 1 || level > 19)) {
      throw new UsageError(`compression level must be 1–19 or none, got ${level}`);
    }
  }
  const progress = options.onProgress ?? ignoreProgress;
  const engine = await loadEngine(engineName);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const budget = new AbortController();
  const timer = setTimeout(
    () => budget.abort(new Error('bench time budget reached')),
    seconds * READ_SHARE * 1000,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, budget.signal]) : budget.signal;

  const streams = new MeasuringStreams();
  const estimates = new Map<string, { items?: number; bytes?: number }>();
  const latest = new Map<string, { items: number; bytes: number }>();
  const listen = (event: ProgressEvent) => {
    if (event.type === 'plan') {
      for (const u of event.units)
        estimates.set(u.name, { items: u.estimatedItems, bytes: u.estimatedBytes });
    } else if (event.type === 'unit-progress' || event.type === 'unit-done') {
      latest.set(event.name, { items: event.items, bytes: event.bytes });
    }
    progress(event);
  };
  let database = '';
  let sampled = false;
  progress({
    type: 'phase',
    phase: 'bench',
    message: `reading ${redactUrl(options.source)} for up to ${seconds} s`,
  });
  try {
    const result = await engine.backup({
      url: options.source,
      streams,
      jobs: options.jobs ?? 2,
      options: options.engineOptions ?? {},
      progress: listen,
      signal,
      // A bench reports what it can read; what a backup could not carry is the backup's concern.
      onIncomplete: () => {},
    });
    database = result.database;
  } catch (err) {
    if (!budget.signal.aborted || options.signal?.aborted) throw scrub(err, options.source);
    sampled = true;
  } finally {
    clearTimeout(timer);
  }
  const readEnd = performance.now();
  const readSeconds = (readEnd - started) / 1000;
  if (!database) database = redactUrl(options.source).replace(/^.*\//, '').replace(/\?.*$/, '');

  const units = unitsOf(streams, estimates, latest, (s) => engine.unitOfStream(s), sampled);
  const readRows = units.reduce((n, u) => n + u.rows, 0);
  const readBytes = units.reduce((n, u) => n + u.bytes, 0);
  if (sampled && readBytes === 0) {
    throw new UsageError(
      `the ${seconds} s budget ended before ${redactUrl(options.source)} read any data: nothing was measured`,
      'give a larger --seconds',
    );
  }
  const fullRows = units.reduce((n, u) => n + Math.max(u.rows, u.estimatedRows ?? 0), 0);
  const fullBytes = units.reduce((n, u) => n + Math.max(u.bytes, u.estimatedBytes ?? 0), 0);

  progress({
    type: 'phase',
    phase: 'bench',
    message: `compressing the sample at level ${levels.join(', ')}`,
  });
  const measured = compressSample(streams.samples, levels, deadline);
  const defaultLevel = DEFAULT_COMPRESSION_BY_ENGINE[engineName];
  const levelReports: LevelBench[] = measured.map((m) => ({
    level: m.level,
    ratio: m.ratio,
    bytesPerSecond: m.bytesPerSecond,
    archiveBytes: Math.round(fullBytes * m.ratio),
  }));
  const atDefault = levelReports.find((l) => l.level === defaultLevel);
  const defaultRatio =
    atDefault?.ratio ?? compressSample(streams.samples, [defaultLevel], deadline)[0]!.ratio;
  const defaultSpeed = atDefault?.bytesPerSecond;
  const readRate = readBytes > 0 ? readBytes / readSeconds : 0;
  const readFull =
    readBytes > 0 && fullBytes > readBytes ? readSeconds * (fullBytes / readBytes) : readSeconds;
  // Compression runs on codec threads beside the read: the slower of the two sets the pace.
  const compressFull = defaultSpeed
    ? fullBytes / defaultSpeed / Math.max(1, defaultCodecThreads(defaultLevel))
    : 0;

  const report: BenchReport = {
    engine: engineName,
    source: redactUrl(options.source),
    database,
    budgetSeconds: seconds,
    sampled,
    units,
    read: {
      rows: readRows,
      bytes: readBytes,
      seconds: readSeconds,
      rowsPerSecond: readSeconds > 0 ? readRows / readSeconds : 0,
      bytesPerSecond: readRate,
    },
    sampledBytes: measured[0]?.sampledBytes ?? 0,
    levels: levelReports,
    defaultLevel,
    estimate: {
      rows: Math.round(fullRows),
      rawBytes: Math.round(fullBytes),
      archiveBytes: Math.round(fullBytes * defaultRatio),
      seconds: Math.max(readFull, compressFull),
    },
  };
  if (options.compare) {
    progress({ type: 'phase', phase: 'bench', message: 'timing the native dump tool on the same database' });
    report.compare = [await timeNativeDump(engineName, options.source, options.signal)];
  }
  return report;
}

function unitsOf(
  streams: MeasuringStreams,
  estimates: Map<string, { items?: number; bytes?: number }>,
  latest: Map<string, { items: number; bytes: number }>,
  unitOfStream: (stream: string) => string,
  sampled: boolean,
): UnitBench[] {
  interface Acc {
    rows: number;
    bytes: number;
    first: number;
    last: number;
    complete: boolean;
    estRows: number;
    estBytes: number;
  }
  const byUnit = new Map<string, Acc>();
  const acc = (stream: string): Acc => {
    const unit = unitOfStream(stream);
    let a = byUnit.get(unit);
    if (!a) {
      a = { rows: 0, bytes: 0, first: Infinity, last: 0, complete: true, estRows: 0, estBytes: 0 };
      byUnit.set(unit, a);
    }
    return a;
  };
  const seen = new Set<string>();
  for (const m of streams.streams.values()) {
    seen.add(m.name);
    const a = acc(m.name);
    a.bytes += m.bytes;
    a.rows += m.done ? m.items : (latest.get(m.name)?.items ?? 0);
    if (m.bytes > 0 || m.done) {
      a.first = Math.min(a.first, m.first);
      a.last = Math.max(a.last, m.last);
    }
    const e = estimates.get(m.name);
    if (!m.done) a.complete = false;
    a.estRows += m.done ? m.items : Math.max(e?.items ?? 0, a.rows);
    a.estBytes += m.done ? m.bytes : Math.max(e?.bytes ?? 0, m.bytes);
  }
  // Planned streams the budget never reached.
  if (sampled) {
    for (const [name, e] of estimates) {
      if (seen.has(name)) continue;
      const a = acc(name);
      a.complete = false;
      a.estRows += Math.max(0, e.items ?? 0);
      a.estBytes += Math.max(0, e.bytes ?? 0);
    }
  }
  return [...byUnit.entries()].map(([unit, a]) => {
    const secs = a.last > a.first ? (a.last - a.first) / 1000 : 0;
    return {
      unit,
      rows: a.rows,
      bytes: a.bytes,
      seconds: secs,
      rowsPerSecond: secs > 0 ? a.rows / secs : 0,
      bytesPerSecond: secs > 0 ? a.bytes / secs : 0,
      complete: a.complete,
      ...(a.complete ? {} : { estimatedRows: Math.round(a.estRows), estimatedBytes: Math.round(a.estBytes) }),
    };
  });
}

interface LevelMeasure {
  level: CompressionLevel;
  ratio: number;
  bytesPerSecond: number;
  sampledBytes: number;
}

/**
 * Encodes the sample frame by frame at every level, as the archive writer
 * would (header, payload, CRC), until the deadline; every level sees the same
 * frames, so their ratios compare.
 */
function compressSample(samples: Buffer[], levels: CompressionLevel[], deadline: number): LevelMeasure[] {
  const raw = levels.map(() => 0);
  const stored = levels.map(() => 0);
  const ms = levels.map(() => 0);
  let ordinal = 0;
  for (const sample of samples) {
    if (ordinal > 0 && performance.now() > deadline) break;
    const id = { type: FrameType.Data, streamId: 0, ordinal: ordinal++, sequence: 0 };
    levels.forEach((level, i) => {
      const t0 = performance.now();
      const frame = encodeFrame(id, sample, level, undefined);
      ms[i]! += performance.now() - t0;
      raw[i]! += sample.length;
      stored[i]! += frame.length;
    });
  }
  return levels.map((level, i) => ({
    level,
    ratio: raw[i]! > 0 ? stored[i]! / raw[i]! : 1,
    bytesPerSecond: ms[i]! > 0 ? raw[i]! / (ms[i]! / 1000) : 0,
    sampledBytes: raw[i]!,
  }));
}
