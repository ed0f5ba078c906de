import { describe, expect, it } from "vitest";
import {
  autoBucketName,
  validateMailboxInput,
  validateMailboxInputs,
  validateMailboxUpdate,
  validateTimeFilter,
  type MailboxSyncSettings,
} from "../../server/domain/mailbox-rules.js";
import { refusal } from "./refusal.js";

const FROM = new Date("2025-06-01T00:00:00Z");
const TOIS = "Root/Top of Information Store";
const emptyFilters = {
  allowedFolders: [],
  deniedFolders: [],
  allowedParticipants: [],
  deniedParticipants: [],
  allowedDomains: [],
  deniedDomains: [],
};

describe("time filter rule", () => {
  it.each([
    [{ syncFrom: FROM }, { syncFrom: FROM, allTime: false }],
    [
      { syncFrom: FROM, allTime: false },
      { syncFrom: FROM, allTime: false },
    ],
    [
      { syncFrom: FROM, allTime: null },
      { syncFrom: FROM, allTime: false },
    ],
    [{ allTime: true }, { syncFrom: null, allTime: true }],
    [
      { syncFrom: null, allTime: true },
      { syncFrom: null, allTime: true },
    ],
  ])("accepts %j", (input, expected) => {
    expect(validateTimeFilter(input, "input")).toEqual(expected);
  });

  it.each([
    ["both", { syncFrom: FROM, allTime: true }, "input.allTime", "not both"],
    ["neither", {}, "input.syncFrom", "neither was given"],
    ["neither (nulls)", { syncFrom: null, allTime: null }, "input.syncFrom", "neither was given"],
    ["neither (allTime false)", { allTime: false }, "input.syncFrom", "neither was given"],
  ])("refuses %s", (_title, input, field, words) => {
    const error = refusal(() => validateTimeFilter(input, "input"));
    expect(error.field).toBe(field);
    expect(error.message).toContain("Time filter: give exactly one of syncFrom");
    expect(error.message).toContain("allTime: true");
    expect(error.message).toContain(words);
  });

  it("refuses an invalid date", () => {
    const error = refusal(() => validateTimeFilter({ syncFrom: new Date("nope") }, "m"));
    expect(error.field).toBe("m.syncFrom");
    expect(error.message).toContain("not a valid timestamp");
  });
});

describe("new mailbox rules", () => {
  it("normalizes a full input", () => {
    expect(
      validateMailboxInput(
        {
          email: " Orders@Contoso.com ",
          syncFrom: FROM,
          filters: {
            allowedFolders: [`${TOIS}/Inbox/`, `${TOIS}/INBOX`],
            deniedFolders: [`${TOIS}/Inbox/Spam`],
            allowedParticipants: ["Client@Example.com"],
            deniedParticipants: null,
            allowedDomains: ["Reinfer.*", "example.com"],
            deniedDomains: ["Gmail.com"],
          },
          syncAttachments: true,
          bucket: { newBucket: { project: "sales", name: "orders" } },
        },
        "input",
      ),
    ).toEqual({
      email: "orders@contoso.com",
      syncFrom: FROM,
      allTime: false,
      filters: {
        allowedFolders: [`${TOIS}/Inbox`],
        deniedFolders: [`${TOIS}/Inbox/Spam`],
        allowedParticipants: ["client@example.com"],
        deniedParticipants: [],
        allowedDomains: ["reinfer.*", "example.com"],
        deniedDomains: ["gmail.com"],
      },
      syncAttachments: true,
      bucket: { kind: "new", newBucket: { project: "sales", name: "orders", title: null } },
    });
  });

  it("defaults: no filters, no attachments, automatic bucket", () => {
    expect(validateMailboxInput({ email: "a@b.com", allTime: true }, "input")).toEqual({
      email: "a@b.com",
      syncFrom: null,
      allTime: true,
      filters: emptyFilters,
      syncAttachments: false,
      bucket: { kind: "auto" },
    });
  });

  it.each([
    ["bad email", { email: "nope", allTime: true }, "input.mailboxes.1.email"],
    ["email before time filter", { email: "nope" }, "input.mailboxes.1.email"],
    ["no time filter", { email: "a@b.com" }, "input.mailboxes.1.syncFrom"],
    [
      "allowed inside denied",
      {
        email: "a@b.com",
        allTime: true,
        filters: { allowedFolders: [`${TOIS}/Inbox/X`], deniedFolders: [`${TOIS}/Inbox`] },
      },
      "input.mailboxes.1.filters.allowedFolders.0",
    ],
    [
      "bad participant",
      { email: "a@b.com", allTime: true, filters: { deniedParticipants: ["ok@x.com", "x"] } },
      "input.mailboxes.1.filters.deniedParticipants.1",
    ],
    [
      "bad wildcard",
      { email: "a@b.com", allTime: true, filters: { allowedDomains: ["*.com"] } },
      "input.mailboxes.1.filters.allowedDomains.0",
    ],
    [
      "both buckets",
      {
        email: "a@b.com",
        allTime: true,
        bucket: { existingBucketId: "b", newBucket: { project: "p", name: "n" } },
      },
      "input.mailboxes.1.bucket.newBucket",
    ],
    [
      "bad new bucket name",
      { email: "a@b.com", allTime: true, bucket: { newBucket: { project: "p", name: "n n" } } },
      "input.mailboxes.1.bucket.newBucket.name",
    ],
  ])("refuses %s at its field", (_title, input, field) => {
    expect(refusal(() => validateMailboxInput(input, "input.mailboxes.1")).field).toBe(field);
  });

  it("refuses the same mailbox twice in one request", () => {
    const error = refusal(() =>
      validateMailboxInputs(
        [
          { email: "a@b.com", allTime: true },
          { email: "c@b.com", allTime: true },
          { email: "A@B.COM", syncFrom: FROM },
        ],
        "input.mailboxes",
      ),
    );
    expect(error.field).toBe("input.mailboxes.2.email");
    expect(error.message).toBe(
      "Mailbox a@b.com is listed twice (also at position 0); an integration holds each mailbox once.",
    );
    expect(
      validateMailboxInputs([{ email: "a@b.com", allTime: true }], "m").map((m) => m.email),
    ).toEqual(["a@b.com"]);
  });

  it("re-exports the automatic bucket name", () => {
    expect(autoBucketName("sales", "a@b.com", new Set())).toBe("sales_a-b-com");
  });
});

