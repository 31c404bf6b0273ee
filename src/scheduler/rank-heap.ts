/**
 * A binary min-heap of items ordered by a numeric rank: add and take the
 * lowest in O(log n). The scheduler keeps its ready tasks in these, so picking
 * the next task stays cheap with tens of thousands of them ready at once.
 */
export class RankHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly rankOf: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    const r = this.rankOf(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.rankOf(a[parent] as T) <= r) break;
      a[i] = a[parent] as T;
      i = parent;
    }
    a[i] = item;
  }

  /** Removes and returns the lowest-ranked item. */
  take(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    const r = this.rankOf(last);
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= a.length) break;
      const right = left + 1;
      const child = right < a.length && this.rankOf(a[right] as T) < this.rankOf(a[left] as T) ? right : left;
      if (this.rankOf(a[child] as T) >= r) break;
      a[i] = a[child] as T;
      i = child;
    }
    a[i] = last;
    return top;
  }

  peek(): T | undefined {
    return this.items[0];
  }
}
