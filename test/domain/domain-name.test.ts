import { describe, expect, it } from "vitest";
import { checkDomainName, domainKey, validateDomainName } from "../../server/domain/domain-name.js";
import { refusal } from "./refusal.js";

describe("domain name syntax rule", () => {
  it.each([
    ["example.com", "example.com"],
    ["EXAMPLE.Com", "example.com"],
    ["  example.com  ", "example.com"],
    ["mail.example.co.uk", "mail.example.co.uk"],
    ["a-b.example", "a-b.example"],
    ["1password.com", "1password.com"],
    ["xn--bcher-kva.de", "xn--bcher-kva.de"],
    ["bücher.de", "xn--bcher-kva.de"],
    ["BÜCHER.de", "xn--bcher-kva.de"],
    ["例え.テスト", "xn--r8jz45g.xn--zckzah"],
    ["ＲＥＩＮＦＥＲ.com", "reinfer.com"],
    [`${"a".repeat(63)}.com`, `${"a".repeat(63)}.com`],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, null],
  ])("accepts %j as %j", (input, ascii) => {
    const check = checkDomainName(input);
    expect(check).toEqual({ ok: true, ascii: ascii ?? input });
  });

  it.each([
    ["", "is empty"],
    ["   ", "is empty"],
    ["exa mple.com", "contains whitespace"],
    ["example_co.com", 'contains "_"'],
    ["*.example.com", 'contains "*"'],
    ["ex@mple.com", 'contains "@"'],
    ["example..com", "empty label"],
    [".example.com", "empty label"],
    ["example.com.", "empty label"],
    ["localhost", "at least two labels"],
    ["-example.com", 'starts or ends with "-"'],
    ["example-.com", 'starts or ends with "-"'],
    [`${"a".repeat(64)}.com`, "label longer than 63"],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, "longer than 253"],
    ["1.2.3.4", "IP addresses are not accepted"],
    ["xn--zz.com", "not a valid internationalized domain name"],
  ])("refuses %j (%s)", (input, reason) => {
    const check = checkDomainName(input);
    expect(check.ok).toBe(false);
    expect(check.ok ? "" : check.reason).toContain(reason);
  });

  it("names the field and the domain when thrown", () => {
    const error = refusal(() => validateDomainName("input.domain", " exa_mple.com "));
    expect(error.field).toBe("input.domain");
    expect(error.message).toBe(
      'Domain "exa_mple.com" contains "_"; a domain holds only letters, digits, "-" and "." between labels.',
    );
    expect(validateDomainName("f", "Bücher.DE")).toBe("xn--bcher-kva.de");
  });
});

describe("domain key (live data)", () => {
  it.each([
    ["Example.COM", "example.com"],
    ["example.com.", "example.com"],
    ["bücher.de", "xn--bcher-kva.de"],
    ["not a domain", "not a domain"],
    ["", ""],
  ])("keys %j as %j", (input, key) => {
    expect(domainKey(input)).toBe(key);
  });
});
