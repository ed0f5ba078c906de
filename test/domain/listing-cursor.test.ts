import { describe, expect, it } from "vitest";
import {
  afterListingPage,
  afterTiePage,
  type ListedMessage,
  type ListingCursor,
  type ListingLimits,
  newListingCursor,
  nextListingStep,
} from "../../server/domain/listing-cursor.js";
import { Rng } from "../../simulator/prng.js";

/**
 * A folder as Graph serves it: `list` by received time ascending (ties in a fixed order of the
 * server's own, not by id), `delta` as a snapshot in an arbitrary order, paged by links.
 */
class Folder {
  constructor(
    readonly messages: (ListedMessage & { key: number })[],
    private readonly deltaOrder: number[],
    private readonly deltaPageSize: number,
  ) {}

  list(from: Date | null, before: Date | null, top: number): ListedMessage[] {
    return this.messages
      .filter(
        (m) =>
          (from === null || m.receivedAt >= from) && (before === null || m.receivedAt < before),
      )
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.key - b.key)
      .slice(0, top);
  }

  delta(link: string | null): { messages: ListedMessage[]; nextLink: string | null } {
    const offset = link === null ? 0 : Number(link);
    const end = offset + this.deltaPageSize;
    return {
      messages: this.deltaOrder.slice(offset, end).map((i) => this.messages[i]!),
      nextLink: end < this.deltaOrder.length ? String(end) : null,
    };
  }
}

