import type { z } from 'zod';
import { UsageError } from '../errors.js';
import type { StoreOptionMeta, StoreOptionsSchema } from './store.js';

/**
 * The options of a store that environment variables give, read from the
 * `env` named in each field's {@link StoreOptionMeta}. Booleans accept
 * 1/true/yes (anything else is false); every value is checked against the
 * field's schema, and a bad one is reported with the variable's name.
 */
export function optionsFromEnv(
  schema: StoreOptionsSchema,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const meta = (field as z.ZodType).meta() as StoreOptionMeta | undefined;
    const raw = meta?.env ? env[meta.env] : undefined;
    if (!meta?.env || raw === undefined || raw === '') continue;
    const value = isBoolean(field as z.ZodType) ? /^(1|true|yes)$/i.test(raw) : raw;
    const parsed = (field as z.ZodType).safeParse(value);
    if (!parsed.success) {
      throw new UsageError(
        `${meta.env}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`,
        `fix or unset ${meta.env}`,
      );
    }
    out[key] = parsed.data;
  }
  return out;
}

/** True for a boolean option (optional or not): its flag takes no value and its variable reads as yes/no. */
export function isBoolean(field: z.ZodType): boolean {
  const def = defOf(field);
  return (def.type === 'optional' ? defOf(def.innerType as z.ZodType) : def).type === 'boolean';
}

// Read from zod's description of the schema, not by `instanceof`: zod's classes need not be loaded for that.
const defOf = (schema: z.ZodType) =>
  (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
