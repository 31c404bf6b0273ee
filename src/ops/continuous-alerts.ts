import { hostname } from 'node:os';
import { databaseOfUrl, engineForUrl } from '../engines/registry.js';
import { redactConnection } from '../redact.js';
import { notify, type RunEvent, type WebhookOptions } from './notify.js';
import { DEFAULT_MAX_RETAINED_WAL_BYTES } from './status.js';

/** How often a continuous job's server-side state (a replication slot) is looked at, at most. */
export const SERVER_STATE_CHECK_MS = 60_000;

/**
 * What a running continuous job must tell a person about, through the job's
 * webhook: follow failing (once per streak of failures, not at every retry),
 * and its server-side state growing dangerous — a PostgreSQL slot holds WAL
 * back until the server's disk fills, and a follow that keeps failing is
 * exactly when that happens. Each alert is sent once when its condition
 * starts, and again only after it cleared.
 */
export class ContinuousAlerts {
  private failing = false;
  private heavySlots = new Set<string>();
  private lastCheck = 0;

  constructor(
    private readonly job: {
      name: string;
      source: string;
      repository: string;
      notify?: Omit<WebhookOptions, 'url'> & { webhook: string };
      maxRetainedWalMib?: number;
    },
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A follow attempt failed with `error` (one line, already free of passwords). */
  async followFailed(error: string): Promise<void> {
    if (!this.failing) {
      this.failing = true;
      await this.send({ status: 'failure', error: `continuous backup stopped: ${error}` });
    }
    await this.checkServerState(true);
  }

  /** Follow is publishing again: the next failure is news again. */
  followWorks(): void {
    this.failing = false;
  }

  /**
   * Looks at the chain's server-side state (at most once per
   * {@link SERVER_STATE_CHECK_MS} unless `force`) and alerts on each slot that
   * passed the limit. Engines without server-side state have nothing to check.
   */
  async checkServerState(force = false): Promise<void> {
    const serverState = engineForUrl(this.job.source).continuous?.serverState;
    if (!serverState) return;
    if (!force && this.now() - this.lastCheck < SERVER_STATE_CHECK_MS) return;
    this.lastCheck = this.now();
    const limit =
      this.job.maxRetainedWalMib !== undefined
        ? this.job.maxRetainedWalMib * 1024 * 1024
        : DEFAULT_MAX_RETAINED_WAL_BYTES;
    let slots: Awaited<ReturnType<typeof serverState>>;
    try {
      slots = await serverState(this.job.source);
    } catch (err) {
      // The server is down or refuses: follow's own failure says so; nothing new to alert.
      this.log(
        `job ${this.job.name}: could not read the replication slots: ${redactConnection((err as Error).message, this.job.source)}`,
      );
      return;
    }
    const heavy = new Set<string>();
    for (const s of slots) {
      if (s.retainedBytes <= limit && s.walStatus !== 'lost') continue;
      heavy.add(s.slot);
      if (this.heavySlots.has(s.slot)) continue;
      const problem =
        s.walStatus === 'lost'
          ? `slot ${s.slot} is lost: the server removed WAL it needed; its chain cannot continue`
          : `slot ${s.slot} holds ${mib(s.retainedBytes)} MiB of WAL (limit ${mib(limit)} MiB)${s.active ? '' : ' and nothing reads it'}; the server keeps it until its disk fills (stowage follow --retire drops the slot of an abandoned chain)`;
      this.log(`job ${this.job.name}: WARNING: ${problem}`);
      await this.send({ status: 'warning', error: problem });
    }
    this.heavySlots = heavy;
  }

  private async send(event: Pick<RunEvent, 'status' | 'error'>): Promise<void> {
    const webhook = this.job.notify;
    if (!webhook) return;
    const full: RunEvent = {
      ...event,
      job: this.job.name,
      database: databaseOfUrl(this.job.source) ?? '',
      repository: this.job.repository,
      host: hostname(),
    };
    try {
      await notify({ ...webhook, url: webhook.webhook }, full);
    } catch (err) {
      this.log(`job ${this.job.name}: notification failed: ${(err as Error).message}`);
    }
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}
