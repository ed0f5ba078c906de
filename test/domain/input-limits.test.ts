import { describe, expect, it } from "vitest";
import {
  INPUT_LIMITS,
  limitCount,
  limitList,
  limitText,
} from "../../server/domain/input-limits.js";
import { validateFilters } from "../../server/domain/mailbox-rules.js";
import { validateStreamFilter } from "../../server/streams/stream-filter-rules.js";
import { refusal } from "./refusal.js";

describe("input limits", () => {
  it("accepts text up to 10,000 characters and refuses one more, naming the field", () => {
    expect(limitText("input.title", "t".repeat(10_000))).toHaveLength(10_000);
    expect(limitText("input.title", null)).toBeNull();
    const error = refusal(() => limitText("input.title", "t".repeat(10_001)));
    expect(error.field).toBe("input.title");
    expect(error.message).toMatch(/10001 characters long; at most 10000/);
  });

  it("accepts 1,000 entries of 1,024 characters and refuses a longer list or entry", () => {
    const list = Array.from({ length: 1_000 }, () => "e".repeat(1_024));
    expect(limitList("f", list)).toBe(list);
    expect(refusal(() => limitList("f", [...list, "x"])).field).toBe("f");
    expect(refusal(() => limitList("f", ["ok", "e".repeat(1_025)])).field).toBe("f.1");
    expect(refusal(() => limitCount("input.mailboxes", 501, 500)).message).toMatch(
      /501 entries; at most 500/,
    );
    expect(INPUT_LIMITS.maxMailboxesPerCall).toBe(500);
  });

  it("applies to every mailbox filter list and every stream filter list", () => {
    const many = Array.from({ length: 40_000 }, (_, i) => `Inbox/${i}`);
    expect(refusal(() => validateFilters({ deniedFolders: many }, "input.filters")).field).toBe(
      "input.filters.deniedFolders",
    );
    expect(
      refusal(() => validateFilters({ allowedDomains: ["a".repeat(2_000)] }, "input.filters"))
        .field,
    ).toBe("input.filters.allowedDomains.0");
    expect(refusal(() => validateStreamFilter({ participants: many }, "input.filter")).field).toBe(
      "input.filter.participants",
    );
  });
});
