/**
 * The integration and mailbox state machine (DOMAIN.md, Integrations and Sync): the values an
 * integration's connection and state columns take, shared by the entities, the GraphQL enums and
 * the services, and the pure transitions between states. Nothing else writes `enabled`,
 * `disabledReason` or `lastError`: the services and the sync engine apply these.
 */

import { type BudgetState, budgetUsedUp } from "./unit-budget.js";

/** A tuple's values as an enum-like object ({ GRAPH: "GRAPH", … }), for GraphQL to register. */
function enumOf<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { readonly [K in T[number]]: K };
}

export const EXCHANGE_APIS = ["GRAPH", "EWS"] as const;
export type ExchangeApi = (typeof EXCHANGE_APIS)[number];
export const ExchangeApi = enumOf(EXCHANGE_APIS);

export const AUTH_METHODS = ["CLIENT_SECRET", "CERTIFICATE", "NTLM"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export const AuthMethod = enumOf(AUTH_METHODS);

export const ACCESS_MODES = ["APPLICATION", "SERVICE_USER"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];
export const AccessMode = enumOf(ACCESS_MODES);

/** Why an integration or mailbox is off: switched off, budget used up, or refused by Microsoft. */
export const DISABLED_REASONS = ["USER", "QUOTA", "SYNC_ERROR"] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];
export const DisabledReason = enumOf(DISABLED_REASONS);

export const CREDENTIAL_STATUSES = ["UNVALIDATED", "VALID", "INVALID"] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];
export const CredentialStatus = enumOf(CREDENTIAL_STATUSES);

export const MAILBOX_ACCESSES = [
  "ACCESSIBLE",
  "NOT_FOUND",
  /** Unlicensed, inactive, soft-deleted or on-premises: Graph cannot read it (see the error). */
  "NOT_ENABLED_FOR_REST",
  "ACCESS_DENIED",
  "ERROR",
] as const;
export type MailboxAccess = (typeof MAILBOX_ACCESSES)[number];
export const MailboxAccess = enumOf(MAILBOX_ACCESSES);

/** The `kind` of an integrationEvents event. */
export const INTEGRATION_EVENT_KINDS = [
  "CREATED",
  "UPDATED",
  "CONNECTION_UPDATED",
  "CREDENTIALS_CHECKED",
  "ENABLED",
  "DISABLED",
  "DELETED",
  "MAILBOX_DISABLED",
] as const;
export type IntegrationEventKind = (typeof INTEGRATION_EVENT_KINDS)[number];

/** Whether an integration or a mailbox syncs, and if not, why. */
export interface EnabledState {
  enabled: boolean;
  disabledReason: DisabledReason | null;
  /** The error shown with a SYNC_ERROR or QUOTA state; cleared when it syncs again. */
  lastError: string | null;
}

/** A state that does not sync, with its reason. */
export interface DisabledState extends EnabledState {
  enabled: false;
  disabledReason: DisabledReason;
}

/** An integration's state: the toggle and what the last credential check found. */
export interface IntegrationState extends EnabledState {
  credentialStatus: CredentialStatus;
  credentialCheckedAt: Date | null;
  credentialError: string | null;
  credentialMailboxes: { email: string; access: MailboxAccess; error: string | null }[];
}

/** A new integration or mailbox: on, or off as the user asked. */
export function initialState(enabled: boolean): EnabledState {
  return enabled ? enableByUser() : { enabled: false, disabledReason: "USER", lastError: null };
}

/** The user switches it on: whatever stopped it is cleared. */
export function enableByUser(): EnabledState {
  return { enabled: true, disabledReason: null, lastError: null };
}

/** The user switches it off; the last error stays to read. */
export function disableByUser(state: EnabledState): DisabledState {
  return { enabled: false, disabledReason: "USER", lastError: state.lastError };
}

/** The user's toggle. */
export function setEnabledByUser(state: EnabledState, enabled: boolean): EnabledState {
  return enabled ? enableByUser() : disableByUser(state);
}

/** Microsoft refused the integration's credentials: off with SYNC_ERROR and the refusal. */
export function disableForCredentials(error: string | null): DisabledState {
  return { enabled: false, disabledReason: "SYNC_ERROR", lastError: error };
}

/** A mailbox Microsoft no longer lets us read (gone, access denied): off with SYNC_ERROR. */
export function disableForMailboxError(error: string): DisabledState {
  return { enabled: false, disabledReason: "SYNC_ERROR", lastError: error };
}

/** The project's unit budget ran out: off with QUOTA until it has room again. */
export function disableForQuota(message: string): DisabledState {
  return { enabled: false, disabledReason: "QUOTA", lastError: message };
}

/** A sync round found the credentials refused: off with SYNC_ERROR, and the check says INVALID. */
export function credentialsRefusedBySync(
  error: string,
): DisabledState & Pick<IntegrationState, "credentialStatus" | "credentialError"> {
  return { ...disableForCredentials(error), credentialStatus: "INVALID", credentialError: error };
}

/** The budget has room again: a QUOTA pause resumes; any other state stays as it is. */
export function resumeAfterQuota(state: EnabledState): EnabledState {
  return state.disabledReason === "QUOTA" ? enableByUser() : { ...state };
}

/**
 * A credential check's outcome: credentials that get no token disable the integration
 * (SYNC_ERROR, the check's error); a working check resumes one that SYNC_ERROR had stopped, and
 * leaves a USER or QUOTA pause alone.
 */
export function applyCredentialCheck(
  state: IntegrationState,
  check: {
    status: "VALID" | "INVALID";
    error: string | null;
    mailboxes: IntegrationState["credentialMailboxes"];
  },
  now: Date,
): IntegrationState {
  const checked = {
    credentialStatus: check.status,
    credentialCheckedAt: now,
    credentialError: check.error,
    credentialMailboxes: check.mailboxes,
  };
  if (check.status === "INVALID") return { ...checked, ...disableForCredentials(check.error) };
  if (state.disabledReason === "SYNC_ERROR") return { ...checked, ...enableByUser() };
  return {
    ...checked,
    enabled: state.enabled,
    disabledReason: state.disabledReason,
    lastError: state.lastError,
  };
}

/** Only integrations whose credentials are not refused may be switched on. */
export function canEnable(state: Pick<IntegrationState, "credentialStatus">): boolean {
  return state.credentialStatus !== "INVALID";
}

/**
 * Why the user may not switch an integration on now, or null: credentials Microsoft refuses would
 * never sync (checked first), and a project whose unit budget is used up would pause it again at
 * once (QUOTA). Switching off is always allowed.
 */
export function enableRefusal(
  state: Pick<IntegrationState, "credentialStatus">,
  budget: BudgetState,
): "CREDENTIALS" | "QUOTA" | null {
  if (!canEnable(state)) return "CREDENTIALS";
  if (budgetUsedUp(budget)) return "QUOTA";
  return null;
}
