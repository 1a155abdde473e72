/** One task's place in a {@link TaskGroup}. */
export class GroupLink<T> {
  prev: GroupLink<T> | null = null;
  next: GroupLink<T> | null = null;
  /** The group holding it; null once removed or taken. */
  group: TaskGroup<T> | null;

  constructor(
    readonly item: T,
    group: TaskGroup<T>,
  ) {
    this.group = group;
  }
}

/**
 * The tasks sharing one caller signal, as an intrusive doubly linked list: joining and leaving cost a
 * few pointer writes, where a Set costs hashing a fresh object on every request.
 */
export class TaskGroup<T> {
  #head: GroupLink<T> | null = null;

  add(item: T): GroupLink<T> {
    const link = new GroupLink(item, this);
    const head = this.#head;
    if (head !== null) {
      link.next = head;
      head.prev = link;
    }
    this.#head = link;
    return link;
  }

  /** Removes a link; a no-op when it already left (removed, or taken by {@link take}). */
  remove(link: GroupLink<T>): void {
    if (link.group !== this) return;
    link.group = null;
    const { prev, next } = link;
    if (prev !== null) prev.next = next;
    else this.#head = next;
    if (next !== null) next.prev = prev;
    link.prev = null;
    link.next = null;
  }

  /** Empties the group and returns its items, oldest first. */
  take(): T[] {
    const out: T[] = [];
    let link = this.#head;
    this.#head = null;
    while (link !== null) {
      const next = link.next;
      link.group = null;
      link.prev = null;
      link.next = null;
      out.push(link.item);
      link = next;
    }
    return out.reverse();
  }

  get empty(): boolean {
    return this.#head === null;
  }
}
