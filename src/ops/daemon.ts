import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cron } from 'croner';
import type { ArchiveKeys } from '../archive/archive-keys.js';
import { StowageError, UsageError } from '../errors.js';
import { openRepository } from '../store/open-repository.js';
import { storeOptionsIn } from '../store/registry.js';
import type { Repository } from '../store/repository.js';
import { ContinuousAlerts } from './continuous-alerts.js';
import { type DaemonConfig, parseListen, type ResolvedJob, resolveJobs } from './daemon-config.js';
import { describeFollowEvent, follow } from './follow.js';
import { StowageMetrics } from './metrics.js';
import { RepositoryLock } from './repository-lock.js';
import { type JobOutcome, jobKeySource, runJob } from './run-job.js';
import { status } from './status.js';

export interface DaemonOptions {
  log?: (line: string) => void;
  /** Heartbeat of the repository locks. Default 60 s. */
  heartbeatMs?: number;
  /** Override of `metrics.listen` (tests use port 0). */
  metricsListen?: string | number | false;
  /** Start the continuous jobs (default true; `daemon --once` runs only the scheduled ones). */
  continuous?: boolean;
}

/** Waits between attempts of a continuous job whose follow failed: 5 s, doubling, at most 5 min. */
export function continuousRetryDelayMs(failures: number): number {
  return Math.min(300_000, 5_000 * 2 ** Math.min(Math.max(failures - 1, 0), 6));
}

interface JobState {
  job: ResolvedJob;
  cron?: Cron;
  running?: Promise<JobOutcome>;
  controller?: AbortController;
  last?: JobOutcome;
  /** A continuous job's follow loop, while it runs. */
  following?: Promise<void>;
  /** The last run's key cache: a passphrase is stretched once per archive for the daemon's life, not once per run. */
  keys: { last?: ArchiveKeys };
}

/**
 * The scheduler: runs each job on its cron schedule, never two runs of one
 * job at once, holds a lock on every repository it writes to (a second
 * daemon on the same repository is refused at start), serves Prometheus
 * metrics over HTTP, and stops cleanly: no new runs, running ones given the
 * configured grace period and then abandoned (their partial archive removed),
 * locks released.
 */
export class Daemon {
  private readonly jobs = new Map<string, JobState>();
  private readonly locks: RepositoryLock[] = [];
  private readonly repositories = new Map<string, Repository>();
  readonly metrics = new StowageMetrics();
  private server: Server | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  private constructor(
    readonly config: DaemonConfig,
    private readonly options: DaemonOptions,
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
    for (const job of resolveJobs(config)) this.jobs.set(job.name, { job, keys: {} });
  }

