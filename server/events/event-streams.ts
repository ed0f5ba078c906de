/**
 * Filter and map over event streams. Plain iterators, not async generators: `return()` reaches the
 * source at once, so an idle subscription unsubscribes immediately when its client goes away.
 */

type Awaitable<T> = T | Promise<T>;

/** Passes the events `keep` accepts. When `keep` throws, the stream ends with that error. */
export function filterEvents<T>(
  source: AsyncIterator<T>,
  keep: (event: T) => Awaitable<boolean>,
): AsyncIterableIterator<T> {
  return wrap(source, async () => {
    for (;;) {
      const result = await source.next();
      if (result.done) return result;
      if (await keep(result.value)) return result;
    }
  });
}

/** Turns each event into `map(event)`. When `map` throws, the stream ends with that error. */
export function mapEvents<T, U>(
  source: AsyncIterator<T>,
  map: (event: T) => Awaitable<U>,
): AsyncIterableIterator<U> {
  return wrap<T, U>(source, async () => {
    const result = await source.next();
    if (result.done) return { value: undefined, done: true } as IteratorResult<U>;
    return { value: await map(result.value), done: false } as IteratorResult<U>;
  });
}

/** A promise that never settles: a stop signal whose source has ended. */
const NEVER = new Promise<never>(() => undefined);

/**
 * `source` until `stop` yields an error: then the stream ends with that error at once, even while
 * it waits for an event. Ending the stream (either way) returns both `source` and `stop`.
 */
export function endWhen<T>(
  source: AsyncIterator<T>,
  stop: AsyncIterator<Error>,
): AsyncIterableIterator<T> {
  let stopped: Promise<{ stop: Error }> | null = null;
  const both: AsyncIterator<T> = {
    async next() {
      stopped ??= stop.next().then((r) => (r.done ? NEVER : { stop: r.value }));
      const result = await Promise.race([source.next(), stopped]);
      if ("stop" in result) throw result.stop;
      return result;
    },
    async return() {
      await Promise.all([source.return?.(), stop.return?.()]);
      return { value: undefined, done: true };
    },
  };
  return wrap(both, () => both.next());
}

function wrap<T, U>(
  source: AsyncIterator<T>,
  pull: () => Promise<IteratorResult<U>>,
): AsyncIterableIterator<U> {
  const close = async (): Promise<IteratorResult<U>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next() {
      try {
        return await pull();
      } catch (error) {
        await source.return?.();
        throw error;
      }
    },
    return: close,
    async throw(error?: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
