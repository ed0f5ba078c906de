/** What services may ask of the sync scheduler (kept narrow so services never run syncs). */
export interface SyncControl {
  request(mailboxId: string): Promise<void>;
  resync(mailboxId: string): Promise<void>;
  abortIntegration(integrationId: string): Promise<void>;
  /** Stops a mailbox's round in flight (at its next page boundary). */
  abort(mailboxId: string): Promise<void>;
}
