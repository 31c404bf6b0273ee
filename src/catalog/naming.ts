import { databaseOfUrl } from '../engines/registry.js';
import type { BackupKind } from './backup-kind.js';

/**
 * Archive names: `<database>-<YYYYMMDD-HHMMSS>[-N][-manual|-on-demand].stow`,
 * in UTC, so a plain sort of a folder or bucket listing is chronological per
 * database. `N` (2, 3, …) numbers further backups of the database within the
 * same second; scheduled backups have no suffix.
 */
export function archiveName(database: string, at: Date, kind: BackupKind, sequence = 1): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${safeName(database)}-${stamp}${sequence > 1 ? `-${sequence}` : ''}${kind === 'scheduled' ? '' : `-${kind}`}.stow`;
}

const NAME_PATTERN =
  /^(?<database>.+)-(?<date>\d{8})-(?<time>\d{6})(?:-(?<sequence>\d{1,2}))?(?:-(?<kind>manual|on-demand))?\.stow$/;

/** Reads the database, time and kind back out of an archive name; undefined for foreign files. */
export function parseArchiveName(name: string): { database: string; at: Date; kind: BackupKind } | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m?.groups) return undefined;
  const { database, date, time, kind } = m.groups as Record<string, string | undefined>;
  const at = new Date(
    `${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)}T${time!.slice(0, 2)}:${time!.slice(2, 4)}:${time!.slice(4, 6)}Z`,
  );
  if (Number.isNaN(at.getTime())) return undefined;
  return { database: database!, at, kind: (kind as BackupKind | undefined) ?? 'scheduled' };
}

/**
 * Database names may hold anything; file names may not. Also the key under
 * which the catalog groups a database's archives and run records.
 */
export function safeName(database: string): string {
  const cleaned = database.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.-]+/, '');
  return cleaned.length > 0 ? cleaned.slice(0, 100) : 'database';
}

/** The database a connection URL names, used to name the archive before the engine has connected. */
export function databaseFromUrl(url: string): string {
  return databaseFromParsableUrl(url) ?? 'database';
}

/**
 * Like {@link databaseFromUrl}, but undefined when the URL cannot be parsed:
 * such a backup never reaches a server, and must not leave run records for a
 * database that does not exist.
 */
export function databaseFromParsableUrl(url: string): string | undefined {
  try {
    // Read as the engine's driver reads it: libpq's forms and defaults, multi-host MongoDB URLs.
    return databaseOfUrl(url) ?? 'all';
  } catch {
    return undefined;
  }
}

/**
 * A continuous backup's change segment: `<chain>.seg-<NNNNNN>.stow`, where the
 * chain is named after its base archive (`<chain>.stow`) and N counts from 1.
 * The name never matches an archive name, so segments are not backups of their own.
 */
export function segmentName(chain: string, sequence: number): string {
  return `${chain}.seg-${String(sequence).padStart(6, '0')}.stow`;
}

const SEGMENT_PATTERN = /^(?<chain>.+)\.seg-(?<sequence>\d{6,})\.stow$/;

/** Reads the chain and sequence back out of a segment name; undefined for anything else. */
export function parseSegmentName(name: string): { chain: string; sequence: number } | undefined {
  const m = SEGMENT_PATTERN.exec(name);
  if (!m?.groups) return undefined;
  return { chain: m.groups.chain!, sequence: Number(m.groups.sequence) };
}

/** A chain's name: its base archive's name without `.stow`. */
export function chainIdOf(baseArchive: string): string {
  return baseArchive.replace(/\.stow$/, '');
}
