import { JSON_TEXT } from '../../../archive/json-pieces.js';

/** An item packed as its JSON text (packed-object.ts, packed-table-data.ts). */
interface PackedItem {
  [JSON_TEXT](): Iterable<Buffer | string>;
  unpacked(): unknown;
}

function isPacked(item: unknown): item is PackedItem {
  return typeof item === 'object' && item !== null && JSON_TEXT in item;
}

/**
 * A list of the schema's items (objects, tables' data entries), some of them packed, whose JSON
 * text ({@link JSON_TEXT}) is the list's as plain items: the footer writes each packed one
 * from its text, in the list's order, without making it an object again.
 */
export class PackedList<T> {
  constructor(private readonly items: readonly T[]) {}

  *[JSON_TEXT](): Generator<Buffer | string> {
    const { items } = this;
    yield '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) yield ',';
      const item = items[i];
      if (isPacked(item)) yield* item[JSON_TEXT]();
      else yield JSON.stringify(item);
    }
    yield ']';
  }

  /** For `JSON.stringify`: the plain items. */
  toJSON(): T[] {
    return this.items.map((item) => (isPacked(item) ? (item.unpacked() as T) : item));
  }
}
