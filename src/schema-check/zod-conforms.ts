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
 * zod, which then names what is wrong. String patterns (`regex`, ISO
 * datetimes) are tested with zod's own regular expressions and refinements
 * (`refine`) are called as zod calls them; parts of a schema this does not know
 * (other string formats, unions, …) are handed to zod one value at a time, so
 * the answer never differs from zod's.
 *
 * `schema` may also be the description zod-stand-in.ts builds without zod:
 * there the parts this does not know answer false (zod, once loaded, decides).
 */
export function conformer(schema: z.ZodType): (value: unknown) => boolean {
  return compile(schema, new Map());
}

type Check = (value: unknown) => boolean;

/** zod types whose parse may give back a value other than the input. */
const VALUE_CHANGING = new Set(['default', 'prefault', 'transform', 'pipe', 'catch', 'success']);

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  /** A string format's own pattern (`z.iso.datetime()`), with `check: 'string_format'`. */
  check?: string;
  pattern?: RegExp;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
  format?: unknown;
}

interface CheckDef {
  check: string;
  /** `custom` with a function: a `refine`; `custom` without: a `superRefine`. */
  type?: string;
  fn?: (value: unknown) => unknown;
  when?: unknown;
  pattern?: RegExp;
  format?: string;
  minimum?: number;
  value?: number;
  inclusive?: boolean;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function compile(schema: z.ZodType, seen: Map<z.ZodType, Check>): Check {
  const known = seen.get(schema);
  if (known) return known;
  const check = compileChecked(schema, seen);
  seen.set(schema, check);
  return check;
}

function compileChecked(schema: z.ZodType, seen: Map<z.ZodType, Check>): Check {
  const def = defOf(schema);
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const refinements = checks.filter(isRefinement);
  if (refinements.length > 0) {
    // The value's own checks first, then its refinements, as zod runs them.
    const inner = compileNew(
      schema,
      seen,
      checks.filter((c) => !isRefinement(c)),
    );
    return (v) => inner(v) && refinements.every((r) => refined(r, v));
  }
  return compileNew(schema, seen, checks);
}

function compileNew(schema: z.ZodType, seen: Map<z.ZodType, Check>, checks: CheckDef[]): Check {
  const def = defOf(schema);
  // A stand-in's description cannot parse: what this does not know stays unknown.
  const byZod: Check =
    typeof schema.safeParse === 'function' ? (value) => schema.safeParse(value).success : () => false;
  switch (def.type) {
    case 'string': {
      const tests = [...(def.format !== undefined ? [def as CheckDef] : []), ...checks].map(stringCheck);
      if (tests.some((t) => t === undefined)) return byZod;
      return (v) => typeof v === 'string' && tests.every((t) => (t as Check)(v));
    }
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
      // A catchall keeps unknown keys: zod's to decide. `strict()` is a catchall of `never`: an
      // unknown key fails there instead of being dropped, and is refused below either way.
      if (def.catchall !== undefined && defOf(def.catchall).type !== 'never') return byZod;
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
        // Checks other than refine (superRefine…) judge the whole: zod's to decide, once the shape is known to hold.
        return checks.length === 0 || byZod(v);
      };
    }
    case 'record': {
      // String keys without checks only: other key types are zod's.
      const keyDef = def.keyType ? defOf(def.keyType) : undefined;
      if (
        keyDef?.type !== 'string' ||
        keyDef.format !== undefined ||
        (keyDef.checks ?? []).length > 0 ||
        checks.length > 0
      )
        return byZod;
      const value = compile(def.valueType as z.ZodType, seen);
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return false;
        const record = v as Record<string, unknown>;
        for (const key of Object.keys(record)) {
          // zod builds its copy by assignment: this key would set the copy's prototype instead.
          if (key === '__proto__' || !value(record[key])) return false;
        }
        return true;
      };
    }
    default:
      // A default, transform or pipe gives back another value than it was given: never "as it stands".
      return VALUE_CHANGING.has(def.type) ? () => false : byZod;
  }
}

/** A `refine` (not a `superRefine`, which reports through its context): its function says yes or no. */
function isRefinement(c: CheckDef): boolean {
  return c.check === 'custom' && c.type === 'custom' && typeof c.fn === 'function' && c.when === undefined;
}

/** A refinement's verdict; a promise (an async refinement) is zod's to await. */
function refined(c: CheckDef, value: unknown): boolean {
  const result = (c.fn as (v: unknown) => unknown)(value);
  return !(result instanceof Promise) && !!result;
}

/**
 * A string check zod would make, or undefined for one this does not know. A
 * pattern is the whole check for `regex` and ISO datetimes (zod tests it the
 * same way); a minimum length of at most 1 needs no code-point count.
 */
function stringCheck(c: CheckDef): Check | undefined {
  if (c.check === 'string_format' && (c.format === 'regex' || c.format === 'datetime') && c.pattern) {
    const pattern = c.pattern;
    return (v) => {
      pattern.lastIndex = 0;
      return pattern.test(v as string);
    };
  }
  if (c.check === 'min_length' && (c.minimum ?? 0) <= 1) {
    const min = c.minimum ?? 0;
    return (v) => (v as string).length >= min;
  }
  return undefined;
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
