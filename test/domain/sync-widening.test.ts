import { describe, expect, it } from "vitest";
import type { MailboxFilters, MailboxSyncSettings } from "../../server/domain/mailbox-rules.js";
import { syncSelectionWidened } from "../../server/domain/sync-widening.js";

const TOIS = "Root/Top of Information Store";
const JUNE = new Date("2025-06-01T00:00:00Z");
const MAY = new Date("2025-05-01T00:00:00Z");
const JULY = new Date("2025-07-01T00:00:00Z");

function settings(
  filters: Partial<MailboxFilters> = {},
  syncFrom: Date | null = JUNE,
): MailboxSyncSettings {
  return {
    syncFrom,
    allTime: syncFrom === null,
    filters: {
      allowedFolders: [],
      deniedFolders: [],
      allowedParticipants: [],
      deniedParticipants: [],
      allowedDomains: [],
      deniedDomains: [],
      ...filters,
    },
    syncAttachments: false,
  };
}

describe("sync widening rule", () => {
  const cases: [string, MailboxSyncSettings, MailboxSyncSettings, boolean][] = [
    ["no change", settings(), settings(), false],
    ["attachments only", settings(), { ...settings(), syncAttachments: true }, false],
    // time filter
    ["syncFrom earlier", settings({}, JUNE), settings({}, MAY), true],
    ["syncFrom later", settings({}, JUNE), settings({}, JULY), false],
    ["to all time", settings({}, JUNE), settings({}, null), true],
    ["from all time to a date", settings({}, null), settings({}, MAY), false],
    // folders
    ["allowed folders removed", settings({ allowedFolders: [`${TOIS}/Inbox`] }), settings(), true],
    ["allowed folders added", settings(), settings({ allowedFolders: [`${TOIS}/Inbox`] }), false],
    [
      "allowed folder moved to a sibling",
      settings({ allowedFolders: [`${TOIS}/Inbox`] }),
      settings({ allowedFolders: [`${TOIS}/Archive`] }),
      true,
    ],
    [
      "allowed folder widened to its parent",
      settings({ allowedFolders: [`${TOIS}/Inbox/Orders`] }),
      settings({ allowedFolders: [`${TOIS}/Inbox`] }),
      true,
    ],
    [
      "allowed folder narrowed to a child",
      settings({ allowedFolders: [`${TOIS}/Inbox`] }),
      settings({ allowedFolders: [`${TOIS}/inbox/Orders`] }),
      false,
    ],
    [
      "allowed folder re-cased",
      settings({ allowedFolders: [`${TOIS}/Inbox`] }),
      settings({ allowedFolders: [`${TOIS}/INBOX`] }),
      false,
    ],
    ["denied folder removed", settings({ deniedFolders: [`${TOIS}/Junk`] }), settings(), true],
    ["denied folder added", settings(), settings({ deniedFolders: [`${TOIS}/Junk`] }), false],
    [
      "denied folder narrowed to a child",
      settings({ deniedFolders: [`${TOIS}/Inbox`] }),
      settings({ deniedFolders: [`${TOIS}/Inbox/Spam`] }),
      true,
    ],
    [
      "denied folder widened to its parent",
      settings({ deniedFolders: [`${TOIS}/Inbox/Spam`] }),
      settings({ deniedFolders: [`${TOIS}/Inbox`] }),
      false,
    ],
    [
      "denied folder dropped but outside what is allowed now",
      settings({ deniedFolders: [`${TOIS}/Junk`] }),
      settings({ allowedFolders: [`${TOIS}/Inbox`] }),
      false,
    ],
    [
      "denied folder dropped inside what is allowed now",
      settings({ allowedFolders: [`${TOIS}/Inbox`], deniedFolders: [`${TOIS}/Inbox/Spam`] }),
      settings({ allowedFolders: [`${TOIS}/Inbox`] }),
      true,
    ],
    [
      "allowed folder below a formerly denied one",
      settings({ deniedFolders: [`${TOIS}/Inbox`] }),
      settings({ allowedFolders: [`${TOIS}/Inbox/Orders`] }),
      true,
    ],
    // participants and domains
    [
      "allowed participants removed",
      settings({ allowedParticipants: ["a@x.com"] }),
      settings(),
      true,
    ],
    [
      "allowed participant added",
      settings({ allowedParticipants: ["a@x.com"] }),
      settings({ allowedParticipants: ["a@x.com", "b@x.com"] }),
      true,
    ],
    [
      "allowed participant removed",
      settings({ allowedParticipants: ["a@x.com", "b@x.com"] }),
      settings({ allowedParticipants: ["a@x.com"] }),
      false,
    ],
    [
      "allowed participant already covered by an allowed domain",
      settings({ allowedDomains: ["x.com"] }),
      settings({ allowedDomains: ["x.com"], allowedParticipants: ["b@X.com"] }),
      false,
    ],
    [
      "allowed domain added",
      settings({ allowedDomains: ["x.com"] }),
      settings({ allowedDomains: ["x.com", "y.com"] }),
      true,
    ],
    [
      "allowed exact domain covered by a former wildcard",
      settings({ allowedDomains: ["reinfer.*"] }),
      settings({ allowedDomains: ["reinfer.com"] }),
      false,
    ],
    [
      "allowed wildcard replacing an exact domain",
      settings({ allowedDomains: ["reinfer.com"] }),
      settings({ allowedDomains: ["reinfer.*"] }),
      true,
    ],
    [
      "allow list added where there was none",
      settings(),
      settings({ allowedDomains: ["x.com"] }),
      false,
    ],
    [
      "denied participant removed",
      settings({ deniedParticipants: ["spam@x.com"] }),
      settings(),
      true,
    ],
    [
      "denied participant moved into a denied domain",
      settings({ deniedParticipants: ["spam@x.com"] }),
      settings({ deniedDomains: ["x.com"] }),
      false,
    ],
    [
      "denied participant added",
      settings(),
      settings({ deniedParticipants: ["spam@x.com"] }),
      false,
    ],
    ["denied domain removed", settings({ deniedDomains: ["gmail.com"] }), settings(), true],
    [
      "denied domains unchanged",
      settings({ deniedDomains: ["gmail.com"] }),
      settings({ deniedDomains: ["gmail.com"] }),
      false,
    ],
    [
      "denied wildcard narrowed to one exact domain",
      settings({ deniedDomains: ["reinfer.*"] }),
      settings({ deniedDomains: ["reinfer.com"] }),
      true,
    ],
    [
      "denied exact widened to a wildcard",
      settings({ deniedDomains: ["reinfer.com"] }),
      settings({ deniedDomains: ["reinfer.*"] }),
      false,
    ],
  ];

  it.each(cases)("%s → %s", (_title, before, after, widened) => {
    expect(syncSelectionWidened(before, after)).toBe(widened);
  });
});
