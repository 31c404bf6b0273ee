import type { ByteSink } from '../../archive/byte-sink.js';
import type { ByteSource } from '../../archive/byte-source.js';
import { StowageError, UsageError } from '../../errors.js';
import { judgeClaim, ownClaim, parseClaim } from '../claim.js';
import type { Leftover, LeftoverOptions, Repository, RepositoryFile } from '../repository.js';

/** One stored file. Buffers are never changed once stored, so open readers keep a consistent view. */
interface MemoryFile {
  bytes: Buffer;
  modified: Date;
}

/** An archive being written: invisible to listings and reads until committed. */
interface MemoryUpload {
  bytes: number;
  lastActivity: Date;
}

/** Files and unfinished archives of one memory space, by key (`prefix/name`). */
interface MemorySpace {
  files: Map<string, MemoryFile>;
  uploads: Map<string, MemoryUpload>;
}

/**
 * Spaces live as long as the process: repositories opened on the same
 * `memory://space` share one, so a backup written through one handle can be
 * listed and restored through another.
 */
const spaces = new Map<string, MemorySpace>();

/** A parsed `memory://space/prefix` address; `prefix` has no leading or trailing slash. */
export interface MemoryLocation {
  space: string;
  prefix: string;
}

/** Parses `memory://space[/prefix]`; a trailing slash is ignored. */
export function parseMemoryUrl(url: string): MemoryLocation {
  const match = /^memory:\/\/([A-Za-z0-9._-]+)\/?([^?#]*)$/i.exec(url);
  if (!match?.[1])
    throw new UsageError(
      `not a valid memory address: ${url}`,
      'write it as memory://space or memory://space/prefix',
    );
  return { space: match[1], prefix: (match[2] ?? '').replace(/\/+$/, '').replace(/^\/+/, '') };
}

/** `memory://space/prefix[/name]`. */
export function formatMemoryUrl(location: MemoryLocation, name?: string): string {
  const key = name === undefined ? location.prefix : keyOf(location, name);
  return `memory://${location.space}${key ? `/${key}` : ''}`;
}

function keyOf(location: MemoryLocation, name: string): string {
  return location.prefix ? `${location.prefix}/${name}` : name;
}

/** Forgets everything stored in a memory space: its repositories, open or not, then list as empty. */
export function clearMemorySpace(space: string): void {
  // Emptied in place: handles opened before see it empty too.
  const found = spaces.get(space);
  found?.files.clear();
  found?.uploads.clear();
  spaces.delete(space);
}

/**
 * A repository in this process's memory (`memory://space/prefix`): for tests
 * and for library users who keep an archive only as long as the process runs.
 * It keeps the promises of every repository: a name is claimed before it is
 * written, an archive appears only on commit and never replaces one that
 * exists, and an aborted one leaves nothing behind.
 */
export class MemoryRepository implements Repository {
  readonly kind = 'memory';
  readonly url: string;
  private readonly location: MemoryLocation;
  private readonly space: MemorySpace;

  constructor(url: string) {
    this.location = parseMemoryUrl(url);
    this.url = formatMemoryUrl(this.location);
    let space = spaces.get(this.location.space);
    if (!space) {
      space = { files: new Map(), uploads: new Map() };
      spaces.set(this.location.space, space);
    }
    this.space = space;
  }

  async listFiles(folder?: string): Promise<RepositoryFile[]> {
    const base = folder ? keyOf(this.location, folder) : this.location.prefix;
    const prefix = base ? `${base}/` : '';
    const files: RepositoryFile[] = [];
    for (const [key, file] of this.space.files) {
      const name = key.startsWith(prefix) ? key.slice(prefix.length) : '';
      if (!name || name.includes('/')) continue;
      files.push({ name, size: file.bytes.length, modified: file.modified });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  async createArchive(name: string): Promise<ByteSink> {
    const key = keyOf(this.location, name);
    const where = this.locate(name);
    const claim = `${name}.lock`;
    if (!(await this.createText(claim, JSON.stringify(ownClaim())))) {
      throw new StowageError(
        'exists',
        `archive ${where} is being written by another backup (${this.locate(claim)} exists)`,
        'choose another name, or remove the .lock file if no backup is running',
      );
    }
    if (this.space.files.has(key)) {
      await this.remove(claim);
      throw new StowageError(
        'exists',
        `archive already exists: ${where}`,
        'choose another name or remove the old one',
      );
    }
    const upload: MemoryUpload = { bytes: 0, lastActivity: new Date() };
    this.space.uploads.set(key, upload);
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = async () => {
      settled = true;
      this.space.uploads.delete(key);
      await this.remove(claim);
    };
    return {
      location: where,
      releasesChunks: true,
      write: async (chunk) => {
        if (settled) throw new StowageError('writer-closed', `write after the archive was settled: ${where}`);
        // A copy: the writer reuses its buffers once write() resolves.
        chunks.push(Buffer.from(chunk));
        upload.bytes += chunk.length;
        upload.lastActivity = new Date();
      },
      commit: async () => {
        if (settled) throw new StowageError('writer-closed', `archive already settled: ${where}`);
        // Conditional publish, as on the other stores: an archive that appeared meanwhile stays.
        if (this.space.files.has(key)) {
          await settle();
          throw new StowageError(
            'exists',
            `archive already exists: ${where}`,
            'choose another name or remove the old one',
          );
        }
        this.space.files.set(key, { bytes: Buffer.concat(chunks), modified: new Date() });
        await settle();
      },
      abort: async () => {
        if (!settled) await settle();
      },
    };
  }

  async openArchive(name: string): Promise<ByteSource> {
    const file = this.space.files.get(keyOf(this.location, name));
    const location = this.locate(name);
    if (!file)
      throw new StowageError(
        'not-found',
        `no such archive: ${location}`,
        'check the name with `stowage list`',
      );
    const { bytes } = file;
    return {
      size: bytes.length,
      location,
      read: async (offset, length) => Buffer.from(bytes.subarray(offset, offset + length)),
      close: async () => {},
    };
  }

  async readText(name: string): Promise<string | undefined> {
    return this.space.files.get(keyOf(this.location, name))?.bytes.toString('utf8');
  }

  async writeText(name: string, text: string): Promise<void> {
    this.space.files.set(keyOf(this.location, name), {
      bytes: Buffer.from(text, 'utf8'),
      modified: new Date(),
    });
  }

  async createText(name: string, text: string): Promise<boolean> {
    // No await between the check and the set: another caller cannot get in between.
    if (this.space.files.has(keyOf(this.location, name))) return false;
    await this.writeText(name, text);
    return true;
  }

  async remove(name: string): Promise<void> {
    this.space.files.delete(keyOf(this.location, name));
  }

  async listLeftovers(options: LeftoverOptions = {}): Promise<Leftover[]> {
    const prefix = this.location.prefix ? `${this.location.prefix}/` : '';
    const names = new Set<string>();
    for (const key of this.space.uploads.keys()) {
      const name = key.startsWith(prefix) ? key.slice(prefix.length) : '';
      if (name && !name.includes('/')) names.add(name);
    }
    for (const { name } of await this.listFiles()) {
      const match = /^(.+\.stow)\.lock$/.exec(name);
      if (match) names.add(match[1]!);
    }
    const leftovers: Leftover[] = [];
    for (const name of [...names].sort()) {
      const key = keyOf(this.location, name);
      const upload = this.space.uploads.get(key);
      const lock = this.space.files.get(`${key}.lock`);
      if (!upload && !lock) continue;
      const owner = await parseClaim(lock?.bytes.toString('utf8'));
      const lastActivity = new Date(
        Math.max(upload?.lastActivity.getTime() ?? 0, lock?.modified.getTime() ?? 0),
      );
      leftovers.push({
        kind: 'partial',
        name,
        bytes: upload?.bytes ?? 0,
        lastActivity,
        ...(owner ? { owner } : {}),
        ...judgeClaim(owner, lastActivity, options),
        ref: name,
      });
    }
    return leftovers;
  }

  async removeLeftover(leftover: Leftover): Promise<void> {
    this.space.uploads.delete(keyOf(this.location, leftover.ref));
    await this.remove(`${leftover.ref}.lock`);
  }

  async freeSpace(): Promise<undefined> {
    return undefined;
  }

  async checkWritable(): Promise<void> {}

  locate(name: string): string {
    return formatMemoryUrl(this.location, name);
  }

  async close(): Promise<void> {}
}
