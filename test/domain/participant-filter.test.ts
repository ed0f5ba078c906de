import { describe, expect, it } from "vitest";
import {
  compileParticipantFilter,
  validateParticipantList,
  type ParticipantFilterLists,
} from "../../server/domain/participant-filter.js";
import { refusal } from "./refusal.js";

const MAILBOX = "orders@contoso.com";
const none: ParticipantFilterLists = {
  allowedParticipants: [],
  deniedParticipants: [],
  allowedDomains: [],
  deniedDomains: [],
};
const p = (...addresses: string[]): { address: string }[] =>
  addresses.map((address) => ({ address }));

describe("participant list validation", () => {
  it("normalizes and deduplicates case-insensitively", () => {
    expect(
      validateParticipantList("input.filters.allowedParticipants", [
        " Alice@Example.com ",
        "alice@example.COM",
        "bob@bücher.de",
        "BOB@xn--bcher-kva.de",
      ]),
    ).toEqual(["alice@example.com", "bob@bücher.de"]);
  });

  it("reports an invalid address at its index", () => {
    const error = refusal(() =>
      validateParticipantList("input.filters.deniedParticipants", [
        "a@example.com",
        "not-an-address",
      ]),
    );
    expect(error.field).toBe("input.filters.deniedParticipants.1");
    expect(error.message).toContain('"not-an-address" has no @');
  });
});

