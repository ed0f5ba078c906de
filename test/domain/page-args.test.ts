import { describe, expect, it } from "vitest";
import { validatePageArgs } from "../../server/domain/page-args.js";

const rule = { max: 200, cursor: /^\d+$/, cursorHint: "an endCursor" };

function refusal(args: { first: number; after?: string | null }) {
  try {
    validatePageArgs(args, rule);
    return null;
  } catch (error) {
    const e = error as { code?: string; field?: string; message: string };
    return { code: e.code, message: e.message };
  }
}

describe("page arguments", () => {
  it.each([1, 2, 199, 200])("accepts first: %i", (first) => {
    expect(refusal({ first, after: null })).toBeNull();
    expect(refusal({ first, after: "42" })).toBeNull();
  });

  it.each([0, -1, 201, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses first: %d", (first) => {
    expect(refusal({ first })).toEqual({
      code: "BAD_USER_INPUT",
      message: "first must be from 1 to 200.",
    });
  });

  it.each(["", "abc", "-1", "1.5", " 1"])("refuses after: %j, saying what a cursor is", (after) => {
    expect(refusal({ first: 10, after })).toMatchObject({ message: "after must be an endCursor." });
  });

  it("takes any cursor when the read has none of its own", () => {
    expect(() => validatePageArgs({ first: 500 }, { max: 500 })).not.toThrow();
    expect(() => validatePageArgs({ first: 501 }, { max: 500 })).toThrow(/from 1 to 500/);
  });
});