describe("mailbox update rules", () => {
  const fromSettings: MailboxSyncSettings = {
    syncFrom: FROM,
    allTime: false,
    filters: { ...emptyFilters, allowedFolders: [`${TOIS}/Inbox`], deniedDomains: ["gmail.com"] },
    syncAttachments: false,
  };
  const allTimeSettings: MailboxSyncSettings = { ...fromSettings, syncFrom: null, allTime: true };
  const EARLIER = new Date("2024-01-01T00:00:00Z");

  it("keeps everything for an empty patch", () => {
    expect(validateMailboxUpdate(fromSettings, {}, "input")).toEqual(fromSettings);
    expect(validateMailboxUpdate(allTimeSettings, { enabled: false }, "input")).toEqual(
      allTimeSettings,
    );
  });

  it.each([
    ["syncFrom switches off allTime", allTimeSettings, { syncFrom: EARLIER }, EARLIER, false],
    ["syncFrom moves the start", fromSettings, { syncFrom: EARLIER }, EARLIER, false],
    [
      "syncFrom with allTime false",
      allTimeSettings,
      { syncFrom: EARLIER, allTime: false },
      EARLIER,
      false,
    ],
    ["allTime clears syncFrom", fromSettings, { allTime: true }, null, true],
    [
      "allTime false is a no-op when already from a date",
      fromSettings,
      { allTime: false },
      FROM,
      false,
    ],
    ["allTime true again", allTimeSettings, { allTime: true }, null, true],
  ])("%s", (_title, existing, patch, syncFrom, allTime) => {
    const next = validateMailboxUpdate(existing, patch, "input");
    expect(next.syncFrom).toEqual(syncFrom);
    expect(next.allTime).toBe(allTime);
  });

  it("refuses syncFrom and allTime at once", () => {
    const error = refusal(() =>
      validateMailboxUpdate(fromSettings, { syncFrom: EARLIER, allTime: true }, "input"),
    );
    expect(error.field).toBe("input.allTime");
    expect(error.message).toContain("exactly one of syncFrom");
    expect(error.message).toContain("not both");
  });

  it("refuses turning allTime off without a syncFrom", () => {
    const error = refusal(() =>
      validateMailboxUpdate(allTimeSettings, { allTime: false }, "input"),
    );
    expect(error.field).toBe("input.syncFrom");
    expect(error.message).toContain("to turn allTime off, give the syncFrom");
  });

  it("replaces given filter lists, keeps the others, clears with an empty list", () => {
    const next = validateMailboxUpdate(
      fromSettings,
      {
        filters: {
          deniedFolders: [`${TOIS}/Inbox/Spam/`],
          deniedDomains: [],
          allowedFolders: null,
        },
      },
      "input",
    );
    expect(next.filters).toEqual({
      ...emptyFilters,
      allowedFolders: [`${TOIS}/Inbox`],
      deniedFolders: [`${TOIS}/Inbox/Spam`],
    });
    expect(
      validateMailboxUpdate(fromSettings, { syncAttachments: true }, "i").syncAttachments,
    ).toBe(true);
  });

  it("validates a new denied folder against the kept allowed ones", () => {
    const error = refusal(() =>
      validateMailboxUpdate(fromSettings, { filters: { deniedFolders: [TOIS] } }, "input"),
    );
    expect(error.field).toBe("input.filters.allowedFolders.0");
    expect(error.message).toContain(`"${TOIS}/Inbox" is inside denied folder "${TOIS}"`);
  });

  it("refuses invalid patched lists at their field", () => {
    const error = refusal(() =>
      validateMailboxUpdate(fromSettings, { filters: { allowedDomains: ["re*fer.com"] } }, "input"),
    );
    expect(error.field).toBe("input.filters.allowedDomains.0");
  });
});