function randomFolder(rng: Rng): Folder {
  const count = rng.between(0, 400);
  const base = Date.UTC(2024, 0, 1);
  // Heavy ties: a handful of distinct seconds, sometimes one second for everything.
  const seconds = rng.between(1, rng.float() < 0.3 ? 2 : 40);
  const messages = Array.from({ length: count }, (_, key) => ({
    key,
    id: `AAMk${rng.between(0, 2 ** 30).toString(36)}-${key}`,
    receivedAt: new Date(base + rng.between(0, seconds - 1) * 1000),
  }));
  const order = messages.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.between(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return new Folder(messages, order, rng.between(1, 60));
}

/** Runs the product's cursor to the end, as the sync engine does, through JSON each step. */
function enumerate(
  folder: Folder,
  start: ListingCursor,
  limits: ListingLimits,
): { handedOut: string[]; steps: number } {
  let cursor = start;
  const handedOut: string[] = [];
  for (let steps = 1; steps < 10_000; steps++) {
    const step = nextListingStep(cursor, limits);
    const advance =
      step.kind === "list"
        ? afterListingPage(
            cursor,
            folder.list(step.receivedFrom, step.receivedBefore, step.top),
            limits,
          )
        : afterTiePage(cursor, folder.delta(step.link));
    handedOut.push(...advance.fresh.map((m) => m.id));
    if (advance.done) return { handedOut, steps };
    cursor = JSON.parse(JSON.stringify(advance.cursor)) as ListingCursor; // a checkpoint
  }
  throw new Error("the listing did not finish");
}

const completes = { coveredFrom: null, filtersHash: "h" };

describe("listing cursor (property: every message of the range exactly once)", () => {
  it.each(Array.from({ length: 400 }, (_, seed) => seed))("random folder %i", (seed) => {
    const rng = new Rng(seed, 7);
    const folder = randomFolder(rng);
    const pageSize = rng.between(1, 40);
    const limits = { pageSize, maxPageSize: pageSize * rng.between(1, 4) };
    const base = Date.UTC(2024, 0, 1);
    const from = rng.float() < 0.5 ? null : new Date(base + rng.between(0, 20) * 1000);
    const before = rng.float() < 0.5 ? null : new Date(base + rng.between(1, 40) * 1000);
    const expected = folder.messages
      .filter(
        (m) =>
          (from === null || m.receivedAt >= from) && (before === null || m.receivedAt < before),
      )
      .map((m) => m.id)
      .sort();
    const { handedOut } = enumerate(
      folder,
      newListingCursor({
        from: from?.toISOString() ?? null,
        before: before?.toISOString() ?? null,
        completes,
      }),
      limits,
    );
    expect([...handedOut].sort()).toEqual(expected);
  });
});

describe("listing cursor ties", () => {
  const limits = { pageSize: 500, maxPageSize: 1000 };
  const second = new Date("2024-05-01T12:00:00Z");

  it("walks a second shared by 20,000 messages through the delta, then resumes after it", () => {
    const messages = Array.from({ length: 20_000 }, (_, key) => ({
      key,
      id: `tie-${key}`,
      receivedAt: second,
    }));
    const later = { key: 20_000, id: "later", receivedAt: new Date(second.getTime() + 1000) };
    const folder = new Folder(
      [...messages, later],
      [...messages, later].map((_, i) => i).reverse(),
      1000,
    );
    const { handedOut, steps } = enumerate(
      folder,
      newListingCursor({ from: null, before: null, completes }),
      limits,
    );
    expect(handedOut).toHaveLength(20_001);
    expect(new Set(handedOut).size).toBe(20_001);
    // 500, then widened to 1,000, then 21 delta pages, then the rest of the range.
    expect(steps).toBeLessThan(30);
  });

  it("widens the page for a tie smaller than the widest page, without walking the delta", () => {
    const messages = Array.from({ length: 800 }, (_, key) => ({
      key,
      id: `m${key}`,
      receivedAt: second,
    }));
    const folder = new Folder(messages, [], 1000);
    const cursor = newListingCursor({ from: null, before: null, completes });
    const first = afterListingPage(cursor, folder.list(null, null, 500), limits);
    expect(first.fresh).toHaveLength(500);
    const second_ = afterListingPage(first.cursor, folder.list(second, null, 500), limits);
    expect(second_.fresh).toHaveLength(0);
    expect(second_.cursor.top).toBe(1000);
    expect(nextListingStep(second_.cursor, limits)).toMatchObject({ kind: "list", top: 1000 });
    const third = afterListingPage(second_.cursor, folder.list(second, null, 1000), limits);
    expect(third.fresh).toHaveLength(300);
    expect(third.done).toBe(true);
  });

  it("keeps only the tie second's messages from the delta, and none handed out already", () => {
    const cursor: ListingCursor = {
      ...newListingCursor({ from: null, before: null, completes }),
      after: second.toISOString(),
      seenAtAfter: ["a"],
      tie: { at: second.toISOString(), link: null },
    };
    const other = new Date(second.getTime() + 5000);
    const advance = afterTiePage(cursor, {
      messages: [
        { id: "a", receivedAt: second },
        { id: "b", receivedAt: second },
        { id: "c", receivedAt: other },
      ],
      nextLink: null,
    });
    expect(advance.fresh.map((m) => m.id)).toEqual(["b"]);
    expect(advance.cursor.tie).toBeUndefined();
    expect(advance.cursor.after).toBe("2024-05-01T12:00:01.000Z");
    expect(advance.cursor.seenAtAfter).toEqual([]);
  });

  it("does not move the keyset by a message whose received time was unreadable", () => {
    const limits2 = { pageSize: 3, maxPageSize: 6 };
    const at = (s: number) => new Date(second.getTime() + s * 1000);
    const page = [
      { id: "a", receivedAt: at(1) },
      { id: "undated", receivedAt: at(9_999), undated: true },
      { id: "b", receivedAt: at(2) },
    ];
    const advance = afterListingPage(
      newListingCursor({ from: null, before: null, completes }),
      page,
      limits2,
    );
    expect(advance.fresh.map((m) => m.id)).toEqual(["a", "undated", "b"]);
    expect(advance.cursor.after).toBe(at(2).toISOString());
    expect(advance.cursor.seenAtAfter).toEqual(["b"]);
  });
});
