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
