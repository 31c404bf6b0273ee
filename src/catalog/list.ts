import { archiveKeys, type Encryption } from '../archive/archive-keys.js';
import type { ChainMark, Manifest } from '../archive/manifest.js';
import { ArchiveReader } from '../archive/reader.js';
import { checkArchiveTail } from '../archive/tail-check.js';
import { KeyRequiredError, StowageError, WrongKeyError } from '../errors.js';
import { mapLimited } from '../scheduler/scheduler.js';
import type { Repository, RepositoryFile } from '../store/repository.js';
import { type BackupKind, kindOfManifest } from './backup-kind.js';
import { parseArchiveName, parseSegmentName, safeName } from './naming.js';
import { readVerificationRecord, type VerificationRecord, withholdContents } from './verification-record.js';

/** One archive in a repository, as `list`, `status` and retention see it. */
export interface ArchiveInfo {
  name: string;
  /** Where it is (path or s3:// address): usable as an archive argument. */
  location: string;
  /** Database key (the database part of the name). */
  database: string;
  /** When the backup started (from the manifest, else from the name). */
  at: Date;
  kind: BackupKind;
  /** Size of the archive file. */
  bytes: number;
  engine?: Manifest['engine'];
  /** The database(s) as the engine named them. */
  sourceDatabase?: string;
  /** The source URL, password removed, and the server's version (from the manifest). */
  source?: string;
  serverVersion?: string;
  finishedAt?: Date;
  durationMs?: number;
  rawBytes?: number;
  items?: number;
  streams?: number;
  note?: string;
  encrypted?: boolean;
  pointInTime?: boolean;
  /** What the backup lacks (see the manifest's `incomplete`); absent when complete. */
  incomplete?: string[];
  /** Set when the archive is a continuous backup chain's base (see chains.ts). */
  chain?: ChainMark;
  /** Latest verification result, when one is recorded and still matches the file. */
  verification?: VerificationRecord;
  /** Why the manifest could not be read (no key given, damaged tail…); the rest then comes from the name. */
  unreadable?: string;
  /**
   * Whether the archive counts as a backup that can be restored, which is what
   * retention keeps: `restorable` when its footer parses (encrypted and no key:
   * when its footer frame's checksums hold) and no verification of it failed;
   * `damaged` when its header or tail is broken or its latest verification
   * failed (`damage` says why); `unknown` when it could not be checked (read
   * error, newer format).
   */
  health: ArchiveHealth;
  /** Why the archive is `damaged`. */
  damage?: string;
}

export type ArchiveHealth = 'restorable' | 'damaged' | 'unknown';

/** Error codes of the reader that mean the file itself is broken, not that it could not be read just now. */
const DAMAGE_CODES = new Set(['corrupt-frame', 'truncated', 'not-an-archive', 'corrupt-header']);

export interface ListOptions {
  /**
   * Key for encrypted archives, or the caller's key cache; without it their
   * manifests are not read (the name still tells date and kind). Each
   * archive's key is derived once however often it is read.
   */
  encryption?: Encryption;
  /** Manifests read at once (each is three small reads). Default 8. */
  concurrency?: number;
  /** Only archives of this database key. */
  database?: string;
}

/**
 * Lists the archives in a repository, oldest first, reading each one's
 * manifest from its tail and its verification record. Files that are not
 * archives are ignored; archives whose manifest cannot be read are listed
 * with `unreadable` set rather than hidden, since retention and status must
 * account for them.
 */
export async function listArchives(
  repository: Repository,
  options: ListOptions = {},
): Promise<ArchiveInfo[]> {
  // Change segments are parts of a chain, not backups of their own: chains.ts lists them.
  const files = (await repository.listFiles()).filter(
    (f) => f.name.endsWith('.stow') && !parseSegmentName(f.name),
  );
  const wanted = options.database ? safeName(options.database) : undefined;
  const selected = wanted
    ? files.filter((f) => (parseArchiveName(f.name)?.database ?? wanted) === wanted)
    : files;
  const described = { ...options, encryption: archiveKeys(options.encryption) };
  const infos = await mapLimited(selected, options.concurrency ?? 8, (file) =>
    describe(repository, file, described),
  );
  const result = infos.filter((i) => !wanted || i.database === wanted);
  return result.sort((a, b) => a.at.getTime() - b.at.getTime() || a.name.localeCompare(b.name));
}

