import type { EngineName } from './engine.js';

/**
 * How each engine names its units and items in messages: PostgreSQL has
 * tables of rows, MongoDB collections of documents. Counts come with the
 * right plural ("1 table", "3 documents").
 */
const NOUNS: Record<EngineName, { unit: [string, string]; item: [string, string] }> = {
  postgres: { unit: ['table', 'tables'], item: ['row', 'rows'] },
  mongodb: { unit: ['collection', 'collections'], item: ['document', 'documents'] },
};

/** `n` and a noun, singular for exactly one: `counted(1, 'frame')` is "1 frame". */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** "1 table", "4 collections". */
export function countUnits(engine: EngineName, n: number): string {
  const [one, many] = NOUNS[engine].unit;
  return counted(n, one, many);
}

/** "1 row", "12 documents". */
export function countItems(engine: EngineName, n: number): string {
  const [one, many] = NOUNS[engine].item;
  return counted(n, one, many);
}

/** "table(s)" or "collection(s)" without the count, for "1 existing table": singular for exactly one. */
export function unitsNoun(engine: EngineName, n = 2): string {
  const [one, many] = NOUNS[engine].unit;
  return n === 1 ? one : many;
}
