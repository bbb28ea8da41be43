/**
 * A bounded FIFO with async backpressure: `push` waits while full, `shift` waits while empty.
 * Go's buffered channels (`in`, `out`) become these.
 * @module
 */

/** Thrown by `push` on a closed queue. */
export class QueueClosedError extends Error {
  override readonly name: string = "QueueClosedError";
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
  readonly signal?: AbortSignal;
}

/** A bounded queue. `capacity` may be `Infinity`. */
export class BoundedQueue<T> {
  readonly capacity: number;
  readonly #items: T[] = [];
  #head = 0;
  #closed = false;
  #closeReason: unknown;
  #readers: Waiter[] = [];
  #writers: Waiter[] = [];
  /** Signals this queue listens to: one listener per signal, not one per wait. */
  readonly #watched = new WeakSet<AbortSignal>();
  #pushed = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Items ever added by `tryPush` or `push` (not `unshift`): the position of the latest. */
  get pushed(): number {
    return this.#pushed;
  }

  /** Adds without waiting; false when full or closed. */
  tryPush(item: T): boolean {
    if (this.#closed || this.size >= this.capacity) return false;
    this.#items.push(item);
    this.#pushed++;
    this.#wake(this.#readers);
    return true;
  }

  /** Adds, waiting while full. Rejects when closed (or `signal` aborts). */
  async push(item: T, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.#closed) throw this.#closeReason ?? new QueueClosedError("queue closed");
      if (this.size < this.capacity) {
        this.#items.push(item);
        this.#pushed++;
        this.#wake(this.#readers);
        return;
      }
      await this.#wait(this.#writers, signal);
    }
  }

  /** Puts an item back at the head (a send that never happened). Ignores capacity. */
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
    this.#wake(this.#readers);
  }

  /** The oldest item, left in place. */
  peek(): { value: T } | undefined {
    return this.size === 0 ? undefined : { value: this.#items[this.#head] };
  }

  /** Takes the oldest item without waiting. */
  tryShift(): { value: T } | undefined {
    if (this.size === 0) return undefined;
    const value = this.#items[this.#head];
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    this.#wake(this.#writers);
    return { value };
  }

  /** Takes the oldest item, waiting while empty; `undefined` once closed and empty. */
  async shift(signal?: AbortSignal): Promise<{ value: T } | undefined> {
    for (;;) {
      const got = this.tryShift();
      if (got !== undefined) return got;
      if (this.#closed) return undefined;
      await this.#wait(this.#readers, signal);
    }
  }

  /** Resolves when an item is available or the queue is closed (without taking anything). */
  async waitReadable(signal?: AbortSignal): Promise<void> {
    while (this.size === 0 && !this.#closed) await this.#wait(this.#readers, signal);
  }

  /**
   * Calls `wake` once, at the next push, unshift or close (not now, even if items are waiting:
   * check first). Returns a function that cancels it. Cheaper than {@link waitReadable} for a
   * loop that also waits on other things: no promise and no abort listener per wait.
   */
  notifyReadable(wake: () => void): () => void {
    const w: Waiter = { resolve: wake, reject: wake };
    this.#readers.push(w);
    return () => {
      const i = this.#readers.indexOf(w);
      if (i >= 0) this.#readers.splice(i, 1);
    };
  }

  /** No more pushes; readers drain what is left. `reason` is what later pushes throw. */
  close(reason?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#wake(this.#readers);
    this.#wake(this.#writers);
  }

  /** The items waiting, oldest first, without taking them. */
  peekAll(): T[] {
    return this.#items.slice(this.#head);
  }

  /** Removes and returns everything left. */
  drainAll(): T[] {
    const out = this.#items.slice(this.#head);
    this.#items.length = 0;
    this.#head = 0;
    this.#wake(this.#writers);
    return out;
  }

  #wake(list: Waiter[]): void {
    if (list.length === 0) return;
    if (list.length === 1) {
      const w = list[0];
      list.length = 0;
      w.resolve();
      return;
    }
    const all = list.splice(0);
    for (const w of all) w.resolve();
  }

  #wait(list: Waiter[], signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      list.push({ resolve, reject, signal });
      if (signal !== undefined && !this.#watched.has(signal)) {
        this.#watched.add(signal);
        signal.addEventListener("abort", () => this.#abortWaiters(signal), { once: true });
      }
    });
  }

  /** Rejects (and forgets) every waiter that waits with `signal`. */
  #abortWaiters(signal: AbortSignal): void {
    for (const list of [this.#readers, this.#writers]) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].signal !== signal) continue;
        const [w] = list.splice(i, 1);
        w.reject(signal.reason);
      }
    }
  }
}
