import { describe, expect, it } from "vitest";
import {
  CREDENTIAL_STATUSES,
  DISABLED_REASONS,
  DisabledReason,
  type EnabledState,
  type IntegrationState,
  applyCredentialCheck,
  canEnable,
  credentialsRefusedBySync,
  disableByUser,
  disableForCredentials,
  disableForMailboxError,
  disableForQuota,
  enableByUser,
  enableRefusal,
  initialState,
  resumeAfterQuota,
  setEnabledByUser,
} from "../../server/domain/integration-state.js";
import { budgetUsedUp } from "../../server/domain/unit-budget.js";

/** Every state an integration or mailbox row can be in (the reachable ones and more). */
const STATES: EnabledState[] = [true, false].flatMap((enabled) =>
  [null, ...DISABLED_REASONS].flatMap((disabledReason) =>
    [null, "AADSTS7000215: Invalid client secret provided."].map((lastError) => ({
      enabled,
      disabledReason,
      lastError,
    })),
  ),
);

const CHECKED_AT = new Date("2026-12-01T10:00:00Z");
const MAILBOXES = [{ email: "a@contoso.com", access: "ACCESSIBLE" as const, error: null }];

function integration(state: EnabledState, credentialStatus: IntegrationState["credentialStatus"]) {
  return {
    ...state,
    credentialStatus,
    credentialCheckedAt: null,
    credentialError: credentialStatus === "INVALID" ? "refused" : null,
    credentialMailboxes: [],
  };
}

describe("the integration state machine", () => {
  it("names the same values as the GraphQL enum", () => {
    expect(Object.values(DisabledReason)).toEqual(["USER", "QUOTA", "SYNC_ERROR"]);
  });

  it("starts on, or off for the user", () => {
    expect(initialState(true)).toEqual({ enabled: true, disabledReason: null, lastError: null });
    expect(initialState(false)).toEqual({
      enabled: false,
      disabledReason: "USER",
      lastError: null,
    });
  });

  it.each(STATES)("the user's toggle from %j", (state) => {
    const before = structuredClone(state);
    expect(enableByUser()).toEqual({ enabled: true, disabledReason: null, lastError: null });
    expect(disableByUser(state)).toEqual({
      enabled: false,
      disabledReason: "USER",
      lastError: state.lastError,
    });
    expect(setEnabledByUser(state, true)).toEqual(enableByUser());
    expect(setEnabledByUser(state, false)).toEqual(disableByUser(state));
    expect(state).toEqual(before);
  });

  it("disabling sets the reason and keeps the error, whatever the state was", () => {
    expect(disableForCredentials("refused")).toEqual({
      enabled: false,
      disabledReason: "SYNC_ERROR",
      lastError: "refused",
    });
    expect(disableForCredentials(null).lastError).toBeNull();
    expect(disableForMailboxError("gone")).toEqual({
      enabled: false,
      disabledReason: "SYNC_ERROR",
      lastError: "gone",
    });
    expect(disableForQuota("budget used up")).toEqual({
      enabled: false,
      disabledReason: "QUOTA",
      lastError: "budget used up",
    });
    expect(credentialsRefusedBySync("refused")).toEqual({
      enabled: false,
      disabledReason: "SYNC_ERROR",
      lastError: "refused",
      credentialStatus: "INVALID",
      credentialError: "refused",
    });
  });

  it.each(STATES)("a budget with room again resumes only a QUOTA pause (%j)", (state) => {
    const next = resumeAfterQuota(state);
    if (state.disabledReason === "QUOTA") expect(next).toEqual(enableByUser());
    else expect(next).toEqual(state);
    expect(next).not.toBe(state);
  });

  it("a budget is used up once the units charged reach it; no budget never is", () => {
    expect(budgetUsedUp({ unitBudget: null, unitsCharged: 1_000_000 })).toBe(false);
    expect(budgetUsedUp({ unitBudget: 10, unitsCharged: 9 })).toBe(false);
    expect(budgetUsedUp({ unitBudget: 10, unitsCharged: 10 })).toBe(true);
    expect(budgetUsedUp({ unitBudget: 0, unitsCharged: 0 })).toBe(true);
  });

  it("only credentials that are not refused may be switched on", () => {
    expect(
      CREDENTIAL_STATUSES.filter((credentialStatus) => canEnable({ credentialStatus })),
    ).toEqual(["UNVALIDATED", "VALID"]);
  });

  it("switching on is refused for refused credentials first, then for a used-up budget", () => {
    const budgets = [
      { unitBudget: null, unitsCharged: 5 },
      { unitBudget: 10, unitsCharged: 9 },
      { unitBudget: 10, unitsCharged: 10 },
      { unitBudget: 0, unitsCharged: 0 },
    ];
    for (const credentialStatus of CREDENTIAL_STATUSES)
      for (const budget of budgets) {
        const expected =
          credentialStatus === "INVALID" ? "CREDENTIALS" : budgetUsedUp(budget) ? "QUOTA" : null;
        expect(enableRefusal({ credentialStatus }, budget)).toBe(expected);
      }
    expect(enableRefusal({ credentialStatus: "VALID" }, budgets[2]!)).toBe("QUOTA");
    expect(enableRefusal({ credentialStatus: "VALID" }, budgets[1]!)).toBeNull();
  });

  describe.each(CREDENTIAL_STATUSES)("a credential check of credentials %s", (status) => {
    it.each(STATES)("from %j", (state) => {
      const row = integration(state, status);
      const before = structuredClone(row);
      const valid = applyCredentialCheck(
        row,
        { status: "VALID", error: null, mailboxes: MAILBOXES },
        CHECKED_AT,
      );
      const checked = {
        credentialStatus: "VALID",
        credentialCheckedAt: CHECKED_AT,
        credentialError: null,
        credentialMailboxes: MAILBOXES,
      };
      // A working check resumes what rejected credentials stopped, and leaves a pause alone.
      if (state.disabledReason === "SYNC_ERROR")
        expect(valid).toEqual({ ...checked, ...enableByUser() });
      else expect(valid).toEqual({ ...checked, ...state });

      const invalid = applyCredentialCheck(
        row,
        { status: "INVALID", error: "AADSTS700016", mailboxes: [] },
        CHECKED_AT,
      );
      expect(invalid).toEqual({
        credentialStatus: "INVALID",
        credentialCheckedAt: CHECKED_AT,
        credentialError: "AADSTS700016",
        credentialMailboxes: [],
        enabled: false,
        disabledReason: "SYNC_ERROR",
        lastError: "AADSTS700016",
      });
      expect(row).toEqual(before);
    });
  });
});
