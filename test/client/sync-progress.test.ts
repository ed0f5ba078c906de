import { describe, expect, it } from "vitest";
import { formatTimeLeft } from "../../client/src/ui/format.js";
import {
  mailboxStanding,
  roundScope,
} from "../../client/src/features/integrations/sync-standing.js";

describe("the time left of a first sync, in words", () => {
  it("says nothing when it is unknown", () => {
    for (const unknown of [null, undefined, Number.NaN, -1, Number.POSITIVE_INFINITY])
      expect(formatTimeLeft(unknown)).toBeNull();
  });

  it("says less than a minute, then whole minutes", () => {
    expect(formatTimeLeft(0)).toBe("less than a minute left");
    expect(formatTimeLeft(59)).toBe("less than a minute left");
    expect(formatTimeLeft(60)).toBe("about 1 min left");
    expect(formatTimeLeft(89)).toBe("about 1 min left");
    expect(formatTimeLeft(90)).toBe("about 2 min left");
    expect(formatTimeLeft(180)).toBe("about 3 min left");
    expect(formatTimeLeft(59 * 60 + 20)).toBe("about 59 min left");
  });

  it("says hours in five-minute steps, then hours, then days", () => {
    expect(formatTimeLeft(59 * 60 + 31)).toBe("about 1 h left");
    expect(formatTimeLeft(3600)).toBe("about 1 h left");
    expect(formatTimeLeft(3600 + 23 * 60)).toBe("about 1 h 25 min left");
    expect(formatTimeLeft(2 * 3600 + 14 * 60)).toBe("about 2 h 15 min left");
    expect(formatTimeLeft(9 * 3600 + 58 * 60)).toBe("about 10 h left");
    expect(formatTimeLeft(30 * 3600)).toBe("about 30 h left");
    expect(formatTimeLeft(3 * 86400)).toBe("about 3 days left");
  });
});

describe("what a mailbox card says about a mailbox", () => {
  const on = { enabled: true, disabledReason: null };
  it("is paused, not disabled, while its integration is off: its own switch stays on", () => {
    expect(mailboxStanding(on, { enabled: false, disabledReason: "QUOTA" }, "DISABLED")).toEqual({
      kind: "paused",
      reason: "QUOTA",
    });
    expect(mailboxStanding(on, { enabled: false, disabledReason: "USER" }, "IDLE")).toEqual({
      kind: "paused",
      reason: "USER",
    });
    // The round stopped the integration before the page re-read it.
    expect(mailboxStanding(on, on, "DISABLED")).toEqual({ kind: "paused", reason: null });
  });

  it("is off when its own switch is off, whatever the integration", () => {
    const stopped = { enabled: false, disabledReason: "SYNC_ERROR" as const };
    expect(
      mailboxStanding(stopped, { enabled: false, disabledReason: "QUOTA" }, "DISABLED"),
    ).toEqual({ kind: "off", reason: "SYNC_ERROR" });
    expect(mailboxStanding(stopped, on, "DISABLED")).toEqual({ kind: "off", reason: "SYNC_ERROR" });
  });

  it("follows the sync state otherwise", () => {
    for (const status of ["IDLE", "QUEUED", "SYNCING", "UP_TO_DATE", "FAILED"] as const)
      expect(mailboxStanding(on, on, status)).toEqual({ kind: "on" });
  });

  it("labels the per-round counters with the round they count", () => {
    expect(roundScope("SYNCING")).toBe("this round");
    expect(roundScope("QUEUED")).toBe("this round");
    expect(roundScope("UP_TO_DATE")).toBe("last round");
    expect(roundScope("FAILED")).toBe("last round");
  });
});
