import { type DaemonConfig } from './daemon-config.js';
import { StowageMetrics } from './metrics.js';
import { type JobOutcome } from './run-job.js';
export interface DaemonOptions {
    log?: (line: string) => void;
    /** Heartbeat of the repository locks. Default 60 s. */
    heartbeatMs?: number;
    /** Override of `metrics.listen` (tests use port 0). */
    metricsListen?: string | number | false;
}
/**
 * The scheduler: runs each job on its cron schedule, never two runs of one
 * job at once, holds a lock on every repository it writes to (a second
 * daemon on the same repository is refused at start), serves Prometheus
 * metrics over HTTP, and stops cleanly: no new runs, running ones given the
 * configured grace period and then abandoned (their partial archive removed),
 * locks released.
 */
export declare class Daemon {
    readonly config: DaemonConfig;
    private readonly options;
    private readonly jobs;
    private readonly locks;
    private readonly repositories;
    readonly metrics: StowageMetrics;
    private server;
    private heartbeat;
    private stopping;
    private readonly log;
    private constructor();
    /**
     * Locks the repositories, starts the metrics endpoint and schedules the
     * jobs. Fails (releasing whatever it took) when a repository is locked by
     * another daemon or unreachable.
     */
    static start(config: DaemonConfig, options?: DaemonOptions): Promise<Daemon>;
    private lockRepositories;
    private beat;
    private schedule;
    /**
     * Runs a job now (as the schedule would). A second trigger while a run is
     * in progress does not start another: it waits for and returns that run.
     */
    trigger(name: string, why?: 'schedule' | 'manual'): Promise<JobOutcome>;
    /** Recomputes the repository gauges from what the repositories hold. */
    refreshMetrics(): Promise<void>;
    private startMetricsServer;
    /** `host:port` the metrics endpoint listens on, if any. */
    get metricsAddress(): string | undefined;
    /** The last outcome of each job. */
    lastOutcomes(): Record<string, JobOutcome | undefined>;
    /**
     * Stops: no new runs; running ones get `shutdownGraceSeconds` to finish,
     * then are aborted (partial archives removed); locks released; metrics
     * endpoint closed. Safe to call more than once.
     */
    stop(): Promise<void>;
    private shutdown;
}
