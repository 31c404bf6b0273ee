import { Command } from 'commander';
import type { CliContext } from '../context.js';
export declare function verifyCommand(ctx: CliContext): Command;
