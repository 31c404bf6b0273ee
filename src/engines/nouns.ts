import { enginePlugin } from './registry.js';

/**
 * How each engine (by name, as a manifest says it) names its units and items in messages: PostgreSQL has
 * tables of rows, MongoDB collections of documents (each plugin's `nouns`).
 * Counts come with the right plural ("1 table", "3 documents").
 */

/** `n` and a noun, singular for exactly one: `counted(1, 'frame')` is "1 frame". */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** "1 table", "4 collections". */
export function countUnits(engine: string, n: number): string {
  const [one, many] = enginePlugin(engine).nouns.unit;
  return counted(n, one, many);
}

/** "1 row", "12 documents". */
export function countItems(engine: string, n: number): string {
  const [one, many] = enginePlugin(engine).nouns.item;
  return counted(n, one, many);
}

/** "table(s)" or "collection(s)" without the count, for "1 existing table": singular for exactly one. */
export function unitsNoun(engine: string, n = 2): string {
  const [one, many] = enginePlugin(engine).nouns.unit;
  return n === 1 ? one : many;
}

/** "rows" or "documents", without a count. */
export function itemsNoun(engine: string): string {
  return enginePlugin(engine).nouns.item[1];
}
