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
    return inSchemaOrder(defOf((this.described as T)[name] as z.ZodType), value) as z.output<T[K]>;
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

/** A conforming value with its objects' keys in schema order (what else zod copies, records, is kept as it is). */
function inSchemaOrder(def: Described, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (def.type) {
    case 'optional':
    case 'nullable':
      return inSchemaOrder(defOf(def.innerType as z.ZodType), value);
    case 'array': {
      const element = defOf(def.element as z.ZodType);
      return (value as unknown[]).map((item) => inSchemaOrder(element, item));
    }
    case 'object': {
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(def.shape ?? {}))
        if (key in record) out[key] = inSchemaOrder(defOf(field), record[key]);
      return out;
    }
    default:
      return value;
  }
}
