import type { Command } from 'commander';
import type { EngineName } from '../engines/engine.js';
import type { EngineFlag } from '../engines/plugin.js';
import { allEngines } from '../engines/registry.js';
import { UsageError } from '../errors.js';

/**
 * Engine-specific flags and how they map onto engine options, gathered from
 * the engine plugins (each describes its own flags). One table per command,
 * so a flag meant for another engine is reported instead of being silently
 * ignored.
 */
interface FlagSpec extends EngineFlag {
  engine: EngineName;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Every engine's flags for one command, labelled with the engine's name in the help. */
function flagsFor(command: 'backup' | 'restore' | 'inspect'): FlagSpec[] {
  return allEngines().flatMap((engine) =>
    engine.flags[command].map((flag) => ({
      ...flag,
      engine: engine.name,
      description: `${engine.label}: ${flag.description}`,
    })),
  );
}

export const BACKUP_FLAGS: FlagSpec[] = flagsFor('backup');
export const RESTORE_FLAGS: FlagSpec[] = flagsFor('restore');
/** `inspect --list/--sql`: the selection a restore takes, so the listing shows what that restore would write. */
export const INSPECT_FLAGS: FlagSpec[] = flagsFor('inspect');

export function addEngineFlags(command: Command, specs: FlagSpec[]): Command {
  const added = new Set<string>();
  for (const spec of specs) {
    // A flag two engines share is one option, with the first engine's help line.
    if (added.has(spec.flags)) continue;
    added.add(spec.flags);
    if (spec.repeatable) command.option(spec.flags, spec.description, collect);
    else command.option(spec.flags, spec.description);
  }
  return command;
}

/** Picks the flags given for `engine` into its options object; rejects flags of the other engine. */
export function engineOptionsFrom(
  specs: FlagSpec[],
  opts: Record<string, unknown>,
  engine: EngineName,
  command: Command,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const key = spec.from ?? spec.option;
    const value = opts[key];
    const isDefault = command.getOptionValueSource(key) === 'default' || value === undefined;
    if (isDefault) continue;
    if (spec.engine !== engine) {
      // A flag shared by several engines (e.g. --schema-only) is fine when another spec matches this engine.
      if (specs.some((s) => s !== spec && s.flags === spec.flags && s.engine === engine)) continue;
      throw new UsageError(
        `${spec.flags.split(' ')[0]} applies to ${spec.engine} only, but this is a ${engine} ${command.name()}`,
      );
    }
    out[spec.option] = spec.parse ? spec.parse(value as string | string[]) : value;
  }
  return out;
}
