import { describe, expect, it } from "vitest";
import {
  clientStateMatches,
  lifetimeFromRefusal,
  renewalRetryTime,
  renewalTime,
  retryDelayMs,
} from "../../server/domain/push-schedule.js";

const t0 = new Date("2026-12-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe("renewalTime", () => {
  it("renews `renewBefore` ahead of expiry for a long subscription (7 days, a day ahead)", () => {
    expect(renewalTime(t0, at(7 * DAY), 86_400)).toEqual(at(6 * DAY));
  });
  it("never in the first tenth of what is left when the lead is longer than the lifetime", () => {
    expect(renewalTime(t0, at(2 * MIN), 86_400)).toEqual(at(12_000));
    expect(renewalTime(t0, at(120_000), 110)).toEqual(at(12_000));
    expect(renewalTime(t0, at(120_000), 30)).toEqual(at(90_000));
  });
  it("an expiry already past is due now", () => {
    expect(renewalTime(t0, at(-MIN), 60)).toEqual(t0);
  });
});

describe("retries", () => {
  it("doubles from a minute up to an hour", () => {
    expect([1, 2, 3, 7, 8, 20].map(retryDelayMs)).toEqual([
      MIN,
      2 * MIN,
      4 * MIN,
      60 * MIN,
      60 * MIN,
      60 * MIN,
    ]);
  });
  it("a failed renewal is retried sooner, and never after the expiry", () => {
    expect(renewalRetryTime(t0, at(DAY), 1)).toEqual(at(15_000));
    expect(renewalRetryTime(t0, at(DAY), 10)).toEqual(at(15 * MIN));
    expect(renewalRetryTime(t0, at(5_000), 3)).toEqual(at(5_000));
  });
});

describe("clientStateMatches", () => {
  it("matches only the exact value", () => {
    expect(clientStateMatches("abc", "abc")).toBe(true);
    for (const other of ["abd", "ab", "abcd", "ABC", "", " abc"])
      expect(clientStateMatches("abc", other)).toBe(false);
  });
  it("a missing or non-string value never matches, nor an empty expected one", () => {
    for (const other of [undefined, null, 42, {}, ["abc"]])
      expect(clientStateMatches("abc", other)).toBe(false);
    expect(clientStateMatches("", "")).toBe(false);
  });
});

describe("lifetimeFromRefusal", () => {
  it("reads Graph's own limit from a 400 about the expiration, a minute less", () => {
    expect(
      lifetimeFromRefusal(400, "Subscription expiration can only be 4230 minutes in the future."),
    ).toBe(4229);
    expect(
      lifetimeFromRefusal(400, "Subscription expiration can only be 10070 minutes in the future."),
    ).toBe(10069);
  });
  it("nothing for other refusals", () => {
    expect(lifetimeFromRefusal(403, "Subscription expiration can only be 4230 minutes")).toBeNull();
    expect(lifetimeFromRefusal(400, "Subscription validation request failed.")).toBeNull();
    expect(lifetimeFromRefusal(400, "clientState must be at most 128 characters.")).toBeNull();
  });
});
