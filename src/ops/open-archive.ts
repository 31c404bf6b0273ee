import { type ArchiveKeys, archiveKeys, type Encryption } from '../archive/archive-keys.js';
import type { ByteSource } from '../archive/byte-source.js';
import type { ArrayItems } from '../archive/json-assembler.js';
import type { Manifest } from '../archive/manifest.js';
import { ArchiveReader } from '../archive/reader.js';
import { openArchiveSource } from '../store/destination.js';
import type { StoreOptions } from '../store/registry.js';
import { spoolToTemporaryFile } from '../store/stdin-spool.js';

/** The archive argument that means "read the archive from standard input". */
export const STDIN_ARCHIVE = '-';

/** Where `-` reads from: the process's stdin unless given (tests, embedding programs). */
export type ArchiveInput = AsyncIterable<Buffer | string> & { isTTY?: boolean };

export interface OpenArchiveOptions {
  /** The passphrase or key, or the operation's key cache (shared with the steps around this one). */
  encryption?: Encryption;
  threads?: number;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
  /** Frames read ahead per stream, unless a step asks for its own (see {@link ArchiveReader.withReadAhead}). */
  prefetch?: number;
  stdin?: ArchiveInput;
  signal?: AbortSignal;
  /** Wraps the opened source (the stall watchdog counts its reads). */
  watch?: (source: ByteSource) => ByteSource;
  /** What the footer's long lists are kept as (ArchiveReaderOptions.footerItems). */
  footerItems?: ArrayItems;
}

/**
 * One archive, opened once for a whole operation: header, key and footer are
 * read once, and the restore, the comparison after a test restore and any
 * other step read streams through the same reader. The key cache goes with it,
 * so a step that must open the file again (a front-to-back scan) or writes an
 * archive (a safety backup) derives no key it already has. The opener closes it.
 */
export class ArchiveHandle {
  private constructor(
    /** The archive as the user named it (a path, `s3://…`, or `-`). */
    readonly path: string,
    readonly reader: ArchiveReader,
    /** The operation's key cache; undefined when no key was given. */
    readonly keys: ArchiveKeys | undefined,
    private readonly routed: RoutedSource,
  ) {}

  /**
   * Opens an archive (local path, `s3://bucket/prefix/NAME.stow`, or `-` for
   * stdin, received whole into a private temporary file first).
   */
  static async open(path: string, options: OpenArchiveOptions = {}): Promise<ArchiveHandle> {
    // A pipe is received whole before the watchdog sees the source: a slow upstream is not a stall.
    const opened =
      path === STDIN_ARCHIVE
        ? await spoolToTemporaryFile(options.stdin ?? process.stdin, { signal: options.signal })
        : await openArchiveSource(path, { stores: options.stores });
    return ArchiveHandle.fromSource(path, opened, options);
  }

  /** Opens an archive from a source the caller opened (a repository's file); the handle owns the source. */
  static async fromSource(
    path: string,
    source: ByteSource,
    options: Pick<OpenArchiveOptions, 'encryption' | 'threads' | 'prefetch' | 'watch' | 'footerItems'> = {},
  ): Promise<ArchiveHandle> {
    const keys = archiveKeys(options.encryption);
    const routed = new RoutedSource(source);
    if (options.watch) routed.through(options.watch);
    const reader = await ArchiveReader.open(routed, {
      encryption: keys,
      threads: options.threads,
      ...(options.prefetch ? { prefetch: options.prefetch } : {}),
      footerItems: options.footerItems,
    });
    return new ArchiveHandle(path, reader, keys, routed);
  }

  get manifest(): Manifest {
    return this.reader.manifest;
  }

  /**
   * Sends this handle's reads through `wrap` (a step's stall watchdog) until
   * the returned function is called: each step watches its own reads.
   */
  watch(wrap: (source: ByteSource) => ByteSource): () => void {
    return this.routed.through(wrap);
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

/** A source whose reads go through whichever wrapper the current step set. */
class RoutedSource implements ByteSource {
  private route: ByteSource;

  constructor(private readonly base: ByteSource) {
    this.route = base;
  }

  get size(): number {
    return this.base.size;
  }

  get location(): string {
    return this.base.location;
  }

  read(offset: number, length: number): Promise<Buffer> {
    return this.route.read(offset, length);
  }

  close(): Promise<void> {
    return this.base.close();
  }

  through(wrap: (source: ByteSource) => ByteSource): () => void {
    const previous = this.route;
    this.route = wrap(this.base);
    return () => {
      this.route = previous;
    };
  }
}
