import type { z } from 'zod';
import { conformer } from './zod-conforms.js';
import { zodStandIn } from './zod-stand-in.js';

type Zod = typeof z;

let zodLoaded: Zod | undefined;

/**
 * Loads zod, once. Its chunk (390 KB) and the schemas built with it were a
 * tenth of a small backup's CPU (issue 14): the backup and restore paths check
 * what they read with {@link LazySchemas.conforms} and load zod only to word
 * what is wrong, or on the rarer paths that parse for real.
 */
export async function loadZod(): Promise<Zod> {
  zodLoaded ??= (await import('zod')).z;
  return zodLoaded;
}

/**
 * The schemas a module declares once, in `define` (which takes zod's `z` and
 * returns them by name), built on first use: with zod by {@link load} (zod
 * loaded then), and with the stand-in of zod-stand-in.ts for
 * {@link conforms}, which answers without zod. Types come from
 * `z.infer<Built<typeof …>['Name']>`: type-only imports of zod load nothing.
 */
export class LazySchemas<T extends Record<string, z.ZodType>> {
  private built: T | undefined;
  private described: T | undefined;
  private readonly checks = new Map<keyof T, (value: unknown) => boolean>();
  private readonly orderers = new Map<keyof T, Orderer>();

  constructor(private readonly define: (z: Zod) => T) {}

  /** The zod schemas, zod loaded (once) first. */
  async load(): Promise<T> {
    this.built ??= this.define(await loadZod());
    return this.built;
  }

  /** The zod schemas, built with the zod of a module that imports it itself (the daemon's configuration). */
  builtWith(zod: Zod): T {
    zodLoaded ??= zod;
    this.built ??= this.define(zod);
    return this.built;
  }

  /**
   * True only when zod would accept `value` for schema `name` and give back an
   * equal value (zod-conforms.ts), decided without zod. False: zod decides.
   */
  conforms(name: keyof T): (value: unknown) => boolean {
    let check = this.checks.get(name);
    if (!check) {
      this.described ??= this.define(zodStandIn());
      check = conformer(this.described[name] as z.ZodType);
      this.checks.set(name, check);
    }
    return check;
  }

  /**
   * zod's `parse`, without zod for a value that conforms: then a copy of its
   * objects with their keys in the schema's order, as zod's copy has them (a
   * writer whose output bytes depend on that order). Throws zod's error.
   */
  async parseInOrder<K extends keyof T>(name: K, value: unknown): Promise<z.output<T[K]>> {
    if (!this.conforms(name)(value)) return (await this.load())[name]!.parse(value) as z.output<T[K]>;
    let order = this.orderers.get(name);
    if (!order) {
      order = ordererOf(defOf((this.described as T)[name] as z.ZodType)) ?? copyOf;
      this.orderers.set(name, order);
    }
    return order(value) as z.output<T[K]>;
  }

  /** zod's `safeParse`, without zod for a value that conforms (it is given back as it is). */
  async safeParse<K extends keyof T>(name: K, value: unknown): Promise<z.ZodSafeParseResult<z.output<T[K]>>> {
    if (this.conforms(name)(value)) return { success: true, data: value as z.output<T[K]> };
    return (await this.load())[name]!.safeParse(value) as z.ZodSafeParseResult<z.output<T[K]>>;
  }
}

/** The schemas a {@link LazySchemas} builds, for `z.infer<Built<typeof X>['Name']>`. */
export type Built<S> = S extends LazySchemas<infer T> ? T : never;

interface Described {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Described } })._zod.def;

/** Gives a conforming value with its objects' keys in schema order. */
type Orderer = (value: unknown) => unknown;

/** A value whose schema is neither an object nor an array (strings, numbers, records…): kept as it is, as before. */
const copyOf: Orderer = (value) => value;

/**
 * The {@link Orderer} of a schema, worked out once: undefined where the value
 * is kept as it is (neither an object nor an array), so a manifest's thousands
 * of stream entries are each one copy with no look at their fields' schemas
 * (the manifest of a 1,000-table backup was ~6 ms of CPU to reorder by
 * walking the schema per value). Records are kept as they are, as before.
 */
function ordererOf(def: Described): Orderer | undefined {
  switch (def.type) {
    case 'optional':
    case 'nullable': {
      const inner = ordererOf(defOf(def.innerType as z.ZodType));
      return inner && ((value) => (value === undefined || value === null ? value : inner(value)));
    }
    case 'array': {
      const element = ordererOf(defOf(def.element as z.ZodType));
      // zod gives back a new array even of strings: so does this.
      return element ? (value) => (value as unknown[]).map(element) : (value) => (value as unknown[]).slice();
    }
    case 'object': {
      const fields = Object.entries(def.shape ?? {}).map(
        ([key, field]) => [key, ordererOf(defOf(field))] as const,
      );
      return (value) => {
        const record = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [key, order] of fields) {
          if (!(key in record)) continue;
          const item = record[key];
          out[key] = order === undefined ? item : order(item);
        }
        return out;
      };
    }
    default:
      return undefined;
  }
}
