import { describe, expect, it } from "vitest";
import { autoBucketName, validateBucketChoice } from "../../server/domain/bucket-choice.js";
import { API_NAME_PATTERN } from "../../server/domain/names.js";
import { refusal } from "./refusal.js";

describe("bucket choice rule", () => {
  it.each([
    ["absent", undefined],
    ["null", null],
    ["empty object", {}],
    ["both null", { existingBucketId: null, newBucket: null }],
  ])("creates automatically when %s", (_title, input) => {
    expect(validateBucketChoice(input, "input.bucket")).toEqual({ kind: "auto" });
  });

  it("takes an existing bucket", () => {
    expect(validateBucketChoice({ existingBucketId: " b-123 " }, "input.bucket")).toEqual({
      kind: "existing",
      existingBucketId: "b-123",
    });
  });

  it("takes a user-defined new bucket, a blank title becoming null", () => {
    expect(
      validateBucketChoice(
        { newBucket: { project: "sales", name: "orders_2024", title: " Orders " } },
        "b",
      ),
    ).toEqual({
      kind: "new",
      newBucket: { project: "sales", name: "orders_2024", title: "Orders" },
    });
    expect(
      validateBucketChoice({ newBucket: { project: "sales", name: "orders", title: "  " } }, "b"),
    ).toEqual({ kind: "new", newBucket: { project: "sales", name: "orders", title: null } });
    expect(validateBucketChoice({ newBucket: { project: "sales", name: "orders" } }, "b")).toEqual({
      kind: "new",
      newBucket: { project: "sales", name: "orders", title: null },
    });
  });

  it("refuses both at once", () => {
    const error = refusal(() =>
      validateBucketChoice(
        { existingBucketId: "b-1", newBucket: { project: "p", name: "n" } },
        "input.mailboxes.0.bucket",
      ),
    );
    expect(error.field).toBe("input.mailboxes.0.bucket.newBucket");
    expect(error.message).toBe(
      "Bucket choice: give existingBucketId or newBucket, not both (give neither to create a bucket automatically).",
    );
  });

  it("refuses a blank existing bucket id", () => {
    const error = refusal(() => validateBucketChoice({ existingBucketId: "  " }, "input.bucket"));
    expect(error.field).toBe("input.bucket.existingBucketId");
    expect(error.message).toContain("existingBucketId is empty");
  });

  it.each([
    [{ project: "my project", name: "ok" }, "input.bucket.newBucket.project"],
    [{ project: "p", name: "bad.name" }, "input.bucket.newBucket.name"],
    [{ project: "p", name: "" }, "input.bucket.newBucket.name"],
  ])("refuses new bucket %j at %s", (newBucket, field) => {
    const error = refusal(() => validateBucketChoice({ newBucket }, "input.bucket"));
    expect(error.field).toBe(field);
    expect(error.message).toContain("API name");
  });
});

describe("automatic bucket name rule", () => {
  it.each([
    ["sales", "orders@example.com", "sales_orders-example-com"],
    ["Sales-Sync", "Orders@Example.COM", "sales-sync_orders-example-com"],
    ["exchange", "first.last+tag@sub.example.co.uk", "exchange_first-last-tag-sub-example-co-uk"],
    ["exchange", "josé@bücher.de", "exchange_jose-bucher-de"],
    ["exchange", "用户@例え.jp", "exchange_jp"],
    ["x", "a__b@c.d", "x_a__b-c-d"],
  ])("derives from %j and %j: %j", (integration, email, name) => {
    expect(autoBucketName(integration, email, new Set())).toBe(name);
  });

  it("makes the name unique with a numeric suffix, case-insensitively", () => {
    const taken = new Set(["sales_orders-example-com", "SALES_ORDERS-EXAMPLE-COM-2", "other"]);
    expect(autoBucketName("sales", "orders@example.com", taken)).toBe("sales_orders-example-com-3");
    expect(autoBucketName("sales", "orders@example.com", new Set(["other"]))).toBe(
      "sales_orders-example-com",
    );
  });

  it("stays within 256 characters, suffix included, and matches the API name pattern", () => {
    const integration = "i".repeat(256);
    const email = `${"l".repeat(64)}@${"d".repeat(60)}.com`;
    const first = autoBucketName(integration, email, new Set());
    expect(first).toBe("i".repeat(256));
    const taken = new Set([first]);
    for (let n = 2; n <= 12; n++) {
      const next = autoBucketName(integration, email, taken);
      expect(next).toBe(`${"i".repeat(256 - `-${n}`.length)}-${n}`);
      expect(next.length).toBe(256);
      expect(API_NAME_PATTERN.test(next)).toBe(true);
      taken.add(next);
    }
  });

  it("does not leave a dash where the cut falls", () => {
    const integration = "a".repeat(254);
    const name = autoBucketName(integration, "x@y.com", new Set());
    expect(name).toBe(`${"a".repeat(254)}_x`);
    // 250 + "_bc-y-com" is 259 characters: the cut after "_bc-y-" drops the dangling dash.
    const base = "a".repeat(250);
    const cut = autoBucketName(base, "bc@y.com", new Set());
    expect(cut).toBe(`${base}_bc-y`);
    expect(autoBucketName(base, "bc@y.com", new Set([cut]))).toBe(`${base}_bc-2`);
    expect(cut.length).toBeLessThanOrEqual(256);
  });
});
