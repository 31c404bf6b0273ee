import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defaultCodecThreads } from '../archive/codec-pool.js';
import { FrameType } from '../archive/format.js';
import { type CompressionLevel, encodeFrame } from '../archive/frame-codec.js';
import type { EngineName, EngineStreamWriter, StreamWriterSet } from '../engines/engine.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { UsageError } from '../errors.js';
import { ignoreProgress, type ProgressEvent, type ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { abandonOnAbort } from './abandon-on-abort.js';
import { backup, DEFAULT_COMPRESSION_BY_ENGINE, scrub } from './backup.js';
import { type CompareRun, timeNativeDump } from './bench-compare.js';
import { checkScratch, type RestoreBench, restoreSample } from './bench-restore.js';
import { benchSessions } from './bench-sessions.js';
import { BudgetShare } from './bench-share.js';
import { ReadTimeModel, type TimeCosts } from './bench-time-model.js';
import { type StreamMeasure, unitsOf } from './bench-units.js';
import type { UnitThroughput } from './unit-throughput.js';

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
  /**
   * Also measure restore speed: the data read is written to a temporary
   * archive and restored into this scratch database, which must not exist
   * (PostgreSQL) or hold nothing (MongoDB); it is dropped afterwards. Comes on
   * top of the budget.
   */
  restoreInto?: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** One table or collection, as read (its time runs from the first byte read to the last). */
export interface UnitBench extends UnitThroughput {
  /** False when the unit was not read to its end (sampled, or the budget ended the read). */
  complete: boolean;
  /**
   * Share of the unit read when the budget sampled it (its fair share of the
   * time was less than it needs): PostgreSQL reads that fraction of the
   * table's blocks, MongoDB the first documents (then rows read / estimated).
   */
  fraction?: number;
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
  /** True when some unit was not read whole (sampled or cut by the budget): totals are extrapolated. */
  sampled: boolean;
  /** True when the budget ran out before the engine finished (the catalog alone took most of it). */
  cut: boolean;
  units: UnitBench[];
  read: { rows: number; bytes: number; seconds: number; rowsPerSecond: number; bytesPerSecond: number };
  /** Raw bytes the levels were measured on. */
  sampledBytes: number;
  levels: LevelBench[];
  /** The level a backup uses by default for this engine. */
  defaultLevel: CompressionLevel;
  /** A full backup at the default level. */
  estimate: {
    rows: number;
    rawBytes: number;
    archiveBytes: number;
    seconds: number;
    /**
     * The read's costs as fitted on this run (see ReadTimeModel), which the
     * time of what was not read is extrapolated from: wall seconds per
     * table/collection stream and per byte. Absent when no stream ended.
     */
    costs?: TimeCosts;
  };
  compare?: CompareRun[];
  /** With {@link BenchOptions.restoreInto}: restoring what was read. */
  restore?: RestoreBench;
}

const DEFAULT_LEVELS: CompressionLevel[] = [1, 3, 6, 9];
/** Bytes of each stream kept for the compression sample: one archive frame. */
const SAMPLE_PER_STREAM = 2 * 1024 * 1024;
/** All samples together: memory stays flat however big the database. */
const SAMPLE_TOTAL = 32 * 1024 * 1024;
/** Share of the budget for reading; the rest compresses the sample. */
const READ_SHARE = 0.7;
/**
 * The read is cut off at this multiple of its share: the shares end it in
 * time, but PostgreSQL's are decided from the speed seen so far, and reading
 * the catalog of a very big schema may take the budget by itself.
 */
const BACKSTOP = 1.25;
/** How long a read that does not stop at the backstop is waited for before it is left behind. */
const ABANDON_GRACE_MS = 1000;

/**
 * Where the engine writes during a bench: counts, keeps a bounded sample,
 * gives each stream its share of the budget, and forwards everything to
 * `archive` when there is one (--restore-into), storing nothing itself.
 */
class MeasuringStreams implements StreamWriterSet {
  readonly streams = new Map<string, StreamMeasure>();
  readonly samples: Buffer[] = [];
  /** Fitted as streams end: what extrapolates the read to a full backup. */
  readonly model = new ReadTimeModel();
  /** When the first stream opened: the data's part of the read starts there. */
  dataStart: number | undefined;
  private ended = 0;
  private bytesRead = 0;
  private sampled = 0;
  private readonly fractions = new Map<string, number>();
  /** Streams whose share was decided up front (the engine was asked for a fraction). */
  private readonly asked = new Set<string>();

  constructor(
    private readonly share: BudgetShare,
    private readonly estimatedBytes: (stream: string) => number,
    private readonly unitOfStream: (stream: string) => string,
    private readonly archive?: StreamWriterSet,
  ) {}

  sampleFraction(name: string, estimatedBytes: number): number {
    const fraction = BudgetShare.fraction(estimatedBytes, this.share.start(name, estimatedBytes));
    if (fraction < 1) this.fractions.set(name, fraction);
    // Asked up front: the engine reads that much, and the stream is never told to stop.
    this.asked.add(name);
    return fraction;
  }

  open(name: string): EngineStreamWriter {
    const asked = this.asked.has(name);
    const m: StreamMeasure = {
      name,
      bytes: 0,
      items: 0,
      first: 0,
      last: 0,
      done: false,
      stopped: false,
      ...(this.fractions.has(name) ? { fraction: this.fractions.get(name) } : {}),
    };
    this.streams.set(name, m);
    const opened = performance.now();
    this.dataStart ??= opened;
    // An engine that was not asked up front is told to stop once the unit's share of the time is spent.
    const estimated = this.estimatedBytes(name);
    const shareMs = asked
      ? Number.POSITIVE_INFINITY
      : estimated > 0
        ? this.share.timeFor(this.share.start(name, estimated))
        : this.share.startTimed(this.unitOfStream(name));
    const inner = this.archive?.open(name);
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
        this.bytesRead += chunk.length;
        if (!asked && !writer.enough && now - opened > shareMs) {
          writer.enough = true;
          m.stopped = true;
        }
        const room = Math.min(SAMPLE_PER_STREAM - kept, SAMPLE_TOTAL - this.sampled);
        if (room > 0) {
          const piece = chunk.length <= room ? Buffer.from(chunk) : Buffer.from(chunk.subarray(0, room));
          parts.push(piece);
          kept += piece.length;
          this.sampled += piece.length;
          if (kept >= SAMPLE_PER_STREAM) flush();
        }
        if (inner) inner.write(chunk, (err) => callback(err ?? null));
        else callback();
      },
      final: (callback) => {
        m.items = writer.itemCount;
        m.done = true;
        if (m.first === 0) m.first = m.last = performance.now();
        this.share.done(m.bytes, m.last - m.first);
        this.ended++;
        this.model.add((performance.now() - (this.dataStart ?? opened)) / 1000, this.ended, this.bytesRead);
        flush();
        if (!inner) return callback();
        inner.itemCount = writer.itemCount;
        inner.once('error', (err) => callback(err));
        inner.end(() => callback());
      },
      destroy: (err, callback) => {
        if (inner && !inner.destroyed) inner.destroy(err ?? undefined);
        callback(err);
      },
    }) as EngineStreamWriter;
    writer.itemCount = 0;
    inner?.once('error', (err) => writer.destroy(err));
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
  if (options.restoreInto !== undefined && engineNameForUrl(options.restoreInto) !== engineName) {
    throw new UsageError(
      `--restore-into needs a ${engineName} URL like the source, got ${redactUrl(options.restoreInto)}`,
    );
  }
  const progress = options.onProgress ?? ignoreProgress;
  const engine = await loadEngine(engineName);
  const jobs = options.jobs ?? 2;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const readEnd = started + seconds * READ_SHARE * 1000;
  const budget = new AbortController();
  // The shares end the read in time; this is the backstop for a catalog that alone takes the budget.
  // With --restore-into a cut read leaves nothing to restore: the backstop waits for the whole budget.
  const timer = setTimeout(
    () => budget.abort(new Error('bench time budget reached')),
    seconds * 1000 * (options.restoreInto ? 1 : READ_SHARE * BACKSTOP),
  );
  const signal = options.signal ? AbortSignal.any([options.signal, budget.signal]) : budget.signal;

  const share = new BudgetShare(readEnd, jobs);
  const estimates = new Map<string, { items?: number; bytes?: number }>();
  const latest = new Map<string, { items: number; bytes: number }>();
  // Set once the read is over or left behind: a read left behind says nothing more.
  let readOver = false;
  const listen = (event: ProgressEvent) => {
    if (readOver) return;
    if (event.type === 'plan') {
      for (const u of event.units)
        estimates.set(u.name, { items: u.estimatedItems, bytes: u.estimatedBytes });
      share.plan(event.units);
    } else if (event.type === 'unit-progress' || event.type === 'unit-done') {
      latest.set(event.name, { items: event.items, bytes: event.bytes });
    }
    progress(event);
  };
  const estimatedBytes = (stream: string) => estimates.get(stream)?.bytes ?? 0;
  // PostgreSQL: the run's sessions carry their own name, so that a cut read leaves none behind.
  const sessions = engineName === 'postgres' ? benchSessions(options.source) : undefined;
  const source = sessions?.source ?? options.source;
  let database = '';
  let cut = false;
  let streams: MeasuringStreams | undefined;
  // --restore-into: what is read also goes into a real archive, restored afterwards.
  // Refused before anything is read: a mistyped production URL costs nothing.
  if (options.restoreInto) await checkScratch(engineName, options.restoreInto);
  const workDir = options.restoreInto ? await mkdtemp(join(tmpdir(), 'stowage-bench-')) : undefined;
  const archivePath = workDir ? join(workDir, 'sample.stow') : undefined;
  try {
    progress({
      type: 'phase',
      phase: 'bench',
      message: `reading ${redactUrl(options.source)} for up to ${seconds} s`,
    });
    // The engine stops when the budget's signal aborts; one step that does not listen (a catalog
    // query) is waited for a moment at most, then left to end on its own.
    const read = async () => {
      if (archivePath) {
        const written = await backup({
          source,
          to: archivePath,
          jobs,
          kind: 'manual',
          note: 'stowage bench sample (temporary)',
          engineOptions: options.engineOptions ?? {},
          onProgress: listen,
          signal,
          preflight: false,
          allowIncomplete: true,
          streamsThrough: (archive) => {
            streams = new MeasuringStreams(share, estimatedBytes, (st) => engine.unitOfStream(st), archive);
            return streams;
          },
        });
        database = written.manifest.database;
      } else {
        streams = new MeasuringStreams(share, estimatedBytes, (st) => engine.unitOfStream(st));
        const result = await engine.backup({
          url: source,
          streams,
          jobs,
          options: options.engineOptions ?? {},
          progress: listen,
          signal,
          // A bench reports what it can read; what a backup could not carry is the backup's concern.
          onIncomplete: () => {},
        });
        await result.closing;
        database = result.database;
      }
    };
    try {
      await abandonOnAbort(read(), budget.signal, ABANDON_GRACE_MS);
    } catch (err) {
      clearTimeout(timer);
      // The engine dropped its connections; a server process that has not noticed yet is stopped.
      const left = await sessions?.endLeftovers().catch((cleanup: Error) => {
        progress({
          type: 'warning',
          message: `could not stop the bench's server sessions: ${(scrub(cleanup, options.source) as Error).message}`,
        });
        return 0;
      });
      if (left) {
        progress({
          type: 'phase',
          phase: 'bench',
          message: `stopped ${left} server session${left === 1 ? '' : 's'} the cut read left running`,
        });
      }
      if (!budget.signal.aborted || options.signal?.aborted) throw scrub(err, options.source);
      cut = true;
    } finally {
      readOver = true;
      clearTimeout(timer);
    }
    const readDone = performance.now();
    const readSeconds = (readDone - started) / 1000;
    if (!database) database = redactUrl(options.source).replace(/^.*\//, '').replace(/\?.*$/, '');
    const measured = streams ?? new MeasuringStreams(share, estimatedBytes, (st) => engine.unitOfStream(st));

    const units = unitsOf(measured.streams.values(), estimates, latest, (s) => engine.unitOfStream(s), cut);
    const readRows = units.reduce((n, u) => n + u.rows, 0);
    const readBytes = units.reduce((n, u) => n + u.bytes, 0);
    if (cut && readBytes === 0) {
      throw new UsageError(
        `the ${seconds} s budget ended before ${redactUrl(options.source)} read any data${estimates.size === 0 ? ' (it was still reading the catalog)' : ''}: nothing was measured`,
        estimates.size === 0 && engineName === 'mongodb'
          ? 'give a larger --seconds (FerretDB counts every document of every collection for the catalog: minutes for big ones)'
          : 'give a larger --seconds',
      );
    }
    const fullRows = units.reduce((n, u) => n + Math.max(u.rows, u.estimatedRows ?? 0), 0);
    const fullBytes = units.reduce((n, u) => n + Math.max(u.bytes, u.estimatedBytes ?? 0), 0);

    progress({
      type: 'phase',
      phase: 'bench',
      message: `compressing the sample at level ${levels.join(', ')}`,
    });
    const compressed = compressSample(measured.samples, levels, deadline);
    const defaultLevel = DEFAULT_COMPRESSION_BY_ENGINE[engineName];
    const levelReports: LevelBench[] = compressed.map((m) => ({
      level: m.level,
      ratio: m.ratio,
      bytesPerSecond: m.bytesPerSecond,
      archiveBytes: Math.round(fullBytes * m.ratio),
    }));
    const atDefault = levelReports.find((l) => l.level === defaultLevel);
    const defaultRatio =
      atDefault?.ratio ?? compressSample(measured.samples, [defaultLevel], deadline)[0]!.ratio;
    const defaultSpeed = atDefault?.bytesPerSecond;
    const readRate = readBytes > 0 ? readBytes / readSeconds : 0;
    // Connecting and the catalog are paid once and are in the read already; what was not read costs
    // a time per stream (round trips, bookkeeping) and per byte, both fitted on this read.
    const costs = measured.model.fit();
    let unreadStreams = 0;
    for (const name of estimates.keys()) if (!measured.streams.has(name)) unreadStreams++;
    const unreadBytes = Math.max(0, fullBytes - readBytes);
    let firstData = Infinity;
    for (const m of measured.streams.values()) if (m.bytes > 0) firstData = Math.min(firstData, m.first);
    const fixed = Number.isFinite(firstData) ? Math.max(0, (firstData - started) / 1000) : 0;
    const readFull = costs
      ? readSeconds + costs.perStream * unreadStreams + costs.perByte * unreadBytes
      : readBytes > 0 && fullBytes > readBytes
        ? fixed + (readSeconds - fixed) * (fullBytes / readBytes)
        : readSeconds;
    // Compression runs on codec threads beside the read: the slower of the two sets the pace.
    const compressFull = defaultSpeed
      ? fullBytes / defaultSpeed / Math.max(1, defaultCodecThreads(defaultLevel))
      : 0;

    const report: BenchReport = {
      engine: engineName,
      source: redactUrl(options.source),
      database,
      budgetSeconds: seconds,
      sampled: cut || units.some((u) => !u.complete),
      cut,
      units,
      read: {
        rows: readRows,
        bytes: readBytes,
        seconds: readSeconds,
        rowsPerSecond: readSeconds > 0 ? readRows / readSeconds : 0,
        bytesPerSecond: readRate,
      },
      sampledBytes: compressed[0]?.sampledBytes ?? 0,
      levels: levelReports,
      defaultLevel,
      estimate: {
        rows: Math.round(fullRows),
        rawBytes: Math.round(fullBytes),
        archiveBytes: Math.round(fullBytes * defaultRatio),
        seconds: Math.max(readFull, compressFull),
        ...(costs ? { costs } : {}),
      },
    };
    if (options.restoreInto && archivePath) {
      if (cut) {
        throw new UsageError(
          `the ${seconds} s budget ended before the read did, so there is no sample to restore into ${redactUrl(options.restoreInto)}`,
          'give a larger --seconds',
        );
      }
      report.restore = await restoreSample({
        archive: archivePath,
        scratch: options.restoreInto,
        engine: engineName,
        streams: [...measured.streams.keys()],
        sampled: report.sampled,
        unitOfStream: (s) => engine.unitOfStream(s),
        jobs,
        onProgress: progress,
        signal: options.signal,
      });
    }
    if (options.compare) {
      progress({
        type: 'phase',
        phase: 'bench',
        message: 'timing the native dump tool on the same database',
      });
      // The restore tool goes into the same scratch database, which is free again once ours is dropped.
      const scratch = options.restoreInto ? { url: options.restoreInto, jobs } : undefined;
      report.compare = [await timeNativeDump(engineName, options.source, options.signal, scratch)];
    }
    return report;
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
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
