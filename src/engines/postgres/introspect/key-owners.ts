import { float64, int32, type ScratchArrays } from './scratch-arrays.js';

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

  /**
   * Object `i`'s keys are `keys[start[i]]`… `keys[start[i + 1] - 1]` (taken as they are and
   * sorted in place); when two list the same key, the later object has it (as Map#set).
   * `scratch`: where its arrays come from when it lives no longer than the caller's computation.
   */
  constructor(keys: Float64Array, start: Int32Array, scratch?: ScratchArrays) {
    const objects = start.length - 1;
    const total = start[objects]!;
    // In object order, each key with its object, before the keys are sorted.
    const ownerOf = int32(scratch, total);
    for (let i = 0; i < objects; i++) ownerOf.fill(i, start[i]!, start[i + 1]!);
    const own = float64(scratch, total);
    own.set(keys.subarray(0, total));
    keys.sort();
    this.keys = keys;
    this.owners = int32(scratch, total);
    // In object order, so a later object's claim to a repeated key overwrites an earlier one's.
    for (let k = 0; k < total; k++) {
      const key = own[k]!;
      for (let at = this.firstAt(key); at < total && keys[at] === key; at++) this.owners[at] = ownerOf[k]!;
    }
  }

  /** Each object's `keys` stand for it; when two list the same key, the later object has it (as Map#set). */
  static of(objects: readonly { keys: readonly number[] }[]): KeyOwners {
    const start = new Int32Array(objects.length + 1);
    for (let i = 0; i < objects.length; i++) start[i + 1] = start[i]! + objects[i]!.keys.length;
    const keys = new Float64Array(start[objects.length]!);
    for (let i = 0; i < objects.length; i++) keys.set(objects[i]!.keys, start[i]!);
    return new KeyOwners(keys, start);
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
