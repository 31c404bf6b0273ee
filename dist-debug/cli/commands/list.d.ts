import { Command } from 'commander';
import type { ArchiveInfo } from '../../catalog/list.js';
import type { CliContext } from '../context.js';
/** The verification column: passed, FAILED, or - when never verified. */
export declare function verificationLabel(a: ArchiveInfo): string;
/** Human rows for a set of archives, oldest first (the newest ends up next to the prompt). */
export declare function archiveTable(archives: ArchiveInfo[]): string[];
/** JSON form of an archive: dates as ISO strings. */
export declare function archiveJson(a: ArchiveInfo): Record<string, unknown>;
export declare function listCommand(ctx: CliContext): Command;