  /**
   * Locks the repositories, starts the metrics endpoint and schedules the
   * jobs. Fails (releasing whatever it took) when a repository is locked by
   * another daemon or unreachable.
   */
  static async start(config: DaemonConfig, options: DaemonOptions = {}): Promise<Daemon> {
    const daemon = new Daemon(config, options);
    try {
      await daemon.lockRepositories();
      await daemon.refreshMetrics();
      await daemon.startMetricsServer();
      daemon.schedule();
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  private async lockRepositories(): Promise<void> {
    for (const { job } of this.jobs.values()) {
      if (this.repositories.has(job.repository)) continue;
      const repository = await openRepository(job.repository, { stores: storeOptionsIn(this.config) });
      this.repositories.set(job.repository, repository);
      await repository.checkWritable();
      this.locks.push(await RepositoryLock.acquire(repository));
      this.log(`locked repository ${repository.url}`);
    }
    this.heartbeat = setInterval(() => void this.beat(), this.options.heartbeatMs ?? 60_000);
    this.heartbeat.unref();
  }

  private async beat(): Promise<void> {
    for (const lock of this.locks) {
      await lock.refresh().catch((err: unknown) => {
        this.log(`${(err as Error).message}: stopping`);
        void this.stop();
      });
    }
  }

  private schedule(): void {
    for (const state of this.jobs.values()) {
      const { job } = state;
      if (job.continuous) {
        if (this.options.continuous !== false) this.startContinuous(state);
        continue;
      }
      state.cron = new Cron(
        job.schedule!,
        { name: job.name, timezone: job.timezone, protect: true, catch: true },
        async () => {
          await this.trigger(job.name, 'schedule').catch((err: unknown) =>
            this.log(`job ${job.name}: ${(err as Error).message}`),
          );
        },
      );
      this.log(
        `job ${job.name}: next run ${state.cron.nextRun()?.toISOString() ?? 'never'} (${job.schedule})`,
      );
    }
  }

  /**
   * A continuous job follows its source until the daemon stops. When follow
   * fails (server down, repository unreachable) it starts again after a
   * growing pause, and resumes its chain where the repository's segments end.
   */
  private startContinuous(state: JobState): void {
    const { job } = state;
    const controller = new AbortController();
    state.controller = controller;
    this.metrics.setRunning(job.name, true);
    this.log(`job ${job.name}: following changes into ${job.repository}`);
    const alerts = new ContinuousAlerts(job, this.log);
    state.following = (async () => {
      let failures = 0;
      while (!controller.signal.aborted) {
        try {
          await follow({
            source: job.source,
            to: job.repository,
            ...(job.segmentSeconds ? { segmentSeconds: job.segmentSeconds } : {}),
            ...(job.jobs ? { jobs: job.jobs } : {}),
            ...(job.compression ? { compression: job.compression } : {}),
            ...(job.encryption ? { encryption: await jobKeySource(job) } : {}),
            engineOptions: job.engineOptions ?? {},
            stores: storeOptionsIn(this.config),
            allowIncomplete: job.allowIncomplete === true,
            job: job.name,
            onEvent: (event) => {
              if (event.type === 'segment') {
                failures = 0;
                alerts.followWorks();
                void alerts.checkServerState();
              }
              this.log(`job ${job.name}: ${describeFollowEvent(event)}`);
            },
            signal: controller.signal,
          });
        } catch (err) {
          if (controller.signal.aborted) break;
          failures++;
          const delay = continuousRetryDelayMs(failures);
          this.log(
            `job ${job.name}: follow failed: ${(err as Error).message}; starting again in ${delay / 1000} s (the chain resumes where the repository ends)`,
          );
          this.metrics.observeRun(job.name, false);
          await alerts.followFailed((err as Error).message);
          await sleep(delay, undefined, { signal: controller.signal }).catch(() => {});
        }
      }
    })().finally(() => {
      state.following = undefined;
      state.controller = undefined;
      this.metrics.setRunning(job.name, false);
    });
  }

  /**
   * Runs a job now (as the schedule would). A second trigger while a run is
   * in progress does not start another: it waits for and returns that run.
   */
  async trigger(name: string, why: 'schedule' | 'manual' = 'manual'): Promise<JobOutcome> {
    const state = this.jobs.get(name);
    if (!state) throw new UsageError(`no job named ${name}`);
    if (this.stopping) throw new StowageError('interrupted', 'the daemon is stopping');
    if (state.job.continuous) throw new UsageError(`job ${name} is continuous: it runs all the time`);
    if (state.running) {
      this.log(`job ${name}: still running; ${why} run skipped`);
      return state.running;
    }
    const controller = new AbortController();
    state.controller = controller;
    this.metrics.setRunning(name, true);
    state.running = runJob(state.job, {
      keys: state.keys,
      stores: storeOptionsIn(this.config),
      preflight: this.config.preflight,
      signal: controller.signal,
      log: this.log,
    }).finally(() => {
      state.running = undefined;
      state.controller = undefined;
      this.metrics.setRunning(name, false);
    });
    const outcome = await state.running;
    state.last = outcome;
    this.metrics.observeRun(name, outcome.status === 'success');
    await this.refreshMetrics().catch((err: unknown) =>
      this.log(`metrics refresh failed: ${(err as Error).message}`),
    );
    return outcome;
  }

  /** Recomputes the repository gauges from what the repositories hold. */
  async refreshMetrics(): Promise<void> {
    for (const [url] of this.repositories) {
      const s = await status({ repository: url, stores: storeOptionsIn(this.config) });
      this.metrics.observeStatus(s.repository, s.databases);
    }
  }

  private async startMetricsServer(): Promise<void> {
    const listen = this.options.metricsListen ?? this.config.metrics?.listen ?? '127.0.0.1:9187';
    if (listen === false) return;
    const { host, port } = parseListen(listen);
    const server = createServer((req, res) => {
      if (req.url === '/metrics') {
        this.metrics.text().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.metrics.contentType });
            res.end(text);
          },
          (err: unknown) => {
            res.writeHead(500).end(String(err));
          },
        );
      } else if (req.url === '/healthz') {
        res
          .writeHead(this.stopping ? 503 : 200, { 'content-type': 'text/plain' })
          .end(this.stopping ? 'stopping\n' : 'ok\n');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new StowageError(
            'metrics-listen',
            `cannot serve metrics on ${host}:${port}: ${err.code ?? err.message}`,
            'set metrics.listen to a free port, or false',
          ),
        ),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.log(`metrics on http://${this.metricsAddress}/metrics`);
  }

  /** `host:port` the metrics endpoint listens on, if any. */
  get metricsAddress(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `${address.address}:${address.port}` : undefined;
  }

  /** The last outcome of each job. */
  lastOutcomes(): Record<string, JobOutcome | undefined> {
    return Object.fromEntries([...this.jobs].map(([name, s]) => [name, s.last]));
  }

  /**
   * Stops: no new runs; running ones get `shutdownGraceSeconds` to finish,
   * then are aborted (partial archives removed); locks released; metrics
   * endpoint closed. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const state of this.jobs.values()) state.cron?.stop();
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Continuous jobs stop at once: follow publishes its open segment before it returns.
    const following = [...this.jobs.values()].filter((s) => s.following);
    for (const s of following) s.controller?.abort(new StowageError('interrupted', 'the daemon is stopping'));
    await Promise.allSettled(following.map((s) => s.following));
    const running = [...this.jobs.values()].filter((s) => s.running);
    if (running.length) {
      const graceMs = (this.config.shutdownGraceSeconds ?? 0) * 1000;
      this.log(
        graceMs > 0
          ? `waiting up to ${graceMs / 1000} s for ${running.map((s) => s.job.name).join(', ')} to finish`
          : `abandoning the runs of ${running.map((s) => s.job.name).join(', ')}`,
      );
      const all = Promise.allSettled(running.map((s) => s.running));
      if (graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
      }
      for (const s of running) s.controller?.abort(new StowageError('interrupted', 'the daemon is stopping'));
      await all;
    }
    for (const lock of this.locks.splice(0)) await lock.release().catch(() => {});
    for (const repository of this.repositories.values()) await repository.close();
    this.repositories.clear();
    if (this.server) {
      const server = this.server;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    this.log('stopped');
  }
}
