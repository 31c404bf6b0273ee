import type { Command } from 'commander';

/** What `--help --json` prints: the help text a person reads, and its parts for a program. */
export interface HelpJson {
  /** The command the help is for, e.g. `stowage backup`. */
  command: string;
  usage: string;
  description: string;
  arguments: { name: string; description: string; required: boolean }[];
  options: { flags: string; description: string; default?: unknown }[];
  /** Subcommands (for `stowage --help`). */
  commands: { name: string; description: string }[];
  /** The text `--help` prints, examples included. */
  help: string;
}

/** `--help --json`: the help commander wrote for `command`, and what it is made of. */
export function helpJson(command: Command, text: string): HelpJson {
  const help = command.createHelp();
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return {
    command: names.join(' '),
    usage: `${names.join(' ')} ${command.usage()}`,
    description: command.description(),
    arguments: help.visibleArguments(command).map((a) => ({
      name: a.name(),
      description: a.description,
      required: a.required,
    })),
    options: help.visibleOptions(command).map((o) => ({
      flags: o.flags,
      description: o.description,
      ...(o.defaultValue !== undefined ? { default: o.defaultValue } : {}),
    })),
    commands: help.visibleCommands(command).map((c) => ({ name: c.name(), description: c.description() })),
    help: text,
  };
}
