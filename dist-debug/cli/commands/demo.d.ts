import { Command } from 'commander';
import type { CliContext } from '../context.js';
export declare function demoCommand(ctx: CliContext): Command;