async function describe(
  repository: Repository,
  file: RepositoryFile,
  options: ListOptions,
): Promise<ArchiveInfo> {
  const parsed = parseArchiveName(file.name);
  const verification = await readVerificationRecord(repository, file.name, file.size);
  const failed = verification?.ok === false ? verification : undefined;
  const base: ArchiveInfo = {
    name: file.name,
    location: repository.locate(file.name),
    database: parsed?.database ?? safeName(file.name.replace(/\.stow$/, '')),
    at: parsed?.at ?? file.modified,
    kind: parsed?.kind ?? 'manual',
    bytes: file.size,
    health: failed ? 'damaged' : 'restorable',
    ...(failed ? { damage: `its verification on ${failed.verifiedAt} failed` } : {}),
  };
  if (verification) base.verification = verification;
  let manifest: Manifest;
  try {
    const source = await repository.openArchive(file.name);
    const reader = await ArchiveReader.open(source, { encryption: options.encryption, threads: 0 });
    manifest = reader.manifest;
    await reader.close();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof KeyRequiredError || err instanceof WrongKeyError) {
      // Without the right key the manifest stays closed, but the footer's checksums still tell a whole archive from a broken one.
      const tail = await checkTail(repository, file.name);
      const unreadable =
        err instanceof KeyRequiredError ? 'encrypted: give the key to read its manifest' : message;
      // A record written before side files of encrypted archives were kept content-free: show only its verdict.
      const shown = base.verification ? { verification: withholdContents(base.verification) } : {};
      if (tail.ok) return { ...base, ...shown, encrypted: true, unreadable };
      return { ...base, ...shown, encrypted: true, unreadable, ...judged(base, tail.damage, tail.unknown) };
    }
    const damaged = err instanceof StowageError && DAMAGE_CODES.has(err.code);
    return { ...base, unreadable: message, ...judged(base, damaged ? message : undefined, !damaged) };
  }
  const started = new Date(manifest.startedAt);
  const finished = new Date(manifest.finishedAt);
  return {
    ...base,
    // Names written by other tools or renamed by hand: the manifest knows better.
    ...(parsed ? {} : { database: safeName(manifest.database), kind: kindOfManifest(manifest) }),
    at: started,
    engine: manifest.engine,
    sourceDatabase: manifest.database,
    source: manifest.source,
    serverVersion: manifest.serverVersion,
    finishedAt: finished,
    durationMs: finished.getTime() - started.getTime(),
    rawBytes: manifest.streams.reduce((n, s) => n + s.rawBytes, 0),
    items: manifest.streams.reduce((n, s) => n + s.items, 0),
    streams: manifest.streams.length,
    ...(manifest.note ? { note: manifest.note } : {}),
    encrypted: manifest.encrypted,
    pointInTime: manifest.pointInTime,
    ...(manifest.incomplete?.length ? { incomplete: manifest.incomplete } : {}),
    ...(manifest.chain ? { chain: manifest.chain } : {}),
  };
}

/** Health after a failed read: damage found outranks a failed verification, which outranks "unknown". */
function judged(
  base: ArchiveInfo,
  damage: string | undefined,
  unknown: boolean,
): Pick<ArchiveInfo, 'health' | 'damage'> {
  if (damage) return { health: 'damaged', damage };
  if (base.health === 'damaged') return { health: 'damaged', damage: base.damage };
  return { health: unknown ? 'unknown' : base.health };
}

async function checkTail(
  repository: Repository,
  name: string,
): Promise<{ ok: true } | { ok: false; damage?: string; unknown: boolean }> {
  try {
    const source = await repository.openArchive(name);
    try {
      const damage = await checkArchiveTail(source);
      return damage ? { ok: false, damage, unknown: false } : { ok: true };
    } finally {
      await source.close();
    }
  } catch {
    return { ok: false, unknown: true };
  }
}
