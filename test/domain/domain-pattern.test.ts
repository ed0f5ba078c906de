import { describe, expect, it } from "vitest";
import {
  compileDomainPattern,
  compileDomainPatterns,
  formatDomainPattern,
  parseDomainPattern,
  validateDomainPatterns,
} from "../../server/domain/domain-pattern.js";
import { refusal } from "./refusal.js";

describe("domain filter entry rule", () => {
  it.each([
    ["example.com", { kind: "exact", domain: "example.com" }],
    ["  Example.COM ", { kind: "exact", domain: "example.com" }],
    ["mail.example.co.uk", { kind: "exact", domain: "mail.example.co.uk" }],
    ["bücher.de", { kind: "exact", domain: "xn--bcher-kva.de" }],
    ["reinfer.*", { kind: "anySuffix", name: "reinfer" }],
    [" REINFER.* ", { kind: "anySuffix", name: "reinfer" }],
    ["my-company.*", { kind: "anySuffix", name: "my-company" }],
    ["bücher.*", { kind: "anySuffix", name: "xn--bcher-kva" }],
  ])("parses %j", (entry, pattern) => {
    expect(parseDomainPattern("f", entry)).toEqual(pattern);
  });

  it.each([
    ["*"],
    ["*.com"],
    ["*.reinfer.com"],
    ["re*fer.com"],
    ["reinfer*"],
    ["reinfer.*.uk"],
    ["reinfer.co.*"],
    ["mail.reinfer.*"],
    ["reinfer.**"],
    ["reinfer.*."],
    [".*"],
  ])("refuses the wildcard %j", (entry) => {
    const error = refusal(() => parseDomainPattern("input.filters.allowedDomains.0", entry));
    expect(error.field).toBe("input.filters.allowedDomains.0");
    expect(error.message).toBe(
      `Domain filter "${entry}" is not accepted: the only wildcard allowed is a whole public suffix after a name, written like "reinfer.*".`,
    );
  });

  it.each([
    ["re_infer.*", 'contains "_"'],
    ["-reinfer.*", 'starts or ends with "-"'],
    [`${"a".repeat(64)}.*`, "label longer than 63"],
    ["re infer.*", "contains whitespace"],
  ])("refuses the bad name in %j (%s)", (entry, words) => {
    const error = refusal(() => parseDomainPattern("f", entry));
    expect(error.message).toContain(`Domain filter "${entry}": the name before ".*"`);
    expect(error.message).toContain(words);
  });

  it.each([
    ["", "is empty"],
    ["example", "at least two labels"],
    ["example..com", "empty label"],
    ["exa mple.com", "contains whitespace"],
    ["user@example.com", 'contains "@"'],
    ["http://example.com", 'contains ":"'],
    ["10.0.0.1", "IP addresses are not accepted"],
  ])("refuses the domain %j (%s)", (entry, words) => {
    const error = refusal(() => parseDomainPattern("f", entry));
    expect(error.message).toContain(words);
  });

  it("formats canonically", () => {
    expect(formatDomainPattern({ kind: "exact", domain: "example.com" })).toBe("example.com");
    expect(formatDomainPattern({ kind: "anySuffix", name: "reinfer" })).toBe("reinfer.*");
  });

  it("validates a list: canonical, deduplicated, errors at their index", () => {
    expect(
      validateDomainPatterns("input.filters.deniedDomains", [
        "Gmail.com",
        "gmail.COM",
        "Reinfer.*",
        "reinfer.*",
        "Bücher.de",
        "xn--bcher-kva.de",
      ]),
    ).toEqual(["gmail.com", "reinfer.*", "xn--bcher-kva.de"]);
    const error = refusal(() =>
      validateDomainPatterns("input.filters.deniedDomains", ["gmail.com", "*.com"]),
    );
    expect(error.field).toBe("input.filters.deniedDomains.1");
  });
});

describe("domain filters match participant domains", () => {
  const cases: [string, string, boolean][] = [
    // exact entries: that domain only
    ["example.com", "example.com", true],
    ["example.com", "EXAMPLE.COM", true],
    ["example.com", "example.com.", true],
    ["example.com", "mail.example.com", false],
    ["example.com", "example.co.uk", false],
    ["example.com", "notexample.com", false],
    ["example.com", "example.com.evil.net", false],
    ["bücher.de", "xn--bcher-kva.de", true],
    ["xn--bcher-kva.de", "BÜCHER.de", true],
    // wildcard public suffix
    ["reinfer.*", "reinfer.com", true],
    ["reinfer.*", "reinfer.dev", true],
    ["reinfer.*", "reinfer.co.uk", true],
    ["reinfer.*", "reinfer.com.au", true],
    ["reinfer.*", "REINFER.Co.UK", true],
    ["reinfer.*", "reinfer.рф", true],
    ["reinfer.*", "reinfer.xn--p1ai", true],
    ["reinfer.*", "mail.reinfer.com", false],
    ["reinfer.*", "mail.reinfer.co.uk", false],
    ["reinfer.*", "reinfer.example.com", false],
    ["reinfer.*", "notreinfer.com", false],
    ["reinfer.*", "reinfer-labs.com", false],
    ["reinfer.*", "reinfer", false],
    ["reinfer.*", "", false],
    // private PSL section is off: hosting platforms are not suffixes
    ["reinfer.*", "reinfer.github.io", false],
    ["reinfer.*", "reinfer.blogspot.com", false],
    // unknown TLDs follow the PSL default rule "*"
    ["reinfer.*", "reinfer.corp", true],
    ["reinfer.*", "reinfer.local", true],
    // a public suffix itself has no registrable name
    ["co.*", "co.uk", false],
    ["bücher.*", "bücher.de", true],
    ["bücher.*", "xn--bcher-kva.ch", true],
  ];

  it.each(cases)("%j against %j is %s", (entry, domain, expected) => {
    expect(compileDomainPattern(entry)(domain)).toBe(expected);
    expect(compileDomainPatterns([entry])(domain)).toBe(expected);
  });

  it("a compiled list matches when any entry matches", () => {
    const matches = compileDomainPatterns(["gmail.com", "reinfer.*", "Example.org"]);
    expect(
      ["gmail.com", "reinfer.io", "example.org", "x.gmail.com", "other.com"].map(matches),
    ).toEqual([true, true, true, false, false]);
    expect(compileDomainPatterns([])("gmail.com")).toBe(false);
  });

  it("refuses an invalid entry when compiled directly", () => {
    refusal(() => compileDomainPattern("*.com"));
    refusal(() => compileDomainPatterns(["ok.com", "re*fer.com"]));
  });
});
