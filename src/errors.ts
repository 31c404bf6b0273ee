import type { ErrorCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

/**
 * Typed errors. Every error Stowage raises on purpose is a {@link StowageError}
 * with a stable `code`, a one-line message that says what happened, and where
 * possible a `hint` naming what to do. The CLI prints `message` and `hint`,
 * and takes its exit status from the code (see ./error-codes.ts).
 */
export class StowageError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StowageError';
  }
}

/** Bad command-line usage or API arguments (CLI exit code 2). */
export class UsageError extends StowageError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint);
    this.name = 'UsageError';
  }
}

/** The file is not a .stow archive at all. */
export class NotAnArchiveError extends StowageError {
  constructor(what: string) {
    super(
      'not-an-archive',
      `not a stowage archive: ${what}`,
      'check the path; stowage archives end in .stow',
    );
    this.name = 'NotAnArchiveError';
  }
}

/** The archive was written by a newer (or unknown) format version. */
export class UnsupportedVersionError extends StowageError {
  constructor(readonly version: number) {
    super(
      'unsupported-version',
      `unsupported format version ${version}`,
      'upgrade stowage to a release that reads this format',
    );
    this.name = 'UnsupportedVersionError';
  }
}

/** A frame failed its checksum or authentication. */
export class CorruptFrameError extends StowageError {
  constructor(
    readonly offset: number,
    readonly stream: string,
    detail: string,
  ) {
    super(
      'corrupt-frame',
      `corrupt frame at offset ${offset} in stream ${stream}: ${detail}`,
      'the archive is damaged; restore from another backup',
    );
    this.name = 'CorruptFrameError';
  }
}

/**
 * The archive is damaged where no stream data is lost: its trailer, or bytes
 * appended after it. Not "truncated": nothing was cut short.
 */
export class CorruptArchiveError extends StowageError {
  constructor(detail: string) {
    super(
      'corrupt-archive',
      `corrupt archive: ${detail}`,
      'the archive is damaged; restore from another backup or an intact copy',
    );
    this.name = 'CorruptArchiveError';
  }
}

/** The archive ends early; `incomplete` lists the streams that are not whole. */
export class TruncatedArchiveError extends StowageError {
  constructor(
    readonly incomplete: string[],
    detail: string,
  ) {
    super(
      'truncated',
      `truncated archive: ${incomplete.length ? `streams ${incomplete.join(', ')} incomplete` : detail}`,
      'the archive was cut short (interrupted upload or copy); use an intact copy',
    );
    this.name = 'TruncatedArchiveError';
  }
}

/** Decryption failed on the key check: wrong passphrase or key file. */
export class WrongKeyError extends StowageError {
  constructor() {
    super(
      'wrong-key',
      'wrong passphrase or key',
      'give the passphrase or key file this archive was written with',
    );
    this.name = 'WrongKeyError';
  }
}

/** The archive is encrypted and no key was given. */
export class KeyRequiredError extends StowageError {
  constructor() {
    super(
      'key-required',
      'archive is encrypted and no passphrase or key was given',
      'pass --passphrase-env VAR, --passphrase-file FILE or --key-file FILE',
    );
    this.name = 'KeyRequiredError';
  }
}
