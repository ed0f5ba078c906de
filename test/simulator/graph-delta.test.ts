import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATE_FILTERED_DELTA_CAP, type Simulator } from "../../simulator/index.js";
import {
  appToken,
  collectPages,
  graphGet,
  type GraphCollection,
  type GraphErrorBody,
} from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let token: string;
const small = "small@tailspin.com";
const big = "big@tailspin.com";
const IMMUTABLE = { Prefer: 'odata.maxpagesize=50, IdType="ImmutableId"' };

interface DeltaItem {
  id: string;
  subject?: string;
  receivedDateTime?: string;
  parentFolderId?: string;
  isRead?: boolean;
  "@removed"?: { reason: string };
}

beforeAll(async () => {
  sim = await startTestSimulator();
  const tenant = sim.addTenant({ name: "tailspin", domains: ["tailspin.com"], seed: 5 });
  const app = tenant.addApp();
  const secret = app.addSecret().value;
  tenant.addMailbox({ email: small, messages: 300 });
  // One folder only, so every seeded message lands in the Inbox: 6,500 of them.
  tenant.addMailbox({
    email: big,
    messages: 6500,
    receivedFrom: new Date("2024-01-01T00:00:00Z"),
    receivedTo: new Date("2024-07-01T00:00:00Z"),
    folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 1 }],
  });
  token = await appToken(sim, tenant.id, app.clientId, secret);
});

afterAll(() => sim.stop());

function inboxIds(email: string): Set<string> {
  return new Set(
    [...sim.groundTruth(email)].filter((m) => m.folderPath.at(-1) === "Inbox").map((m) => m.id),
  );
}

describe("first round", () => {
  it("pages with Prefer odata.maxpagesize, returns every message once and ends with a deltaLink", async () => {
    const round = await collectPages<DeltaItem>(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta?$select=subject,receivedDateTime`,
      IMMUTABLE,
    );
    const expected = inboxIds(small);
    expect(round.items.map((m) => m.id).sort()).toEqual([...expected].sort());
    expect(round.pages).toBe(Math.ceil(expected.size / 50));
    expect(round.deltaLink).toContain("$deltatoken=");
    expect(Object.keys(round.items[0] ?? {}).sort()).toEqual([
      "@odata.etag",
      "@odata.type",
      "id",
      "receivedDateTime",
      "subject",
    ]);
  });

  it("answers the same page again when a link is replayed", async () => {
    const first = await graphGet<GraphCollection<DeltaItem>>(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta`,
      IMMUTABLE,
    );
    const next = first.body["@odata.nextLink"] ?? "";
    const a = await graphGet<GraphCollection<DeltaItem>>(sim, token, next, IMMUTABLE);
    const b = await graphGet<GraphCollection<DeltaItem>>(sim, token, next, IMMUTABLE);
    expect(a.body.value.map((m) => m.id)).toEqual(b.body.value.map((m) => m.id));
  });

  it("repeats items across pages when replays are switched on, still covering every message", async () => {
    sim.setDeltaReplayOverlap(5);
    try {
      const round = await collectPages<DeltaItem>(
        sim,
        token,
        `/users/${small}/mailFolders/inbox/messages/delta`,
        IMMUTABLE,
      );
      const ids = round.items.map((m) => m.id);
      expect(ids.length).toBeGreaterThan(new Set(ids).size);
      expect(new Set(ids)).toEqual(inboxIds(small));
    } finally {
      sim.setDeltaReplayOverlap(0);
    }
  });
});

describe("the 5,000 cap of a date-filtered delta", () => {
  it("stops a filtered first round at 5,000 messages, newest first", async () => {
    const from = "2024-01-01T00:00:00Z";
    const round = await collectPages<DeltaItem>(
      sim,
      token,
      `/users/${big}/mailFolders/inbox/messages/delta?$select=receivedDateTime&$filter=receivedDateTime ge ${from}`,
      { Prefer: "odata.maxpagesize=1000" },
    );
    expect(inboxIds(big).size).toBe(6500);
    expect(round.items).toHaveLength(DATE_FILTERED_DELTA_CAP);
    expect(round.deltaLink).toBeDefined();
    const newest = [...sim.groundTruth(big)]
      .map((m) => m.receivedDateTime)
      .sort()
      .reverse()
      .slice(0, DATE_FILTERED_DELTA_CAP);
    expect(
      round.items
        .map((m) => m.receivedDateTime)
        .sort()
        .reverse(),
    ).toEqual(newest);
  });

  it("returns everything without a filter", async () => {
    const round = await collectPages<DeltaItem>(
      sim,
      token,
      `/users/${big}/mailFolders/inbox/messages/delta?$select=id`,
      {
        Prefer: "odata.maxpagesize=1000",
      },
    );
    expect(round.items).toHaveLength(6500);
  });

  it("refuses filters delta does not support", async () => {
    const answer = await graphGet<GraphErrorBody>(
      sim,
      token,
      `/users/${big}/mailFolders/inbox/messages/delta?$filter=receivedDateTime lt 2024-02-01T00:00:00Z`,
    );
    expect([answer.status, answer.body.error.code]).toEqual([400, "ErrorInvalidUrlQueryFilter"]);
  });
});

