import { In, type EntityManager } from "typeorm";
import { SkippedMessageRow } from "./entities/index.js";
import { newId } from "./ids.js";

export interface SkippedItem {
  remoteId: string;
  folderPath: string;
  reason: string;
}

/** Longest wait between two tries of a skipped message. */
const MAX_RETRY_DELAY_MS = 6 * 3600 * 1000;

/**
 * When a skipped message is tried again: at the end of the round that skipped it, then after
 * 1, 2, 4, … minutes (at most 6 hours) — a poison message costs a request now and then, not a
 * round each time.
 */
export function retryDueAt(row: Pick<SkippedMessageRow, "attempts" | "lastAttemptAt">): Date {
  const delay =
    row.attempts <= 1 ? 0 : Math.min(60_000 * 2 ** (row.attempts - 2), MAX_RETRY_DELAY_MS);
  return new Date(row.lastAttemptAt.getTime() + delay);
}

/** Records skipped messages (a second skip of one counts as another attempt), in `m`'s transaction. */
export async function recordSkipped(
  m: EntityManager,
  mailboxId: string,
  items: readonly SkippedItem[],
  now: Date,
): Promise<void> {
  if (items.length === 0) return;
  const latest = new Map(items.map((item) => [item.remoteId, item]));
  const known = new Map(
    (
      await m.find(SkippedMessageRow, { where: { mailboxId, remoteId: In([...latest.keys()]) } })
    ).map((row) => [row.remoteId, row]),
  );
  for (const item of latest.values()) {
    const row = known.get(item.remoteId);
    if (row) {
      await m.update(
        SkippedMessageRow,
        { id: row.id },
        {
          reason: item.reason,
          folderPath: item.folderPath,
          attempts: row.attempts + 1,
          lastAttemptAt: now,
        },
      );
    } else {
      await m.insert(SkippedMessageRow, {
        id: newId(),
        mailboxId,
        remoteId: item.remoteId,
        folderPath: item.folderPath,
        reason: item.reason,
        attempts: 1,
        firstSkippedAt: now,
        lastAttemptAt: now,
      });
    }
  }
}

/** Forgets skipped messages that are now stored (or gone from the mailbox). */
export async function clearSkipped(
  m: EntityManager,
  mailboxId: string,
  remoteIds: readonly string[],
): Promise<void> {
  if (remoteIds.length === 0) return;
  await m.delete(SkippedMessageRow, { mailboxId, remoteId: In([...remoteIds]) });
}

/** A mailbox's skipped messages, most recently tried first. */
export function listSkipped(
  m: EntityManager,
  mailboxId: string,
  limit: number,
): Promise<SkippedMessageRow[]> {
  return m.find(SkippedMessageRow, {
    where: { mailboxId },
    order: { lastAttemptAt: "DESC", remoteId: "ASC" },
    take: limit,
  });
}

export function countSkipped(m: EntityManager, mailboxId: string): Promise<number> {
  return m.count(SkippedMessageRow, { where: { mailboxId } });
}

/** Skipped messages whose next try is due. */
export async function dueSkipped(
  m: EntityManager,
  mailboxId: string,
  now: Date,
): Promise<SkippedMessageRow[]> {
  const rows = await m.find(SkippedMessageRow, {
    where: { mailboxId },
    order: { firstSkippedAt: "ASC" },
  });
  return rows.filter((row) => retryDueAt(row) <= now);
}

/** A resync tries every skipped message again at its end. */
export async function makeSkippedDue(m: EntityManager, mailboxId: string): Promise<void> {
  await m.update(SkippedMessageRow, { mailboxId }, { attempts: 1 });
}
