import type { Command } from 'commander';
import type { KeySource } from '../archive/keys.js';
export interface KeyFlags {
    keyFile?: string;
    passphraseFile?: string;
    passphraseEnv?: string;
}
/** Adds the encryption key flags shared by every command that reads or writes archives. */
export declare function addKeyOptions(command: Command): Command;
/**
 * Resolves the key flags (then STOWAGE_KEY_FILE / STOWAGE_PASSPHRASE) into a
 * key source. Passphrases never come from the command line itself, where `ps`
 * and shell history would show them.
 */
export declare function keySourceFrom(flags: KeyFlags): Promise<KeySource | undefined>;
