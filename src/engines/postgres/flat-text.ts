/**
 * A template literal's text as one flat string: a tag for the statements and
 * ids the schema model keeps.
 *
 * V8 builds `` `ALTER TABLE ${table} …` `` as a tree of concatenation nodes
 * (a cons string, 32 bytes a node) over its pieces, and keeps the tree as long
 * as the string lives. A backup keeps every statement and id of the schema
 * until its footer is written: with 20,000 tables those trees were some
 * 30 MiB of the model, more than the text they stand for. `join` writes the
 * text into a single string instead, whose only cost is its characters; the
 * array it joins dies young.
 *
 * The text is exactly the untagged literal's: values are converted with
 * `String()`, as a template literal converts them (`join` alone would write
 * `null` and `undefined` as nothing).
 */
export function flat(strings: TemplateStringsArray, ...values: unknown[]): string {
  const parts = new Array<string>(strings.length + values.length);
  parts[0] = strings[0] as string;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    parts[2 * i + 1] = typeof value === 'string' ? value : String(value);
    parts[2 * i + 2] = strings[i + 1] as string;
  }
  return parts.join('');
}