describe("participant filters rule", () => {
  const cases: [string, Partial<ParticipantFilterLists>, string[], string | null][] = [
    // [title, lists, participants, first denied participant or null]
    ["no filters pass everything", {}, ["a@x.com", "b@y.org"], null],
    ["no participants pass", { allowedParticipants: ["a@x.com"] }, [], null],
    ["only the mailbox itself passes", { allowedParticipants: ["a@x.com"] }, [MAILBOX], null],
    [
      "the mailbox itself in another case passes",
      { allowedDomains: ["x.com"] },
      ["Orders@CONTOSO.com"],
      null,
    ],
    [
      "the mailbox is never denied, even on the denied list",
      { deniedParticipants: [MAILBOX] },
      [MAILBOX, "a@x.com"],
      null,
    ],
    [
      "the mailbox is never denied, even by its domain",
      { deniedDomains: ["contoso.com"] },
      [MAILBOX, "a@x.com"],
      null,
    ],
    [
      "but colleagues on that domain are",
      { deniedDomains: ["contoso.com"] },
      [MAILBOX, "boss@contoso.com"],
      "boss@contoso.com",
    ],
    [
      "denied participant",
      { deniedParticipants: ["spam@x.com"] },
      ["a@y.com", "spam@x.com"],
      "spam@x.com",
    ],
    [
      "denied participant, case-insensitive",
      { deniedParticipants: ["spam@x.com"] },
      ["SPAM@X.COM"],
      "SPAM@X.COM",
    ],
    ["denied domain", { deniedDomains: ["gmail.com"] }, ["a@y.com", "z@Gmail.com"], "z@Gmail.com"],
    [
      "denied domain does not deny subdomains",
      { deniedDomains: ["gmail.com"] },
      ["z@mail.gmail.com"],
      null,
    ],
    [
      "denied wildcard domain",
      { deniedDomains: ["reinfer.*"] },
      ["a@reinfer.co.uk"],
      "a@reinfer.co.uk",
    ],
    [
      "denied wildcard spares subdomains",
      { deniedDomains: ["reinfer.*"] },
      ["a@mail.reinfer.com"],
      null,
    ],
    [
      "allowed participant passes",
      { allowedParticipants: ["a@x.com"] },
      ["A@X.com", MAILBOX],
      null,
    ],
    [
      "allow list denies others",
      { allowedParticipants: ["a@x.com"] },
      ["a@x.com", "b@x.com"],
      "b@x.com",
    ],
    ["allowed domain passes", { allowedDomains: ["x.com"] }, ["a@x.com", "b@X.COM"], null],
    [
      "allowed domain list denies others",
      { allowedDomains: ["x.com"] },
      ["a@x.com", "c@sub.x.com"],
      "c@sub.x.com",
    ],
    [
      "allowed wildcard domain",
      { allowedDomains: ["reinfer.*"] },
      ["a@reinfer.com", "b@reinfer.dev", "c@reinfer.co.uk"],
      null,
    ],
    [
      "allowed wildcard refuses look-alikes",
      { allowedDomains: ["reinfer.*"] },
      ["a@reinfer.com", "b@notreinfer.com"],
      "b@notreinfer.com",
    ],
    [
      "allowed wildcard refuses reinfer.example.com",
      { allowedDomains: ["reinfer.*"] },
      ["a@reinfer.example.com"],
      "a@reinfer.example.com",
    ],
    [
      "either allow list admits: address",
      { allowedParticipants: ["vip@gmail.com"], allowedDomains: ["x.com"] },
      ["vip@gmail.com", "a@x.com"],
      null,
    ],
    [
      "either allow list admits: nobody else",
      { allowedParticipants: ["vip@gmail.com"], allowedDomains: ["x.com"] },
      ["vip@gmail.com", "other@gmail.com"],
      "other@gmail.com",
    ],
    [
      "deny wins: address on both lists",
      { allowedParticipants: ["a@x.com"], deniedParticipants: ["A@x.com"] },
      ["a@x.com"],
      "a@x.com",
    ],
    [
      "deny wins: allowed address, denied domain",
      { allowedParticipants: ["a@x.com"], deniedDomains: ["x.com"] },
      ["a@x.com"],
      "a@x.com",
    ],
    [
      "deny wins: allowed domain, denied address",
      { allowedDomains: ["x.com"], deniedParticipants: ["b@x.com"] },
      ["a@x.com", "b@x.com"],
      "b@x.com",
    ],
    [
      "deny wins: domain on both lists",
      { allowedDomains: ["x.com"], deniedDomains: ["x.com"] },
      ["a@x.com"],
      "a@x.com",
    ],
    [
      "deny list alone does not restrict others",
      { deniedParticipants: ["spam@x.com"] },
      ["a@y.com", "b@z.org"],
      null,
    ],
    [
      "first denied participant is reported",
      { deniedDomains: ["x.com", "y.com"] },
      ["a@ok.com", "b@y.com", "c@x.com"],
      "b@y.com",
    ],
    [
      "IDN domains match in either form",
      { allowedDomains: ["bücher.de"] },
      ["a@xn--bcher-kva.de", "b@BÜCHER.de"],
      null,
    ],
    [
      "IDN addresses match in either form",
      { deniedParticipants: ["a@bücher.de"] },
      ["a@xn--bcher-kva.de"],
      "a@xn--bcher-kva.de",
    ],
    ["blank addresses are skipped", { allowedDomains: ["x.com"] }, ["a@x.com", "", "  "], null],
    [
      "an address without domain is denied by an allow list",
      { allowedDomains: ["x.com"] },
      ["a@x.com", "legacy-dn"],
      "legacy-dn",
    ],
    [
      "an address without domain passes a deny-domain list",
      { deniedDomains: ["x.com"] },
      ["legacy-dn"],
      null,
    ],
  ];

  it.each(cases)("%s", (_title, lists, participants, denied) => {
    const filter = compileParticipantFilter({ ...none, ...lists });
    expect(filter.deniedParticipant(MAILBOX, p(...participants))).toBe(denied);
    expect(filter.passes(MAILBOX, p(...participants))).toBe(denied === null);
  });

  it("compares the mailbox address case-insensitively and trimmed", () => {
    const filter = compileParticipantFilter({ ...none, allowedParticipants: ["a@x.com"] });
    expect(filter.passes("  ORDERS@contoso.COM ", p("orders@contoso.com", "a@x.com"))).toBe(true);
    expect(filter.passes("sales@contoso.com", p("orders@contoso.com"))).toBe(false);
  });

  it("reuses one compiled filter across many messages and mailboxes", () => {
    const filter = compileParticipantFilter({
      ...none,
      allowedDomains: ["contoso.com", "reinfer.*"],
    });
    const messages = [
      p("orders@contoso.com", "client@reinfer.io"),
      p("orders@contoso.com", "client@gmail.com"),
      p("sales@contoso.com"),
    ];
    expect(messages.map((m) => filter.passes(MAILBOX, m))).toEqual([true, false, true]);
    expect(messages.map((m) => filter.passes("sales@contoso.com", m))).toEqual([true, false, true]);
  });
});
