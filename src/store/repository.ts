import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import type { ClaimOwner } from './claim.js';

/** One file at the top level of a repository. */
export interface RepositoryFile {
  name: string;
  size: number;
  modified: Date;
}

/**
 * What an unfinished backup left in a repository: a local `NAME.stow.partial`
 * with its claim `NAME.stow.lock` (either may be missing), or an S3 multipart
 * upload that was never completed or aborted.
 */
export interface Leftover {
  kind: 'partial' | 'multipart-upload';
  /** The archive it was to become. */
  name: string;
  /** Space it takes (parts uploaded so far, for S3). */
  bytes: number;
  /** Its last sign of life: file modification time, or when the upload began. */
  lastActivity: Date;
  /** The writer recorded in the claim, when there is one. */
  owner?: ClaimOwner;
  /** Abandoned: its writer is gone (same host) or it has been silent too long. Only stale leftovers are ever removed. */
  stale: boolean;
  /** Why it is judged stale or not, for messages. */
  why: string;
  /** The store's handle for removing it (file names, or the upload id). */
  ref: string;
}

/** How leftovers are judged: silence after which one whose writer cannot be asked is stale (default 24 h). */
export interface LeftoverOptions {
  staleAfterMs?: number;
  now?: Date;
}

/**
 * A place where archives live: a local folder, an S3 bucket prefix, process
 * memory: one per store (`src/store/<kind>/`). Archives
 * sit at the top level under their generated names; small JSON side files
 * (verification results `NAME.stow.verify.json`, run records and the daemon
 * lock under `.stowage/`) sit beside them. Names are relative and use `/`.
 *
 * The catalog (listing, retention, status) and the daemon work only through
 * this interface, so they behave the same on every store; the contract
 * tests (test/store/repository-contract.ts) hold every store to it.
 */
export interface Repository {
  /** The store it belongs to (`local`, `s3`, `memory`). */
  readonly kind: string;
  /** The repository's address, for messages (never credentials). */
  readonly url: string;
  /**
   * Files directly in the repository, or in one of its side folders (e.g.
   * `.stowage/runs`); sub-folders and unfinished `.partial` files are left out.
   * A side folder that does not exist lists as empty.
   */
  listFiles(folder?: string): Promise<RepositoryFile[]>;
  /**
   * Optional: the names {@link listFiles} gives, without sizes or times, for a store where those
   * cost a call per file (a local folder: a stat each). With {@link fileSize}, a caller that
   * needs one file's size picks it by name first.
   */
  listNames?(): Promise<string[]>;
  /** Optional: one file's size, or undefined when it is not there (see {@link listNames}). */
  fileSize?(name: string): Promise<number | undefined>;
  /**
   * A sink for a new archive. The name is claimed first (`NAME.lock`, created
   * only if absent, removed once the archive is committed or aborted): a name
   * that exists or that another writer holds fails at once with `exists`, so
   * concurrent backups never share a name and a generated name moves on to the
   * next `-N`. Publishing is conditional too: an archive that appeared under
   * the name meanwhile is never replaced (the commit fails with `exists`).
   */
  createArchive(name: string): Promise<ByteSink>;
  /** Random access to an archive. `sequential` hints a front-to-back read (enables read-ahead). */
  openArchive(name: string, options?: { sequential?: boolean }): Promise<ByteSource>;
  /** A small text file, or undefined when it does not exist. */
  readText(name: string): Promise<string | undefined>;
  /** Writes or replaces a small text file atomically. */
  writeText(name: string, text: string): Promise<void>;
  /** Creates a small text file only when absent: false when it already exists (locks are built on this). */
  createText(name: string, text: string): Promise<boolean>;
  /** Removes a file; a missing file is not an error. */
  remove(name: string): Promise<void>;
  /** What unfinished backups left behind, each judged stale or not; a running backup's are never stale. */
  listLeftovers(options?: LeftoverOptions): Promise<Leftover[]>;
  /** Removes a leftover (deletes the partial and its claim, or aborts the upload). Callers pass only stale ones. */
  removeLeftover(leftover: Leftover): Promise<void>;
  /** Free and total bytes where the repository lives, when that can be known (local folders). */
  freeSpace(): Promise<{ availableBytes: number; totalBytes: number } | undefined>;
  /** Proves the repository is reachable and writable by writing and removing a probe file. */
  checkWritable(): Promise<void>;
  /** The address of one file in the repository, for messages and as an archive reference. */
  locate(name: string): string;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Name of the side file holding an archive's latest verification result. */
export function verificationFileName(archive: string): string {
  return `${archive}.verify.json`;
}
