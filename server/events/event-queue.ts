import { GraphQLError } from "graphql";

/**
 * One subscriber's events, in publish order. A plain iterator rather than an async generator so
 * that `return()` ends it at once even while a `next()` is waiting (an async generator would hold
 * the unsubscribe until the next event arrives).
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private done = false;
  private overflowed = false;

  constructor(
    private readonly maxQueued: number,
    private readonly onClose: () => void,
  ) {}

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length - this.head >= this.maxQueued) {
      // Dropping silently would break "never skip"; stopping tells the client to re-query.
      this.overflowed = true;
      this.close();
      return;
    }
    this.buffer.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head]!;
      this.buffer[this.head++] = undefined as T;
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.overflowed) {
      this.overflowed = false;
      return Promise.reject(overflowError(this.maxQueued));
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    this.buffer = [];
    this.head = 0;
    this.overflowed = false;
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    // A waiting reader means an empty buffer, so overflow never happens with one.
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.({ value: undefined, done: true });
  }
}

function overflowError(maxQueued: number): GraphQLError {
  return new GraphQLError(
    `This subscription fell more than ${maxQueued} events behind and was stopped; re-query from the last sequenceId it received and subscribe again.`,
    { extensions: { code: "SUBSCRIPTION_OVERFLOW" } },
  );
}
