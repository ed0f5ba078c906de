import {
  type ExecutionArgs,
  type ExecutionResult,
  createSourceEventStream,
  execute,
  print,
} from "graphql";
import type { Metrics } from "../observability/metrics.js";
import { mapEvents } from "./event-streams.js";

type Awaitable<T> = T | Promise<T>;

/**
 * A graphql-ws `subscribe` that executes each event once per (operation, variables, viewer) instead
 * of once per subscriber: a dashboard open in a thousand tabs costs one execution per event, not a
 * thousand. Results depend on the event, the operation and who asks (field resolvers check the
 * viewer's permissions), so subscribers share a result only when all three are equal; `viewerKey`
 * names the viewer of a context (null: never share). The cache is keyed on the event object itself
 * (the bus hands every subscriber the same object), so it is dropped with the event.
 */
export function createSharedSubscribe(
  viewerKey: (contextValue: unknown) => string | null,
  metrics?: Pick<Metrics, "subscriptionStarted" | "subscriptionEnded">,
): (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const results = new WeakMap<object, Map<string, Awaitable<ExecutionResult>>>();
  return async (args) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const viewer = viewerKey(args.contextValue);
    const key =
      viewer === null
        ? null
        : [
            viewer,
            args.operationName ?? "",
            JSON.stringify(args.variableValues ?? {}),
            print(args.document),
          ].join("\u0000");
    const executions = mapEvents(source[Symbol.asyncIterator](), (event: unknown) => {
      const run = () => execute({ ...args, rootValue: event });
      if (key === null || typeof event !== "object" || event === null) return run();
      let perEvent = results.get(event);
      if (!perEvent) results.set(event, (perEvent = new Map()));
      let result = perEvent.get(key);
      if (result === undefined) {
        result = run();
        perEvent.set(key, result);
      }
      return result;
    });
    return metrics ? counted(executions, metrics) : executions;
  };
}

/** Counts a running subscription until it ends (its events ran out, it failed, or it was returned). */
function counted<T>(
  iterator: AsyncIterableIterator<T>,
  metrics: Pick<Metrics, "subscriptionStarted" | "subscriptionEnded">,
): AsyncIterableIterator<T> {
  metrics.subscriptionStarted();
  let running = true;
  const end = () => {
    if (running) metrics.subscriptionEnded();
    running = false;
  };
  return {
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return() {
      end();
      return (await iterator.return?.()) ?? { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      end();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
