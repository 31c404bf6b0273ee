/**
 * Catalog keys (catalogKey) → the position of the object that stands for
 * each, for resolveDependencies.
 *
 * The objects' own keys are held in two typed arrays sorted by key and found
 * by binary search. A Map of them was the largest thing ordering the schema
 * allocated with 20,000 tables: some 200,000 keys above 2^31, each a boxed
 * number, in hash tables that V8 keeps in its old generation from the first
 * one past 128 KiB, every smaller table it outgrew left there as garbage too
 * (some 20 MiB while the backup's heap is at its largest). Keys claimed later
 * (rows internal to an object) are fewer and go to a Map.
 */
export class KeyOwners {
  /** The objects' keys, ascending (a key two objects list appears twice). */
  private readonly keys: Float64Array;
  /** Per sorted key, the object's position; each repeat of a key holds the same one. */
  private readonly owners: Int32Array;
  private readonly claimed = new Map<number, number>();

  /** Each object's `keys` stand for it; when two list the same key, the later object has it (as Map#set). */
  constructor(objects: readonly { keys: readonly number[] }[]) {
    let total = 0;
    for (let i = 0; i < objects.length; i++) total += objects[i]!.keys.length;
    const keys = new Float64Array(total);
    for (let i = 0, k = 0; i < objects.length; i++) {
      const own = objects[i]!.keys;
      for (let j = 0; j < own.length; j++) keys[k++] = own[j]!;
    }
    keys.sort();
    this.keys = keys;
    this.owners = new Int32Array(total);
    // In object order, so a later object's claim to a repeated key overwrites an earlier one's.
    for (let i = 0; i < objects.length; i++) {
      const own = objects[i]!.keys;
      for (let j = 0; j < own.length; j++) {
        const key = own[j]!;
        for (let at = this.firstAt(key); at < total && keys[at] === key; at++) this.owners[at] = i;
      }
    }
  }

  /** The position of the object standing for `key`, or -1. */
  get(key: number): number {
    const at = this.firstAt(key);
    if (at < this.keys.length && this.keys[at] === key) return this.owners[at]!;
    return this.claimed.get(key) ?? -1;
  }

  /** Lets the object at `position` stand for `key`, which no object has yet. */
  claim(key: number, position: number): void {
    this.claimed.set(key, position);
  }

  /** The first place in the sorted keys that is not below `key`. */
  private firstAt(key: number): number {
    const keys = this.keys;
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
