import { Command } from 'commander';
import type { CliContext } from '../context.js';
export declare function inspectCommand(ctx: CliContext): Command;
