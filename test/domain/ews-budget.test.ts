import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config/config.js";
import { EWS_MAX_CONCURRENCY, ewsBudgetPerProcess } from "../../server/domain/ews-budget.js";

describe("ewsBudgetPerProcess", () => {
  it("is the configured budget while that fits the processes' equal part of 27", () => {
    expect(ewsBudgetPerProcess(10, 1)).toBe(10);
    expect(ewsBudgetPerProcess(10, 2)).toBe(10);
    expect(ewsBudgetPerProcess(26, 1)).toBe(26);
    expect(ewsBudgetPerProcess(9, 3)).toBe(9);
    expect(ewsBudgetPerProcess(1, 27)).toBe(1);
  });

  it("is ⌊27 ÷ processes⌋ once the configured budget would not fit", () => {
    expect(ewsBudgetPerProcess(10, 3)).toBe(9);
    expect(ewsBudgetPerProcess(26, 2)).toBe(13);
    expect(ewsBudgetPerProcess(26, 3)).toBe(9);
    expect(ewsBudgetPerProcess(10, 4)).toBe(6);
    expect(ewsBudgetPerProcess(10, 5)).toBe(5);
    expect(ewsBudgetPerProcess(10, 13)).toBe(2);
    expect(ewsBudgetPerProcess(10, 14)).toBe(1);
    expect(ewsBudgetPerProcess(27, 1)).toBe(27);
    expect(ewsBudgetPerProcess(100, 1)).toBe(27);
    expect(ewsBudgetPerProcess(Infinity, 2)).toBe(13);
  });

  it("keeps every process's sum within 27 for 1 to 27 processes and any configured budget", () => {
    for (let configured = 1; configured <= 40; configured++) {
      for (let processes = 1; processes <= EWS_MAX_CONCURRENCY; processes++) {
        const budget = ewsBudgetPerProcess(configured, processes);
        expect(Number.isInteger(budget), `${configured}, ${processes}`).toBe(true);
        expect(budget, `${configured}, ${processes}`).toBeGreaterThanOrEqual(1);
        expect(budget, `${configured}, ${processes}`).toBeLessThanOrEqual(configured);
        expect(budget * processes, `${configured}, ${processes}`).toBeLessThanOrEqual(27);
        // Not needlessly low: one more each would break 27, or it is already the configured budget.
        expect(
          budget === configured || (budget + 1) * processes > 27,
          `${configured}, ${processes}`,
        ).toBe(true);
      }
    }
  });

  it("never goes below one, even with more than 27 processes (a principal still makes progress)", () => {
    expect(ewsBudgetPerProcess(10, 28)).toBe(1);
    expect(ewsBudgetPerProcess(10, 1_000)).toBe(1);
    expect(ewsBudgetPerProcess(10, Infinity)).toBe(1);
    expect(ewsBudgetPerProcess(0, 1)).toBe(1);
    expect(ewsBudgetPerProcess(-5, 1)).toBe(1);
    expect(ewsBudgetPerProcess(NaN, 1)).toBe(1);
  });

  it("counts at least this process: zero, negative or unknown counts are one process", () => {
    expect(ewsBudgetPerProcess(10, 0)).toBe(10);
    expect(ewsBudgetPerProcess(26, -3)).toBe(26);
    expect(ewsBudgetPerProcess(26, NaN)).toBe(26);
    expect(ewsBudgetPerProcess(100, 0)).toBe(27);
  });

  it("rounds a fractional count up (the safe side) and a fractional configuration down", () => {
    expect(ewsBudgetPerProcess(26, 2.1)).toBe(9);
    expect(ewsBudgetPerProcess(26, 0.5)).toBe(26);
    expect(ewsBudgetPerProcess(9.9, 1)).toBe(9);
    expect(ewsBudgetPerProcess(0.5, 1)).toBe(1);
  });
});

describe("MAILSTREAM_EWS_CONCURRENCY (the configured budget)", () => {
  it("defaults to 10 and takes 1 to 26, staying under Exchange's 27 on one process", () => {
    expect(loadConfig({}).ewsConcurrency).toBe(10);
    expect(loadConfig({ MAILSTREAM_EWS_CONCURRENCY: "1" }).ewsConcurrency).toBe(1);
    expect(loadConfig({ MAILSTREAM_EWS_CONCURRENCY: "26" }).ewsConcurrency).toBe(26);
    for (const bad of ["0", "27", "-1", "2.5", "ten"])
      expect(() => loadConfig({ MAILSTREAM_EWS_CONCURRENCY: bad }), bad).toThrow(ConfigError);
  });
});
