import { describe, expect, it } from "vitest";
import { API_NAME_PATTERN, validateApiName } from "../../server/domain/names.js";
import { refusal } from "./refusal.js";

describe("API name rule", () => {
  it.each([["a"], ["Z"], ["0"], ["sales_orders-2024"], ["___"], ["---"], ["A".repeat(256)]])(
    "accepts %j unchanged",
    (name) => {
      expect(validateApiName("input.name", name)).toBe(name);
      expect(API_NAME_PATTERN.test(name)).toBe(true);
    },
  );

  it.each([
    ["", "is empty"],
    ["A".repeat(257), "is 257 characters long; at most 256"],
    ["my name", "contains a space"],
    [" lead", "contains a space"],
    ["tab\there", "contains whitespace"],
    ["dot.name", 'contains "."'],
    ["slash/name", 'contains "/"'],
    ["émile", 'contains "é"'],
    ["emoji😀", 'contains "😀"'],
  ])("refuses %j (%s)", (name, words) => {
    const error = refusal(() => validateApiName("input.project.name", name));
    expect(error.field).toBe("input.project.name");
    expect(error.message).toContain(words);
    expect(error.message).toContain('letters A-Z and a-z, digits 0-9, "_" and "-"');
    expect(error.message).toContain("256");
  });

  it("cuts a long refused value short in the message", () => {
    const error = refusal(() => validateApiName("name", `${"x".repeat(100)} y`));
    expect(error.message).toContain(`"${"x".repeat(77)}..."`);
    expect(error.message).not.toContain("x".repeat(78));
  });
});
