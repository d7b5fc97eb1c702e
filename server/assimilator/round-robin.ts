/**
 * Fair turns among reactors: each turn serves the next reactor after the last one served that has
 * work, one window at a time. A reactor with a long backlog, slow fits or fits that keep failing
 * costs the others at most one window per turn.
 */
export class RoundRobin<T> {
  private readonly items: T[] = [];
  private cursor = 0;

  add(item: T): void {
    this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  values(): readonly T[] {
    return this.items;
  }

  /** The next item, from after the last one served, for which `hasWork` holds; undefined if none. */
  next(hasWork: (item: T) => boolean): T | undefined {
    const n = this.items.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      if (hasWork(this.items[i])) {
        this.cursor = (i + 1) % n;
        return this.items[i];
      }
    }
    return undefined;
  }
}
