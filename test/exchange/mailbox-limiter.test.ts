import { describe, expect, it } from "vitest";
import { MailboxRequestLimiter } from "../../server/exchange/mailbox-limiter.js";

/**
 * The limiter's budget changed at run time (an EWS principal's budget follows the live processes,
 * DOMAIN.md, EWS): raising it admits waiters at once, lowering it recalls nothing but admits no
 * new request until a key is under the new limit. The other rules are in
 * error-table-and-policy.test.ts.
 */
const limiterOf = (maxConcurrent: number) =>
  new MailboxRequestLimiter({
    maxConcurrent,
    budgetRequests: Number.MAX_SAFE_INTEGER,
    budgetWindowMs: 1,
  });

/** Queues `n` requests for `key`; `admitted` lists them in the order they got a slot. */
function queue(limiter: MailboxRequestLimiter, key: string, n: number) {
  const admitted: number[] = [];
  const releases = new Map<number, () => void>();
  const done = Array.from({ length: n }, (_, i) =>
    limiter.acquire(key).then((release) => {
      admitted.push(i);
      releases.set(i, release);
    }),
  );
  return { admitted, releases, done };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("mailbox request limiter: maxConcurrent changed at run time", () => {
  it("raising it hands the new slots to waiters at once, first come first served, on every key", async () => {
    const limiter = limiterOf(2);
    const a = queue(limiter, "a", 6);
    const b = queue(limiter, "b", 3);
    await settle();
    expect(a.admitted).toEqual([0, 1]);
    expect(b.admitted).toEqual([0, 1]);
    limiter.setMaxConcurrent(5);
    expect(limiter.maxConcurrent).toBe(5);
    // No release happened: the waiters were admitted by the change itself.
    await settle();
    expect(a.admitted).toEqual([0, 1, 2, 3, 4]);
    expect(b.admitted).toEqual([0, 1, 2]);
    expect(limiter.stats("a")).toMatchObject({ inFlight: 5, queued: 1, maxInFlight: 5 });
    for (const release of [...a.releases.values(), ...b.releases.values()]) release();
    await Promise.all([...a.done, ...b.done]);
    expect(limiter.stats("a")).toMatchObject({ inFlight: 1, queued: 0, requests: 6 });
    a.releases.get(5)!();
    expect(limiter.stats("a").inFlight).toBe(0);
  });

  it("lowering it lets requests in flight finish and admits none until under the new limit", async () => {
    const limiter = limiterOf(5);
    const q = queue(limiter, "k", 8);
    await settle();
    expect(q.admitted).toEqual([0, 1, 2, 3, 4]);
    limiter.setMaxConcurrent(2);
    await settle();
    // Nothing recalled: the five in flight stay in flight.
    expect(limiter.stats("k")).toMatchObject({ inFlight: 5, queued: 3 });
    for (const i of [0, 1, 2]) q.releases.get(i)!();
    await settle();
    // 5 → 2 in flight: still at the new limit, no one admitted.
    expect(q.admitted).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.stats("k")).toMatchObject({ inFlight: 2, queued: 3 });
    q.releases.get(3)!();
    await settle();
    expect(q.admitted).toEqual([0, 1, 2, 3, 4, 5]);
    expect(limiter.stats("k")).toMatchObject({ inFlight: 2, queued: 2 });
    // From here on one in for one out, never more than two.
    for (const [release, admitted] of [
      [4, [0, 1, 2, 3, 4, 5, 6]],
      [5, [0, 1, 2, 3, 4, 5, 6, 7]],
      [6, [0, 1, 2, 3, 4, 5, 6, 7]],
    ] as const) {
      q.releases.get(release)!();
      await settle();
      expect(q.admitted).toEqual(admitted);
      expect(limiter.stats("k").inFlight).toBeLessThanOrEqual(2);
    }
    q.releases.get(7)!();
    await Promise.all(q.done);
    expect(limiter.stats("k")).toMatchObject({ inFlight: 0, queued: 0, requests: 8 });
  });

  it("a new key after a change gets the new limit", async () => {
    const limiter = limiterOf(4);
    limiter.setMaxConcurrent(1);
    const q = queue(limiter, "fresh", 3);
    await settle();
    expect(q.admitted).toEqual([0]);
    limiter.setMaxConcurrent(3);
    await settle();
    expect(q.admitted).toEqual([0, 1, 2]);
    for (const release of q.releases.values()) release();
  });

  it("setting the same limit changes nothing, and a limit below one or not a whole number is refused", async () => {
    const limiter = limiterOf(2);
    const q = queue(limiter, "k", 3);
    await settle();
    limiter.setMaxConcurrent(2);
    await settle();
    expect(q.admitted).toEqual([0, 1]);
    for (const bad of [0, -1, 1.5, NaN, Infinity])
      expect(() => limiter.setMaxConcurrent(bad), String(bad)).toThrow(RangeError);
    expect(limiter.maxConcurrent).toBe(2);
    for (const release of q.releases.values()) release();
    await Promise.all(q.done);
    q.releases.get(2)!();
  });

  it("an aborted waiter is not admitted by a raise", async () => {
    const limiter = limiterOf(1);
    const held = await limiter.acquire("k");
    const controller = new AbortController();
    const aborted = limiter.acquire("k", controller.signal);
    const kept = limiter.acquire("k");
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    limiter.setMaxConcurrent(3);
    const release = await kept;
    expect(limiter.stats("k")).toMatchObject({ inFlight: 2, queued: 0, requests: 2 });
    release();
    held();
  });
});
