import { flat } from './flat-text.js';

/**
 * SQL quoting. Everything the engine sends is built from catalog names, so
 * quoting is done here, once, the way the server's own `quote_ident()` and
 * `quote_literal()` do it (with `standard_conforming_strings = on`).
 */

/**
 * Keywords that must be quoted even when lower-case. Over-quoting is harmless, so
 * this is a superset across server versions 12–18 (a newer target may reserve more).
 */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else end ' +
    'except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into ' +
    'is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on ' +
    'only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when ' +
    'where window with ' +
    // column-name and type/function-name keywords: legal in some places only, so always quoted
    'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping ' +
    'inout int integer interval json json_array json_arrayagg json_exists json_object json_objectagg json_query ' +
    'json_scalar json_serialize json_table json_value least merge_action national nchar none normalize nullif ' +
    'numeric out overlay position precision real row setof smallint substring time timestamp treat trim values ' +
    'varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot ' +
    'xmlserialize xmltable'
  ).split(' '),
);

/** Quotes an identifier unless it is a plain lower-case, non-reserved name. */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name`, each part quoted as needed (flat: the schema model keeps thousands, see flat-text.ts). */
export function qualify(schema: string, name: string): string {
  return flat`${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A string literal for SQL text sent with `standard_conforming_strings = on`. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
