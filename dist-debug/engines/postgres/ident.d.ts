/**
 * SQL quoting. Everything the engine sends is built from catalog names, so
 * quoting is done here, once, the way the server's own `quote_ident()` and
 * `quote_literal()` do it (with `standard_conforming_strings = on`).
 */
/** Quotes an identifier unless it is a plain lower-case, non-reserved name. */
export declare function quoteIdent(name: string): string;
/** `schema.name`, each part quoted as needed. */
export declare function qualify(schema: string, name: string): string;
/** A string literal for SQL text sent with `standard_conforming_strings = on`. */
export declare function quoteLiteral(value: string): string;
