import type { Command } from 'commander';
import type { EngineName } from '../engines/engine.js';
/**
 * Engine-specific flags and how they map onto engine options. One table per
 * command, so a flag meant for the other engine is reported instead of being
 * silently ignored.
 */
interface FlagSpec {
    flags: string;
    description: string;
    engine: EngineName;
    /** Key in the engine's options object; also commander's camel-cased option name unless `from` says otherwise. */
    option: string;
    from?: string;
    repeatable?: boolean;
    /** Turns the raw flag value (a string, or strings when repeatable) into the option value. */
    parse?: (value: string | string[]) => unknown;
}
export declare const BACKUP_FLAGS: FlagSpec[];
export declare const RESTORE_FLAGS: FlagSpec[];
export declare function addEngineFlags(command: Command, specs: FlagSpec[]): Command;
/** Picks the flags given for `engine` into its options object; rejects flags of the other engine. */
export declare function engineOptionsFrom(specs: FlagSpec[], opts: Record<string, unknown>, engine: EngineName, command: Command): Record<string, unknown>;
export {};
