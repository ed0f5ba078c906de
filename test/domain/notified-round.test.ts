import { describe, expect, it } from "vitest";
import {
  MAX_NOTIFIED_MESSAGES,
  mergeScope,
  notifiedMessageId,
  scopedFolders,
  scopeOfStartingRound,
  scopeToColumn,
} from "../../server/domain/notified-round.js";

describe("notifiedMessageId", () => {
  const resource = "Users/0b1c3f6e-0000-4000-8000-000000000001/Messages/AAMkAGI2=";

  it("takes the message id of a created or updated notification's resource", () => {
    expect(notifiedMessageId("created", resource)).toBe("AAMkAGI2=");
    expect(notifiedMessageId("updated", resource)).toBe("AAMkAGI2=");
    expect(notifiedMessageId("created", "users('u1')/messages('AAMk-1_x')")).toBe("AAMk-1_x");
    expect(notifiedMessageId("created", "/users/u1/messages/abc")).toBe("abc");
  });

  it("names nothing for deletions, lifecycle events and other resources: the full round", () => {
    expect(notifiedMessageId("deleted", resource)).toBeNull();
    expect(notifiedMessageId(undefined, resource)).toBeNull();
    expect(notifiedMessageId("created", undefined)).toBeNull();
    expect(notifiedMessageId("created", 42)).toBeNull();
    expect(notifiedMessageId("created", "Users/u1/Messages")).toBeNull();
    expect(notifiedMessageId("created", "Users/u1/Events/abc")).toBeNull();
    expect(notifiedMessageId("created", "Users/u1/mailFolders/f/Messages/abc")).toBeNull();
    expect(notifiedMessageId("created", "Users//Messages/abc")).toBeNull();
    expect(notifiedMessageId("created", "Users/u1/Messages/a b")).toBeNull();
    expect(notifiedMessageId("created", "Users/u1/Messages/a?$expand=x")).toBeNull();
    expect(notifiedMessageId("created", `Users/u1/Messages/${"x".repeat(3000)}`)).toBeNull();
  });
});

describe("mergeScope", () => {
  it("adds notified messages up, once each", () => {
    expect(mergeScope(null, { messages: ["a"] })).toEqual({ messages: ["a"] });
    expect(mergeScope({ messages: ["a"] }, { messages: ["b", "a"] })).toEqual({
      messages: ["a", "b"],
    });
  });

  it("stays full once anything asked for the full round", () => {
    expect(mergeScope("full", { messages: ["a"] })).toBe("full");
    expect(mergeScope({ messages: ["a"] }, "full")).toBe("full");
    expect(mergeScope(null, "full")).toBe("full");
  });

  it("becomes full beyond MAX_NOTIFIED_MESSAGES (a burst costs one full round, not N lookups)", () => {
    let scope = mergeScope(null, { messages: ["m0"] });
    for (let i = 1; i < MAX_NOTIFIED_MESSAGES; i++)
      scope = mergeScope(scope, { messages: [`m${i}`] });
    expect(scope).not.toBe("full");
    expect(mergeScope(scope, { messages: ["one more"] })).toBe("full");
  });
});

describe("scopeOfStartingRound", () => {
  const notified = scopeToColumn({ messages: ["a", "b"] });

  it("is scoped only when change notifications with messages alone asked for the round", () => {
    expect(scopeOfStartingRound({ requested: true, dueNow: false, notified })).toEqual({
      messages: ["a", "b"],
    });
  });

  it("is full when the round is due by time, a user asked (no scope), or the column is unusable", () => {
    expect(scopeOfStartingRound({ requested: true, dueNow: true, notified })).toBe("full");
    expect(scopeOfStartingRound({ requested: false, dueNow: false, notified })).toBe("full");
    expect(scopeOfStartingRound({ requested: true, dueNow: false, notified: null })).toBe("full");
    for (const bad of ["", "{", "[]", "{}", "[1]", '[""]', JSON.stringify(Array(99).fill("x"))])
      expect(scopeOfStartingRound({ requested: true, dueNow: false, notified: bad })).toBe("full");
  });

  it("round-trips through the column; full is null", () => {
    expect(scopeToColumn("full")).toBeNull();
  });
});

describe("scopedFolders", () => {
  const inbox = { folderId: "f-inbox", folderPath: "Root/Top of Information Store/Inbox" };
  const orders = { folderId: "f-orders", folderPath: "Root/Top of Information Store/Inbox/Orders" };
  const slash = { folderId: "f-slash", folderPath: "Root/Top of Information Store/A\\/B" };
  const all = { allowed: [], denied: [] };

  it("runs the known folders of the notified messages, each once", () => {
    expect(scopedFolders(["f-inbox", "f-inbox"], [inbox, orders], all)).toEqual([inbox]);
    expect(scopedFolders(["f-orders", "f-inbox"], [inbox, orders], all)).toEqual([orders, inbox]);
    expect(scopedFolders(["f-slash"], [slash], all)).toEqual([slash]);
  });

  it("is the full round for a message gone, a folder without checkpoint, or nothing to look at", () => {
    expect(scopedFolders([null], [inbox], all)).toBeNull();
    expect(scopedFolders(["f-inbox", null], [inbox], all)).toBeNull();
    expect(scopedFolders(["f-new"], [inbox], all)).toBeNull();
    expect(scopedFolders([], [inbox], all)).toBeNull();
  });

  it("is the full round for a folder the filters no longer select (a checkpoint left behind)", () => {
    const denied = { allowed: [], denied: ["Root/Top of Information Store/Inbox/Orders"] };
    expect(scopedFolders(["f-orders"], [inbox, orders], denied)).toBeNull();
    expect(scopedFolders(["f-inbox"], [inbox, orders], denied)).toEqual([inbox]);
    const onlyOrders = { allowed: ["Root/Top of Information Store/Inbox/Orders"], denied: [] };
    expect(scopedFolders(["f-inbox"], [inbox, orders], onlyOrders)).toBeNull();
  });
});
