import { Command } from 'commander';
import type { CliContext } from '../context.js';
export declare function backupCommand(ctx: CliContext): Command;
/** Where the webhook URL comes from: an environment variable, since its path is a secret (never a flag). */
export declare const WEBHOOK_ENV = "STOWAGE_WEBHOOK_URL";
