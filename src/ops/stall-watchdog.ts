import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import type { EnginePlugin } from '../engines/plugin.js';
import { engineForUrl } from '../engines/registry.js';
import { StowageError } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import { describeStoreLocation, type StoreOptions } from '../store/registry.js';
import { checkReachable } from './database-probe.js';

/** Default for `stallTimeoutSeconds`: long enough for a busy server, short enough not to block a schedule. */
export const DEFAULT_STALL_TIMEOUT_SECONDS = 120;

/** A run ended because a server it depends on stopped answering. */
export class StallError extends StowageError {
  constructor(message: string, hint: string) {
    super('stalled', message, hint);
    this.name = 'StallError';
  }
}

/**
 * Ends a run that stopped moving bytes. One watchdog per backup or restore is
 * fed by the counters the run already keeps: the engine's progress events (bytes
 * read from or sent to the database) and every store read or write. While a
 * table or collection is being transferred, or a store request is out, and
 * nothing moved for the timeout, it aborts the run with an error naming the
 * party that went silent: the store when one of its requests is still out,
 * else the database. Phases that move no bytes by nature (an index build,
 * catalog queries, DDL) cannot be judged by bytes: there a liveness probe (a
 * fresh connection running a trivial command, a few times per timeout) stands
 * in for movement, so a long index build goes on while a frozen server is
 * still found.
 */
export class StallWatchdog {
  private readonly controller = new AbortController();
  private readonly timeoutMs: number;
  private lastMove = Date.now();
  private readonly activeUnits = new Map<string, number>();
  private readonly storeCalls = new Set<number>();
  private nextCall = 0;
  private timer: NodeJS.Timeout | undefined;
  private stallError: StallError | undefined;
  private probing = false;
  private lastProbe = 0;
  private rejectStalled: (err: StallError) => void = () => {};
  /** Rejects with the stall error when the run stalls; never resolves. */
  readonly stalled: Promise<never>;

  /**
   * @param seconds no-progress time that ends the run; 0 disables the watchdog
   * @param database the database as messages name it, e.g. `PostgreSQL at db1:5432`
   * @param store the store as messages name it, e.g. `S3 endpoint http://minio:9000`
   * @param alive resolves when the database answers a fresh connection; rejects with a
   *   timeout error when it does not (any other error means it answered)
   */
  constructor(
    seconds: number,
    private readonly database: string,
    private readonly store: string,
    private readonly alive?: () => Promise<unknown>,
  ) {
    this.timeoutMs = seconds * 1000;
    this.stalled = new Promise<never>((_, reject) => {
      this.rejectStalled = reject;
    });
    this.stalled.catch(() => {});
    if (seconds > 0) {
      // Checked a few times per timeout; unref'd, so the watchdog alone never keeps a process alive.
      this.timer = setInterval(() => this.check(), Math.min(1000, Math.max(50, this.timeoutMs / 4)));
      this.timer.unref();
    }
  }

  /** Aborts when the run stalls; pass it (with the caller's own) to the engine. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The stall that ended the run, if one did. */
  get error(): StallError | undefined {
    return this.stallError;
  }

  /** Wraps a progress listener: byte counts that grow, and units starting or ending, are movement. */
  watchProgress(listener: ProgressListener): ProgressListener {
    return (event) => {
      switch (event.type) {
        case 'unit-start':
          this.activeUnits.set(event.name, 0);
          this.moved();
          break;
        case 'unit-progress':
          if (event.bytes > (this.activeUnits.get(event.name) ?? 0)) this.moved();
          this.activeUnits.set(event.name, event.bytes);
          break;
        case 'unit-done':
          this.activeUnits.delete(event.name);
          this.moved();
          break;
        case 'phase':
          this.moved();
          break;
      }
      listener(event);
    };
  }

  /** A sink whose writes count as movement, and whose unanswered writes are blamed on the store. */
  watchSink(sink: ByteSink): ByteSink {
    const call = <T>(promise: Promise<T>) => this.storeCall(promise);
    return {
      write: (chunk) => call(sink.write(chunk)),
      commit: () => call(sink.commit()),
      abort: () => sink.abort(),
      get releasesChunks() {
        return sink.releasesChunks;
      },
      location: sink.location,
    };
  }

