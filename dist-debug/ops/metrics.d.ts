import { Registry } from 'prom-client';
import type { DatabaseStatus } from '../catalog/status.js';
/**
 * Prometheus metrics. The same families serve `stowage status --format
 * prometheus` (computed from a repository's contents, e.g. for node
 * exporter's textfile collector) and the daemon's `/metrics` endpoint (kept up
 * to date after every run). Labels are the repository address and the
 * database key, never credentials.
 */
export declare class StowageMetrics {
    readonly registry: Registry<"text/plain; version=0.0.4; charset=utf-8">;
    private readonly lastSuccess;
    private readonly lastDuration;
    private readonly lastSize;
    private readonly lastRunSuccess;
    private readonly verification;
    private readonly archives;
    private readonly healthy;
    private readonly failures;
    private readonly runs;
    private readonly running;
    constructor();
    /** Sets the repository-derived gauges from a status computation. */
    observeStatus(repository: string, databases: DatabaseStatus[]): void;
    /** Marks a daemon job as running or not. */
    setRunning(job: string, running: boolean): void;
    /** Counts a finished daemon run. */
    observeRun(job: string, ok: boolean): void;
    /** The Prometheus text exposition format. */
    text(): Promise<string>;
    get contentType(): string;
}