describe("later rounds", () => {
  it("reports deliveries, moves, deletions and updates since the deltaLink", async () => {
    const first = await collectPages<DeltaItem>(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta`,
      IMMUTABLE,
    );
    const link = first.deltaLink ?? "";
    const inbox = [...sim.groundTruth(small)].filter((m) => m.folderPath.at(-1) === "Inbox");
    const [moved, deleted, read] = inbox;
    const delivered = sim.deliver(small, { subject: "Fresh" });
    sim.moveMessage(small, moved?.id ?? "", ["Archive"]);
    sim.deleteMessage(small, deleted?.id ?? "");
    sim.markRead(small, read?.id ?? "", !read?.isRead);

    const second = await collectPages<DeltaItem>(sim, token, link, IMMUTABLE);
    const removed = second.items.filter((m) => m["@removed"]).map((m) => m.id);
    const changed = second.items.filter((m) => !m["@removed"]).map((m) => m.id);
    expect(removed.sort()).toEqual([moved?.id, deleted?.id].sort());
    expect(changed.sort()).toEqual([delivered.id, read?.id].sort());
    expect(second.items.find((m) => m.id === delivered.id)?.subject).toBe("Fresh");
    expect(second.items.every((m) => !m["@removed"] || m["@removed"].reason === "deleted")).toBe(
      true,
    );

    const archive = sim.folders(small).find((f) => f.wellKnownName === "archive");
    expect(sim.message(small, moved?.id ?? "").folderId).toBe(archive?.id);
    const third = await collectPages<DeltaItem>(sim, token, second.deltaLink ?? "", IMMUTABLE);
    expect(third.items).toEqual([]);
  });

  it("filters a round by changeType", async () => {
    const first = await collectPages<DeltaItem>(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta?changeType=created`,
      IMMUTABLE,
    );
    const target = [...sim.groundTruth(small)].find((m) => m.folderPath.at(-1) === "Inbox");
    sim.markRead(small, target?.id ?? "", !target?.isRead);
    const created = sim.deliver(small);
    const second = await collectPages<DeltaItem>(sim, token, first.deltaLink ?? "", IMMUTABLE);
    expect(second.items.map((m) => m.id)).toEqual([created.id]);
  });

  it("answers 410 SyncStateNotFound once the folder's delta tokens expired", async () => {
    const round = await collectPages<DeltaItem>(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta`,
      IMMUTABLE,
    );
    sim.expireDeltaTokens(small, "inbox");
    const expired = await graphGet<GraphErrorBody>(sim, token, round.deltaLink ?? "", IMMUTABLE);
    expect([expired.status, expired.body.error.code]).toEqual([410, "SyncStateNotFound"]);
    const restarted = await graphGet(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta`,
      IMMUTABLE,
    );
    expect(restarted.status).toBe(200);
    const garbage = await graphGet<GraphErrorBody>(
      sim,
      token,
      `/users/${small}/mailFolders/inbox/messages/delta?$deltatoken=garbage`,
    );
    expect(garbage.status).toBe(400);
  });
});

describe("immutable ids", () => {
  it("survive a move only with Prefer IdType=ImmutableId", async () => {
    const target = [...sim.groundTruth(small)].find((m) => m.folderPath.at(-1) === "Inbox");
    const restBefore = target?.restId ?? "";
    const immutable = target?.id ?? "";
    expect(restBefore).not.toBe(immutable);
    const moved = sim.moveMessage(small, immutable, ["Inbox", "Orders"]);
    expect(moved.id).toBe(immutable);
    expect(moved.restId).not.toBe(restBefore);

    const stale = await graphGet<GraphErrorBody>(
      sim,
      token,
      `/users/${small}/messages/${restBefore}`,
    );
    expect([stale.status, stale.body.error.code]).toEqual([404, "ErrorItemNotFound"]);
    const byImmutable = await graphGet<DeltaItem>(
      sim,
      token,
      `/users/${small}/messages/${immutable}`,
      { Prefer: 'IdType="ImmutableId"' },
    );
    expect(byImmutable.body.id).toBe(immutable);
    expect(byImmutable.body.parentFolderId).toBe(moved.folderId);
    expect(byImmutable.headers.get("preference-applied")).toBe('IdType="ImmutableId"');
    const byRest = await graphGet<DeltaItem>(
      sim,
      token,
      `/users/${small}/messages/${moved.restId}`,
    );
    expect(byRest.body.id).toBe(moved.restId);
  });
});
