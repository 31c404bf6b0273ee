import { KeyRequiredError, NotAnArchiveError, StowageError, UnsupportedVersionError } from '../errors.js';
import { archiveKeys, type Encryption } from './archive-keys.js';
import type { ByteSource } from './byte-source.js';
import {
  decodeHeader,
  FORMAT_VERSION,
  HEADER_MAGIC,
  HEADER_SIZE,
  type Header,
  headerAuthenticatedPart,
  Kdf,
  OLDEST_READABLE_VERSION,
} from './format.js';
import { verifyKeyCheck } from './keys.js';

/** An archive's header, validated, with the frame key when the archive is encrypted. */
export interface OpenedHeader {
  header: Header;
  key: Buffer | undefined;
}

/**
 * Reads and checks the header, then derives (or takes from the key cache) and
 * checks the key. Shared by the indexed reader and the recovery scan, which
 * must agree on what a valid start of an archive is.
 */
export async function readHeader(
  source: ByteSource,
  encryption: Encryption | undefined,
): Promise<OpenedHeader> {
  if (source.size === 0) throw new NotAnArchiveError(`${source.location} is empty`);
  const bytes = await source.read(0, HEADER_SIZE);
  const decoded = decodeHeader(bytes);
  if (
    decoded === 'magic' ||
    (decoded === 'short' && !HEADER_MAGIC.subarray(0, bytes.length).equals(bytes.subarray(0, 8)))
  ) {
    throw new NotAnArchiveError(source.location);
  }
  if (decoded === 'short')
    throw new StowageError(
      'truncated',
      `truncated archive: ${source.location} ends inside its header`,
      'use an intact copy',
    );
  if (decoded === 'crc') {
    // Whatever the version field says, it fails the checksum with the rest: a damaged byte, not a
    // newer format (whose header would still carry a valid checksum).
    throw new StowageError(
      'corrupt-header',
      `corrupt archive header in ${source.location}`,
      'the archive is damaged; restore from another backup',
    );
  }
  if (decoded.version < OLDEST_READABLE_VERSION || decoded.version > FORMAT_VERSION)
    throw new UnsupportedVersionError(decoded.version);
  if (!decoded.encrypted) return { header: decoded, key: undefined };
  if (!encryption) throw new KeyRequiredError();
  if (decoded.kdf !== Kdf.Scrypt && decoded.kdf !== Kdf.RawKey) {
    throw new StowageError('corrupt-header', `unknown key derivation ${decoded.kdf} in ${source.location}`);
  }
  const key = await archiveKeys(encryption).keyFor(decoded);
  verifyKeyCheck(key, headerAuthenticatedPart(bytes), decoded.keyCheck);
  return { header: decoded, key };
}
