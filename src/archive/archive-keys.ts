import type { Header } from './format.js';
import { deriveArchiveKey, type KeySource } from './keys.js';

/** Turns a header's salt and KDF parameters plus the user's secret into the archive key. */
export type KeyDerivation = (header: Header, source: KeySource) => Promise<Buffer>;

/**
 * The keys one operation needs, each derived once. Every archive has its own
 * salt, so its key is derived from the passphrase or key file once per salt;
 * a passphrase costs a 128 MiB scrypt run (about half a second) each time, and
 * one `verify --restore-test` reads the same archive four times. An operation
 * makes one of these from the user's {@link KeySource} and hands it to every
 * step (confirm, safety backup, restore, verify; every archive a listing
 * reads); it is not module state, so keys live only as long as the operation.
 */
export class ArchiveKeys {
  private readonly bySalt = new Map<string, Promise<Buffer>>();
  private count = 0;
  /** Derivations running now, and those waiting for a turn. */
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * @param source the passphrase or key the user gave
   * @param derive how a key is derived; tests pass a wrapper to watch it
   */
  constructor(
    readonly source: KeySource,
    private readonly derive: KeyDerivation = deriveArchiveKey,
  ) {}

  /** Keys derived so far: one per distinct salt (and KDF parameters) asked for. */
  get derivations(): number {
    return this.count;
  }

  /** The key for the archive with this header, derived on first use. */
  keyFor(header: Header): Promise<Buffer> {
    const id = `${header.kdf}:${header.scryptLogN}:${header.scryptR}:${header.scryptP}:${header.salt.toString('hex')}`;
    let key = this.bySalt.get(id);
    if (!key) {
      this.count++;
      key = this.inTurn(() => this.derive(header, this.source));
      // Remembered while pending, so archives read at once share one derivation; a failure (an
      // unreadable key file, a passphrase for a key-file archive) is not remembered.
      key.catch(() => this.bySalt.delete(id));
      this.bySalt.set(id, key);
    }
    return key;
  }

  /**
   * Runs a derivation when fewer than {@link MAX_CONCURRENT_DERIVATIONS} are
   * running: a listing reads eight manifests at once, and each scrypt run
   * holds 128 MiB.
   */
  private async inTurn(derive: () => Promise<Buffer>): Promise<Buffer> {
    // A finished derivation hands its turn straight to the next waiting one.
    if (this.running >= MAX_CONCURRENT_DERIVATIONS) await new Promise<void>((go) => this.waiting.push(go));
    else this.running++;
    try {
      return await derive();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Key derivations one cache runs at once: two cores' worth of scrypt, 256 MiB at most. */
export const MAX_CONCURRENT_DERIVATIONS = 2;

/** What encrypted archives are read or written with: the user's secret, or an operation's key cache. */
export type Encryption = KeySource | ArchiveKeys;

/** The key cache to use: the one given, or a new one for a bare secret. */
export function archiveKeys(encryption: Encryption): ArchiveKeys;
export function archiveKeys(encryption: Encryption | undefined): ArchiveKeys | undefined;
export function archiveKeys(encryption: Encryption | undefined): ArchiveKeys | undefined {
  if (encryption === undefined || encryption instanceof ArchiveKeys) return encryption;
  return new ArchiveKeys(encryption);
}
