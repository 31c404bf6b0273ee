/**
 * The tasks' ids, looked up without holding them: each id is kept as two
 * 32-bit hashes in typed arrays, found through an open-addressing table of
 * task numbers.
 *
 * A map from id to number held every id string while a schedule was wired:
 * at 20,000 tables a restore's 80,000 ids were made anew for the wiring (a
 * packed object derives its id when read), ~9 MB of strings and ~4.6 MB of
 * map, live at the planning's peak (docs/BENCHMARKS.md, session 22). These
 * arrays are ~1.7 MB whatever the ids' length.
 *
 * Two ids with both hashes equal are told apart by the strings themselves
 * (the caller gives the id of a task by its number): tasks that truly share an
 * id are refused, and two different ids whose hashes collide are kept, exactly,
 * in a small map. A name that is no task's id but hashes like one (about one
 * chance in 2^64 per pair) would make its dependent wait for that task too:
 * an extra wait, never a dependency lost; a cycle it made would stop the run
 * as a dependency cycle, never run it out of order.
 */
export class TaskIds {
  private readonly first: Uint32Array;
  private readonly second: Uint32Array;
  /** Task number + 1 in each slot; 0 for an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Ids whose hashes are shared with another id's, by id: looked up exactly. */
  private readonly collided = new Map<string, number>();
  /** Tasks whose hashes another task's id shares (so a look-up must find the id in {@link collided}). */
  private readonly shared = new Set<number>();

  /**
   * Room for `count` tasks; `idOf` gives an added task's id again, to tell two ids with equal
   * hashes apart. `hash` is for tests that need ids to collide.
   */
  constructor(
    count: number,
    private readonly idOf: (task: number) => string,
    private readonly hash: (id: string) => readonly [number, number] = hashes,
  ) {
    this.first = new Uint32Array(count);
    this.second = new Uint32Array(count);
    // At most half full: short probes.
    let size = 16;
    while (size < count * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Adds task `task` with `id`. Throws when an added task has the same id. */
  add(id: string, task: number): void {
    const [h1, h2] = this.hash(id);
    this.first[task] = h1;
    this.second[task] = h2;
    let slot = h1 & this.mask;
    for (;;) {
      const held = (this.slots[slot] as number) - 1;
      if (held < 0) break;
      if (this.first[held] === h1 && this.second[held] === h2) {
        const other = this.idOf(held);
        if (other === id) throw new Error(`two tasks have the id "${id}"`);
        this.shared.add(held);
        this.shared.add(task);
        this.collided.set(other, held);
        this.collided.set(id, task);
        // Both stay in the table; a look-up that lands on either asks the map.
      }
      slot = (slot + 1) & this.mask;
    }
    this.slots[slot] = task + 1;
  }

  /** The number of the task with `id`, or -1 when no task has it. */
  indexOf(id: string): number {
    const [h1, h2] = this.hash(id);
    let slot = h1 & this.mask;
    for (;;) {
      const held = (this.slots[slot] as number) - 1;
      if (held < 0) return -1;
      if (this.first[held] === h1 && this.second[held] === h2)
        return this.shared.has(held) ? (this.collided.get(id) ?? -1) : held;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** The scratch pair {@link hashes} returns: no array made per id. */
const pair: [number, number] = [0, 0];

/**
 * Two 32-bit hashes of a string's UTF-16 code units, in one pass: FNV-1a, and a multiply-rotate
 * hash with another constant; each finished with MurmurHash3's mixer. Returns a shared pair.
 */
function hashes(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = text.length ^ 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b = (b << 13) | (b >>> 19);
  }
  pair[0] = mix(a);
  pair[1] = mix(b);
  return pair;
}

/** MurmurHash3's 32-bit finalizer, as an unsigned number. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