  /** A source whose reads count as movement, and whose unanswered reads are blamed on the store. */
  watchSource(source: ByteSource): ByteSource {
    return {
      get size() {
        return source.size;
      },
      read: (offset, length) => this.storeCall(source.read(offset, length)),
      close: () => source.close(),
      location: source.location,
    };
  }

  /** Resolves or rejects with `work`, or rejects with the stall error first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.stalled]);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private moved(): void {
    this.lastMove = Date.now();
  }

  private probe(now: number): void {
    if (this.probing || now - this.lastProbe < this.timeoutMs / 4) return;
    this.probing = true;
    this.lastProbe = now;
    (this.alive as () => Promise<unknown>)()
      .then(
        () => this.moved(),
        (error: unknown) => {
          // A refusal (too many connections, a password change) is an answer; only silence is a stall.
          if (!isTimeout(error)) this.moved();
        },
      )
      .finally(() => {
        this.probing = false;
      });
  }

  private async storeCall<T>(promise: Promise<T>): Promise<T> {
    const id = this.nextCall++;
    this.storeCalls.add(id);
    try {
      return await promise;
    } finally {
      this.storeCalls.delete(id);
      this.moved();
    }
  }

  private check(): void {
    if (this.stallError) return;
    const now = Date.now();
    if (this.activeUnits.size === 0 && this.storeCalls.size === 0) {
      // Nothing is being transferred (DDL, catalog reads, index builds): the probe judges, once
      // nothing moved for a quarter of the timeout. Not sooner: a probe is a whole connection
      // (authentication, a server process), a cost a short run should not pay for a question
      // whose answer is only needed when the run has gone quiet.
      if (!this.alive) {
        this.lastMove = now;
        return;
      }
      if (now - this.lastMove >= this.timeoutMs / 4) this.probe(now);
    }
    if (now - this.lastMove < this.timeoutMs) return;
    const seconds = Math.round(this.timeoutMs / 1000);
    // A store request still out when nothing moved for so long is what everything waits on: the
    // database side only ever waits for the store through backpressure, never the other way round.
    this.stallError =
      this.storeCalls.size > 0
        ? new StallError(
            `${this.store} did not answer for ${seconds} s`,
            'check that the store is up and reachable, then run it again (--stall-timeout sets how long to wait)',
          )
        : new StallError(
            `${this.database} sent nothing for ${seconds} s`,
            'check that the server is up and not overloaded, then run it again (--stall-timeout sets how long to wait)',
          );
    this.stop();
    this.controller.abort(this.stallError);
    this.rejectStalled(this.stallError);
  }
}

function isTimeout(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return /timeout|timed out|ETIMEDOUT|did not answer|Server selection/i.test(text);
}

/**
 * The watchdog of one backup or restore: `url` is the database's connection
 * string (named in messages and probed for liveness), `location` the archive
 * or repository.
 */
export async function watchRun(
  url: string,
  location: string,
  options: { stallTimeoutSeconds?: number; stores?: StoreOptions },
): Promise<StallWatchdog> {
  return new StallWatchdog(
    options.stallTimeoutSeconds ?? DEFAULT_STALL_TIMEOUT_SECONDS,
    databaseParty(url),
    await describeStoreLocation(location, options.stores),
    () => checkReachable(url),
  );
}

/** The database as stall messages name it: `PostgreSQL at host:port`, `MongoDB at host:port`. */
export function databaseParty(url: string): string {
  let engine: EnginePlugin;
  try {
    engine = engineForUrl(url);
  } catch {
    return 'the database';
  }
  // The authority, without credentials; MongoDB URLs may list several hosts, which URL() refuses.
  const authority = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]*)/i.exec(url)?.[1];
  if (!authority) return engine.label;
  const hasPort = /:\d+$/.test(authority) || authority.includes(',');
  return `${engine.label} at ${hasPort ? authority : `${authority}:${engine.defaultPort}`}`;
}

/** Cleanup after a stall must not wait on the silent party for long: give it a few seconds. */
export function boundedCleanup(watchdog: StallWatchdog, cleanup: Promise<unknown>): Promise<unknown> {
  if (!watchdog.error) return cleanup;
  return Promise.race([
    cleanup.catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, CLEANUP_GRACE_MS).unref()),
  ]);
}

const CLEANUP_GRACE_MS = 5_000;
