import { Counter, Gauge, Registry } from 'prom-client';
import type { DatabaseStatus } from '../catalog/status.js';

/**
 * Prometheus metrics. The same families serve `stowage status --format
 * prometheus` (computed from a repository's contents, e.g. for node
 * exporter's textfile collector) and the daemon's `/metrics` endpoint (kept up
 * to date after every run). Labels are the repository address and the
 * database key, never credentials.
 */
export class StowageMetrics {
  readonly registry = new Registry();
  private readonly lastSuccess: Gauge;
  private readonly lastDuration: Gauge;
  private readonly lastSize: Gauge;
  private readonly lastRunSuccess: Gauge;
  private readonly verification: Gauge;
  private readonly archives: Gauge;
  private readonly healthy: Gauge;
  private readonly failures: Counter;
  private readonly runs: Counter;
  private readonly running: Gauge;

  constructor() {
    const labelNames = ['repository', 'database'] as const;
    const registers = [this.registry];
    this.lastSuccess = new Gauge({
      name: 'stowage_backup_last_success_timestamp_seconds',
      help: 'When the newest backup in the repository finished (Unix time).',
      labelNames,
      registers,
    });
    this.lastDuration = new Gauge({
      name: 'stowage_backup_last_duration_seconds',
      help: 'How long the newest backup took.',
      labelNames,
      registers,
    });
    this.lastSize = new Gauge({
      name: 'stowage_backup_last_size_bytes',
      help: 'Size of the newest backup archive.',
      labelNames,
      registers,
    });
    this.lastRunSuccess = new Gauge({
      name: 'stowage_backup_last_run_success',
      help: '1 when the latest backup run succeeded, 0 when it failed or was interrupted.',
      labelNames,
      registers,
    });
    this.verification = new Gauge({
      name: 'stowage_backup_last_verification_success',
      help: '1 when the newest backup passed verification, 0 when it failed; absent when never verified.',
      labelNames,
      registers,
    });
    this.archives = new Gauge({
      name: 'stowage_backup_archives',
      help: 'Archives of the database in the repository.',
      labelNames,
      registers,
    });
    this.healthy = new Gauge({
      name: 'stowage_backup_healthy',
      help: '1 when `stowage status` finds the database healthy (fresh, last run ok, not failing verification, complete).',
      labelNames,
      registers,
    });
    this.failures = new Counter({
      name: 'stowage_backup_failures_total',
      help: 'Failed backup runs since the daemon started.',
      labelNames: ['job'],
      registers,
    });
    this.runs = new Counter({
      name: 'stowage_backup_runs_total',
      help: 'Backup runs since the daemon started.',
      labelNames: ['job'],
      registers,
    });
    this.running = new Gauge({
      name: 'stowage_backup_running',
      help: '1 while a run of the job is in progress.',
      labelNames: ['job'],
      registers,
    });
  }

  /** Sets the repository-derived gauges from a status computation. */
  observeStatus(repository: string, databases: DatabaseStatus[]): void {
    for (const d of databases) {
      const labels = { repository, database: d.database };
      this.archives.set(labels, d.archives);
      this.healthy.set(labels, d.ok ? 1 : 0);
      if (d.newest) {
        const finished = d.newest.finishedAt ?? d.newest.at;
        this.lastSuccess.set(labels, finished.getTime() / 1000);
        if (d.newest.durationMs !== undefined) this.lastDuration.set(labels, d.newest.durationMs / 1000);
        this.lastSize.set(labels, d.newest.bytes);
      }
      if (d.lastRun) this.lastRunSuccess.set(labels, d.lastRun.status === 'success' ? 1 : 0);
      else if (d.newest) this.lastRunSuccess.set(labels, 1);
      if (d.verification === 'never') this.verification.remove(labels);
      else this.verification.set(labels, d.verification === 'passed' ? 1 : 0);
    }
  }

  /** Marks a daemon job as running or not. */
  setRunning(job: string, running: boolean): void {
    this.running.set({ job }, running ? 1 : 0);
  }

  /** Counts a finished daemon run. */
  observeRun(job: string, ok: boolean): void {
    this.runs.inc({ job });
    if (ok) this.failures.inc({ job }, 0);
    else this.failures.inc({ job });
  }

  /** The Prometheus text exposition format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
