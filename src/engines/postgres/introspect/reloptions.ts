import { quoteLiteral } from '../ident.js';

/**
 * Storage parameters (`reloptions`) come from the catalog as `name=value`
 * strings. Values can hold anything, so they are quoted when written back.
 */
export function reloptionsClause(options: string[]): string {
  return options
    .map((option) => {
      const eq = option.indexOf('=');
      return eq < 0 ? option : `${option.slice(0, eq)}=${quoteLiteral(option.slice(eq + 1))}`;
    })
    .join(', ');
}
