import { Command } from 'commander';
import type { CliContext } from '../context.js';
export declare function restoreCommand(ctx: CliContext): Command;
