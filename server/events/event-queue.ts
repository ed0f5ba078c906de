import { GraphQLError } from "graphql";

/**
 * One subscriber's events, in publish order. A plain iterator rather than an async generator so
 * that `return()` ends it at once even while a `next()` is waiting (an async generator would hold
 * the unsubscribe until the next event arrives).
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private head = 0;
  private waiting: {
    resolve: (result: IteratorResult<T>) => void;
    reject: (error: Error) => void;
  } | null = null;
  private done = false;
  /** Delivered by `next()` once the buffer is drained (overflow, or the bus failing it). */
  private failure: Error | null = null;

  constructor(
    private readonly maxQueued: number,
    private readonly onClose: () => void,
  ) {}

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length - this.head >= this.maxQueued) {
      // Dropping silently would break "never skip"; stopping tells the client to re-query.
      this.fail(overflowError(this.maxQueued));
      return;
    }
    this.buffer.push(value);
  }

  /**
   * Ends the stream with `error` after what is already queued (the bus lost its connection): a
   * waiting reader gets the error at once. Later pushes are ignored.
   */
  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    const waiting = this.waiting;
    this.waiting = null;
    this.close();
    if (waiting) {
      this.failure = null;
      waiting.reject(error);
    }
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
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    this.buffer = [];
    this.head = 0;
    this.failure = null;
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
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ value: undefined, done: true });
  }
}

function overflowError(maxQueued: number): GraphQLError {
  return new GraphQLError(
    `This subscription fell more than ${maxQueued} events behind and was stopped; re-query from the last sequenceId it received and subscribe again.`,
    { extensions: { code: "SUBSCRIPTION_OVERFLOW" } },
  );
}
