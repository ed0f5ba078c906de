/**
 * What a mailbox card says about a mailbox: its own switch (off), its integration's (paused: the
 * mailbox's switch stays on and it syncs again when the integration does, as after a used-up unit
 * budget), or its sync state. Badge, switch and footer are drawn from the same answer so they
 * never disagree. Free of imports, so test/client can check it under Node: the unions are the
 * schema's DisabledReason and SyncStatus.
 */
type DisabledReason = "QUOTA" | "SYNC_ERROR" | "USER";
type SyncStatus = "DISABLED" | "FAILED" | "IDLE" | "QUEUED" | "SYNCING" | "UP_TO_DATE";

export type Standing =
  | { kind: "off"; reason: DisabledReason | null }
  | { kind: "paused"; reason: DisabledReason | null }
  | { kind: "on" };

export function mailboxStanding(
  mailbox: { enabled: boolean; disabledReason: DisabledReason | null | undefined },
  integration: { enabled: boolean; disabledReason: DisabledReason | null | undefined },
  status: SyncStatus,
): Standing {
  if (!mailbox.enabled) return { kind: "off", reason: mailbox.disabledReason ?? null };
  if (!integration.enabled) return { kind: "paused", reason: integration.disabledReason ?? null };
  // The round stopped the integration (the budget ran out) and the page has not re-read it yet.
  if (status === "DISABLED") return { kind: "paused", reason: null };
  return { kind: "on" };
}

/** Which round the per-round counters (seen, stored, filtered out, attachments) count. */
export function roundScope(status: SyncStatus): "this round" | "last round" {
  return status === "SYNCING" || status === "QUEUED" ? "this round" : "last round";
}
