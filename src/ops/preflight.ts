import { StowageError } from '../errors.js';
import type { Repository } from '../store/repository.js';
import { checkReachable } from './database-probe.js';
import { lastArchiveSize } from './last-archive-size.js';

const MIB = 1024 * 1024;

/** Free-space thresholds for a backup's repository. */
export interface PreflightOptions {
  /** Abort when less than this is free. Default: the larger of 256 MiB and 1.2 × the database's last archive. */
  abortBelowBytes?: number;
  /** Warn when less than this is free. Default: the larger of 1 GiB and 3 × the database's last archive. */
  warnBelowBytes?: number;
  /** Skip the source check (the caller connects right after anyway, or it is not a database URL). */
  skipSource?: boolean;
}

export interface PreflightCheck {
  check: 'repository-writable' | 'free-space' | 'source-reachable';
  status: 'ok' | 'warn' | 'skipped';
  message: string;
}

/**
 * Checks before a backup that it can succeed, so that a full disk or a
 * read-only folder is reported in a second instead of after an hour of
 * dumping: the repository is writable (a probe file is written and removed),
 * it has room for about one more archive of this database, and the source
 * answers. Throws a StowageError naming the first hard failure; returns the
 * checks, warnings included.
 */
export async function preflight(
  repository: Repository,
  source: string,
  options: PreflightOptions = {},
  /** Answers the source check instead of a connection of its own (the backup's first: see connectSource). */
  reachable: (source: string) => Promise<{ engine: string; version: string }> = checkReachable,
): Promise<PreflightCheck[]> {
  const started = startPreflight(repository, source, options, reachable);
  const checks = await started.repository;
  return [...checks, await started.source()];
}

/** The {@link preflight} in its two parts, see {@link startPreflight}. */
export interface StartedPreflight {
  /** The repository's checks: rejects with the first hard failure. */
  repository: Promise<PreflightCheck[]>;
  /** The source's check, answered when the source has (connected and authenticated): throws its failure. */
  source(): Promise<PreflightCheck>;
}

/**
 * The {@link preflight}, its two parts awaited on their own: a backup prepares its archive once the
 * repository passed, while the source still connects and authenticates (round trips and a server
 * process's start), and waits for the source only when it needs it. Awaited one after the other
 * they are the preflight itself, which reports the repository's failure before the source's.
 */
export function startPreflight(
  repository: Repository,
  source: string,
  options: PreflightOptions = {},
  reachable: (source: string) => Promise<{ engine: string; version: string }> = checkReachable,
): StartedPreflight {
  // The source answers while the repository is checked: connecting is round trips and
  // authentication, time better spent side by side. Kept settled, so that a failure waits for
  // whoever asks for it instead of going unhandled.
  const sourceCheck = options.skipSource
    ? undefined
    : reachable(source).then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      );
  return {
    repository: checkRepository(repository, source, options),
    async source() {
      if (!sourceCheck) return { check: 'source-reachable', status: 'skipped', message: 'not checked' };
      const reached = await sourceCheck;
      if ('error' in reached) throw reached.error;
      const { engine, version } = reached.answer;
      return { check: 'source-reachable', status: 'ok', message: `${engine} ${version} answers` };
    },
  };
}

async function checkRepository(
  repository: Repository,
  source: string,
  options: PreflightOptions,
): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  await repository.checkWritable();
  checks.push({ check: 'repository-writable', status: 'ok', message: `${repository.url} is writable` });

  const space = await repository.freeSpace();
  if (!space) {
    checks.push({
      check: 'free-space',
      status: 'skipped',
      message: `${repository.kind} repositories have no free-space limit to check`,
    });
  } else {
    const last = await lastArchiveSize(repository, source);
    const abortBelow = options.abortBelowBytes ?? Math.max(256 * MIB, Math.ceil(last * 1.2));
    const warnBelow = options.warnBelowBytes ?? Math.max(1024 * MIB, last * 3);
    const free = space.availableBytes;
    if (free < abortBelow) {
      throw new StowageError(
        'disk-full',
        `only ${mib(free)} free at ${repository.url}; a backup needs at least ${mib(abortBelow)}`,
        last > 0
          ? `the last archive of this database took ${mib(last)}: free space, prune old backups (stowage prune), or choose another repository`
          : 'free space, prune old backups (stowage prune), or choose another repository',
      );
    }
    checks.push(
      free < warnBelow
        ? {
            check: 'free-space',
            status: 'warn',
            message: `only ${mib(free)} free at ${repository.url} (warning below ${mib(warnBelow)})`,
          }
        : { check: 'free-space', status: 'ok', message: `${mib(free)} free` },
    );
  }

  return checks;
}

function mib(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / 1024 / MIB).toFixed(1)} GiB` : `${Math.round(bytes / MIB)} MiB`;
}
