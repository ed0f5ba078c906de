import { describe, expect, it } from "vitest";
import {
  checkEmailAddress,
  emailKey,
  normalizeEmail,
  validateEmailAddress,
} from "../../server/domain/email-address.js";
import { refusal } from "./refusal.js";

describe("normalizeEmail / emailKey (addresses compare case-insensitively)", () => {
  it.each([
    ["  Orders@Example.COM ", "orders@example.com"],
    ["a@b.c", "a@b.c"],
    ["İnfo@x.com", "i̇nfo@x.com"],
  ])("normalizes %j to %j", (input, normalized) => {
    expect(normalizeEmail(input)).toBe(normalized);
  });

  it.each([
    ["Orders@Example.COM", "orders@example.com"],
    ["a@Bücher.de", "a@xn--bcher-kva.de"],
    ["a@xn--bcher-kva.de", "a@xn--bcher-kva.de"],
    ["a@example.com.", "a@example.com"],
    ["no-at-sign", "no-at-sign"],
    ["  ", ""],
  ])("keys %j as %j", (input, key) => {
    expect(emailKey(input)).toBe(key);
  });
});

describe("validated address rule", () => {
  const local64 = "l".repeat(64);
  // 64 + 1 + (63 + 1 + 63 + 1 + 61) = 254
  const longDomain = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(61)}`;

  it.each([
    ["orders@example.com", "orders@example.com"],
    [" Orders@Example.com ", "orders@example.com"],
    ["first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ["a!#$%&*/=?^_`{|}~-@example.com", "a!#$%&*/=?^_`{|}~-@example.com"],
    ["josé@bücher.de", "josé@bücher.de"],
    ["用户@例え.テスト", "用户@例え.テスト"],
    [`${local64}@example.com`, `${local64}@example.com`],
    [`${local64}@${longDomain}`, `${local64}@${longDomain}`],
  ])("accepts %j as %j", (input, address) => {
    expect(validateEmailAddress("input.email", input)).toBe(address);
  });

  it.each([
    ["", "is empty"],
    ["   ", "is empty"],
    ["orders example.com", "contains whitespace"],
    ["orders @example.com", "contains whitespace"],
    ["orders.example.com", "has no @"],
    ["@example.com", "nothing before the @"],
    ["orders@", "nothing after the @"],
    ["a@b@example.com", "more than one @"],
    ['"ab"@example.com', 'contains """'],
    ["a(b)@example.com", 'contains "("'],
    ["a,b@example.com", 'contains ","'],
    [".orders@example.com", "leading, trailing or doubled dot"],
    ["orders.@example.com", "leading, trailing or doubled dot"],
    ["or..ders@example.com", "leading, trailing or doubled dot"],
    [`${"l".repeat(65)}@example.com`, "more than 64 characters before the @"],
    [`${"é".repeat(33)}@example.com`, "more than 64 characters before the @"],
    ["orders@localhost", "domain that needs at least two labels"],
    ["orders@example..com", "domain that has an empty label"],
    ["orders@exa_mple.com", 'domain that contains "_"'],
    ["orders@[192.168.0.1]", 'domain that contains "["'],
    ["orders@192.168.0.1", "IP addresses are not accepted"],
    [`${local64}@${longDomain}x`, "longer than 254"],
  ])("refuses %j (%s)", (input, reason) => {
    const check = checkEmailAddress(input);
    expect(check.ok).toBe(false);
    expect(check.ok ? "" : check.reason).toContain(reason);
  });

  it("refuses with the field and an actionable message", () => {
    const error = refusal(() => validateEmailAddress("input.mailboxes.0.email", " orders "));
    expect(error.field).toBe("input.mailboxes.0.email");
    expect(error.message).toBe('Email address "orders" has no @; write it like name@example.com.');
  });
});
