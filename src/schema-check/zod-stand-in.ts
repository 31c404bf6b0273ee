import type { z } from 'zod';

/**
 * A stand-in for zod's `z` that builds, without loading zod, the same
 * description of a schema that zod keeps in `schema._zod.def`, for the parts
 * of zod Stowage's schemas use. Given to a schema module's `define` (see
 * lazy-schemas.ts), it lets {@link conformer} check a value against the very
 * declaration zod would build, where zod's own start-up (its 390 KB chunk,
 * then the schemas) would cost a small backup or restore more than the check.
 *
 * It only describes: nothing here parses. What it cannot describe exactly
 * (unions, URLs, lengths…) gets a type the conformer does not know, which
 * means "let zod decide".
 */
export function zodStandIn(): typeof z {
  return standIn as unknown as typeof z;
}

interface Def {
  type: string;
  checks: { _zod: { def: Record<string, unknown> } }[];
  [key: string]: unknown;
}

/** One schema's description: what zod's schema object holds in `_zod.def`, and its builder methods. */
class Described {
  readonly _zod: { def: Def };

  constructor(def: { type: string; checks?: Def['checks']; [key: string]: unknown }) {
    this._zod = { def: { ...def, checks: def.checks ?? [] } };
  }

  private get def(): Def {
    return this._zod.def;
  }

  private withCheck(check: Record<string, unknown>): Described {
    return new Described({ ...this.def, checks: [...this.def.checks, { _zod: { def: check } }] });
  }

  min(minimum: number): Described {
    return this.def.type === 'number'
      ? this.withCheck({ check: 'greater_than', value: minimum, inclusive: true })
      : this.withCheck({ check: 'min_length', minimum });
  }

  max(maximum: number): Described {
    return this.def.type === 'number'
      ? this.withCheck({ check: 'less_than', value: maximum, inclusive: true })
      : this.withCheck({ check: 'max_length', maximum });
  }

  length(length: number): Described {
    return this.withCheck({ check: 'length_equals', length });
  }

  int(): Described {
    return this.withCheck({ check: 'number_format', format: 'safeint' });
  }

  nonnegative(): Described {
    return this.withCheck({ check: 'greater_than', value: 0, inclusive: true });
  }

  positive(): Described {
    return this.withCheck({ check: 'greater_than', value: 0, inclusive: false });
  }

  regex(pattern: RegExp): Described {
    return this.withCheck({ check: 'string_format', format: 'regex', pattern });
  }

  /** A `refine`: its function says yes or no (zod keeps it as `fn` of a `custom` check). */
  refine(fn: (value: never) => unknown): Described {
    return this.withCheck({ check: 'custom', type: 'custom', fn });
  }

  /** A `superRefine` reports through its context: only zod can run it (a `custom` check without `fn`). */
  superRefine(): Described {
    return this.withCheck({ check: 'custom' });
  }

  optional(): Described {
    return new Described({ type: 'optional', innerType: this });
  }

  nullable(): Described {
    return new Described({ type: 'nullable', innerType: this });
  }

  default(defaultValue: unknown): Described {
    return new Described({ type: 'default', innerType: this, defaultValue });
  }

  transform(): Described {
    return new Described({ type: 'pipe', in: this });
  }

  /** Metadata (the store flags) only zod's own schemas carry; the description ignores it. */
  meta(): Described {
    return this;
  }

  strict(): Described {
    return new Described({ ...this.def, catchall: new Described({ type: 'never' }) });
  }

  extend(shape: Record<string, Described>): Described {
    return new Described({ ...this.def, shape: { ...(this.def.shape as object), ...shape } });
  }
}

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATETIME = /^(\d{4})-(\d\d)-(\d\d)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

/**
 * What `z.iso.datetime()` accepts by default: a UTC time (`Z`), seconds
 * required, any fraction, and a real calendar day (Gregorian leap years).
 * Checked against zod's own answers in the tests.
 */
export function isIsoDatetime(value: unknown): boolean {
  const m = typeof value === 'string' ? DATETIME.exec(value) : null;
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] as number));
}

const standIn = {
  string: () => new Described({ type: 'string' }),
  number: () => new Described({ type: 'number' }),
  boolean: () => new Described({ type: 'boolean' }),
  unknown: () => new Described({ type: 'unknown' }),
  enum: (values: readonly string[]) =>
    new Described({ type: 'enum', entries: Object.fromEntries(values.map((v) => [v, v])) }),
  literal: (value: unknown) =>
    new Described({ type: 'literal', values: Array.isArray(value) ? value : [value] }),
  object: (shape: Record<string, Described>) => new Described({ type: 'object', shape }),
  array: (element: Described) => new Described({ type: 'array', element }),
  record: (keyType: Described, valueType: Described) => new Described({ type: 'record', keyType, valueType }),
  union: (options: Described[]) => new Described({ type: 'union', options }),
  url: () => new Described({ type: 'string', format: 'url' }),
  iso: {
    // A string with the datetime check as a refinement: the conformer runs it like zod's pattern.
    datetime: () => new Described({ type: 'string' }).refine(isIsoDatetime),
  },
};
