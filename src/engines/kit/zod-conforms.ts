import type { z } from 'zod';

/**
 * A fast yes-or-don't-know check of a value against a zod schema, for the
 * archived schema sections: zod builds a copy of every object it parses,
 * seconds for the hundred thousand objects of a 20,000-table database, when
 * the value read from the archive is almost always valid as it stands.
 *
 * `conforms(value)` is true only when parsing `value` would succeed and give
 * back an equal value (no unknown keys to strip, no transforms), so the caller
 * may use `value` itself. False means "let zod decide": the caller parses with
 * zod, which then names what is wrong. Parts of a schema this does not know
 * (string formats, refinements, records, …) are handed to zod one value at a
 * time, so the answer never differs from zod's.
 */
export function conformer(schema: z.ZodType): (value: unknown) => boolean {
  return compile(schema, new Map());
}

type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: unknown;
  element?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
  format?: unknown;
}

interface CheckDef {
  check: string;
  format?: string;
  minimum?: number;
  value?: number;
  inclusive?: boolean;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function compile(schema: z.ZodType, seen: Map<z.ZodType, Check>): Check {
  const known = seen.get(schema);
  if (known) return known;
  const check = compileNew(schema, seen);
  seen.set(schema, check);
  return check;
}

function compileNew(schema: z.ZodType, seen: Map<z.ZodType, Check>): Check {
  const def = defOf(schema);
  const byZod: Check = (value) => schema.safeParse(value).success;
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  switch (def.type) {
    case 'string':
      return def.format !== undefined || checks.length ? byZod : (v) => typeof v === 'string';
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'unknown':
      return () => true;
    case 'number': {
      const bounds = checks.map(numberCheck);
      if (bounds.some((b) => b === undefined)) return byZod;
      return (v) => typeof v === 'number' && Number.isFinite(v) && bounds.every((b) => (b as Check)(v));
    }
    case 'enum': {
      const allowed = new Set(Object.values(def.entries ?? {}));
      return (v) => allowed.has(v);
    }
    case 'literal': {
      const allowed = new Set(def.values ?? []);
      return (v) => allowed.has(v);
    }
    case 'optional': {
      const inner = compile(def.innerType as z.ZodType, seen);
      return (v) => v === undefined || inner(v);
    }
    case 'nullable': {
      const inner = compile(def.innerType as z.ZodType, seen);
      return (v) => v === null || inner(v);
    }
    case 'array': {
      const lengths = checks.map((c) => (c.check === 'min_length' ? (c.minimum ?? 0) : undefined));
      if (lengths.some((l) => l === undefined)) return byZod;
      const min = Math.max(0, ...(lengths as number[]));
      const element = compile(def.element as z.ZodType, seen);
      return (v) => {
        if (!Array.isArray(v) || v.length < min) return false;
        for (const item of v) if (!element(item)) return false;
        return true;
      };
    }
    case 'object': {
      // A catchall keeps unknown keys and a refinement judges the whole: zod's to decide.
      if (def.catchall !== undefined || checks.length) return byZod;
      const fields = Object.entries(def.shape ?? {}).map(([key, field]) => ({
        key,
        check: compile(field, seen),
      }));
      const keys = new Set(fields.map((f) => f.key));
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const record = v as Record<string, unknown>;
        for (const f of fields) if (!f.check(record[f.key])) return false;
        // zod would drop an unknown key: the value as it stands is not what zod gives back.
        for (const key in record) if (!keys.has(key)) return false;
        return true;
      };
    }
    default:
      return byZod;
  }
}

/** A number check zod would make, or undefined for one this does not know. */
function numberCheck(c: CheckDef): Check | undefined {
  const bound = c.value ?? Number.NaN;
  switch (c.check) {
    case 'number_format':
      return c.format === 'safeint' ? (v) => Number.isSafeInteger(v) : undefined;
    case 'greater_than':
      return c.inclusive ? (v) => (v as number) >= bound : (v) => (v as number) > bound;
    case 'less_than':
      return c.inclusive ? (v) => (v as number) <= bound : (v) => (v as number) < bound;
    default:
      return undefined;
  }
}
