import DataLoader from "dataloader";
import type { Deps } from "../app/deps.js";
import { leaseHolders } from "../storage/lease-store.js";

export interface LeaseHolder {
  name: string;
  host: string;
  pid: number;
  expiresAt: Date;
}

/**
 * Which server process holds each mailbox's lease (`Mailbox.sync.heldBy`). Lookups made in the
 * same tick (a page of mailbox cards) share one query; nothing is cached. Without leases (SQLite,
 * one process) nobody is answered.
 */
export class LeaseHolders {
  private readonly loader: DataLoader<string, LeaseHolder | null>;

  constructor(
    deps: Deps,
    private readonly leased: boolean,
  ) {
    this.loader = new DataLoader(
      async (ids) => {
        const found = await deps.db.read((m) => leaseHolders(m, [...ids]));
        return ids.map((id) => found.get(id) ?? null);
      },
      { cache: false, maxBatchSize: 500 },
    );
  }

  holderOf(mailboxId: string): Promise<LeaseHolder | null> {
    return this.leased ? this.loader.load(mailboxId) : Promise.resolve(null);
  }
}
