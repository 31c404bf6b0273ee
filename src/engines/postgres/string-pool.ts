/**
 * A function that returns one string for every equal text it is given: the
 * first one seen. V8 keeps each string a driver row or a parsed JSON text
 * brings as its own copy; pooling the repeated ones (schema, column and
 * relation names) saves megabytes at thousands of tables.
 */
export function stringPool(): (text: string) => string {
  const pool = new Map<string, string>();
  return (text) => {
    const known = pool.get(text);
    if (known !== undefined) return known;
    pool.set(text, text);
    return text;
  };
}
