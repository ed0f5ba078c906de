import { describe, expect, it } from "vitest";
import { syncEtaSeconds } from "../../server/domain/sync-eta.js";

const syncing = {
  status: "SYNCING",
  messagesExpected: 1_000,
  messagesSeen: 400,
  messagesPerSecond: 50,
};

describe("syncEtaSeconds", () => {
  it("is what is left at the current rate, rounded up", () => {
    expect(syncEtaSeconds(syncing)).toBe(12);
    expect(syncEtaSeconds({ ...syncing, messagesPerSecond: 7 })).toBe(86);
  });
  it("is 0 once more was read than expected (the volume is an upper bound, but not always)", () => {
    expect(syncEtaSeconds({ ...syncing, messagesSeen: 1_200 })).toBe(0);
  });
  it("is null when not syncing, without a volume or without a rate", () => {
    expect(syncEtaSeconds({ ...syncing, status: "UP_TO_DATE" })).toBeNull();
    expect(syncEtaSeconds({ ...syncing, messagesExpected: 0 })).toBeNull();
    expect(syncEtaSeconds({ ...syncing, messagesPerSecond: 0 })).toBeNull();
  });
});
