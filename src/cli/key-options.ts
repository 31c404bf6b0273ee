import type { Command } from 'commander';
import type { KeySource } from '../archive/keys.js';
import { UsageError } from '../errors.js';

export interface KeyFlags {
  keyFile?: string;
  passphraseFile?: string;
  passphraseEnv?: string;
}

/** Adds the encryption key flags shared by every command that reads or writes archives. */
export function addKeyOptions(command: Command): Command {
  return command
    .option('--key-file <file>', 'encryption key file: 32 bytes, raw, hex or base64 (env STOWAGE_KEY_FILE)')
    .option('--passphrase-file <file>', 'read the encryption passphrase from a file')
    .option(
      '--passphrase-env <var>',
      'read the encryption passphrase from this environment variable (default STOWAGE_PASSPHRASE)',
    );
}

/**
 * Resolves the key flags (then STOWAGE_KEY_FILE / STOWAGE_PASSPHRASE) into a
 * key source. Passphrases never come from the command line itself, where `ps`
 * and shell history would show them.
 */
export async function keySourceFrom(flags: KeyFlags): Promise<KeySource | undefined> {
  const given = [flags.keyFile, flags.passphraseFile, flags.passphraseEnv].filter(Boolean);
  if (given.length > 1)
    throw new UsageError('give only one of --key-file, --passphrase-file, --passphrase-env');
  if (flags.keyFile) return { keyFile: flags.keyFile };
  if (flags.passphraseFile) {
    // Loaded here, not at start-up: most commands never read a passphrase file.
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(flags.passphraseFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read passphrase file ${flags.passphraseFile}: ${err.code ?? err.message}`);
    });
    const passphrase = text.replace(/\r?\n$/, '');
    if (!passphrase) throw new UsageError(`passphrase file ${flags.passphraseFile} is empty`);
    return { passphrase };
  }
  if (flags.passphraseEnv) {
    const passphrase = process.env[flags.passphraseEnv];
    if (!passphrase) throw new UsageError(`environment variable ${flags.passphraseEnv} is not set or empty`);
    return { passphrase };
  }
  if (process.env.STOWAGE_KEY_FILE) return { keyFile: process.env.STOWAGE_KEY_FILE };
  if (process.env.STOWAGE_PASSPHRASE) return { passphrase: process.env.STOWAGE_PASSPHRASE };
  return undefined;
}
