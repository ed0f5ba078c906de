import type { EntityManager } from "typeorm";
import { IntegrationRow, MailboxRow, MailboxSyncRow } from "./entities/index.js";

/**
 * Seconds since each enabled mailbox (of an enabled integration) last completed a round, or since
 * it was added when none has: the `mailstream_sync_lag_seconds` gauge, read at scrape time.
 */
export async function mailboxSyncLag(
  m: EntityManager,
  now: Date,
): Promise<{ mailboxId: string; lagSeconds: number }[]> {
  const rows = await m
    .createQueryBuilder(MailboxRow, "mb")
    .innerJoin(IntegrationRow, "i", "i.id = mb.integration_id")
    .leftJoin(MailboxSyncRow, "s", "s.mailbox_id = mb.id")
    .select(["mb.id AS id", "mb.created_at AS created", "s.last_synced_at AS last"])
    .where("mb.enabled = :yes AND i.enabled = :yes", { yes: true })
    .getRawMany<{ id: string; created: string | Date; last: string | Date | null }>();
  return rows.map((row) => ({
    mailboxId: row.id,
    lagSeconds: Math.max(0, (now.getTime() - asDate(row.last ?? row.created).getTime()) / 1000),
  }));
}

/** Raw SQLite datetimes are UTC text without a zone (`2026-03-01 10:00:05.000`). */
function asDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(" ", "T")}Z`);
}
