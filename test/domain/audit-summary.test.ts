import { describe, expect, it } from "vitest";
import { MAX_AUDIT_SUMMARY, auditSummary } from "../../server/audit/audit-summary.js";

describe("audit summary", () => {
  it("names the given fields and leaves out undefined ones", () => {
    expect(auditSummary({ title: "Sales", unitBudget: 5, enabled: false, gone: undefined })).toBe(
      "title=Sales, unitBudget=5, enabled=false",
    );
  });

  it("drops any field named like a secret, whatever it holds", () => {
    const summary = auditSummary({
      clientSecret: "s1",
      servicePassword: "s2",
      privateKey: "s3",
      token: "s4",
      credentials: "s5",
      api: "GRAPH",
    });
    expect(summary).toBe("api=GRAPH");
  });

  it("cuts long values and long summaries short", () => {
    expect(auditSummary({ title: "x".repeat(450_000) })).toBe(`title=${"x".repeat(100)}…`);
    const many = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`f${i}`, "y".repeat(50)]),
    );
    expect(auditSummary(many).length).toBe(MAX_AUDIT_SUMMARY + 1);
  });
});
