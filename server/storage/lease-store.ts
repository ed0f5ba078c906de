import { type EntityManager, In } from "typeorm";
import {
  mergeScope,
  type NotifiedScope,
  scopeOfStartingRound,
  scopeToColumn,
} from "../domain/notified-round.js";
import {
  IntegrationRow,
  MailboxLeaseRow,
  MailboxRow,
  MailboxSyncRow,
  SyncProcessRow,
} from "./entities/index.js";

/**
 * The scheduler's state and the mailbox leases (mailbox_lease, sync_process). The scheduling part
 * (due time, requested, failures) is portable; the lease part (claim, renew, fence, release) is
 * PostgreSQL's, where several processes share the database and `now()` is the one clock they all
 * agree on. SQLite runs one process and uses the scheduling part only.
 */

/** Enabled mailbox of an enabled integration (Graph or EWS) with valid credentials. */
const SYNCABLE = "mb.enabled = :yes AND i.enabled = :yes AND i.credential_status = 'VALID'";
const SYNCABLE_SQL = "mb.enabled AND i.enabled AND i.credential_status = 'VALID'";

/** Gives every mailbox that has none its scheduling row, due when its last round says so. */
export async function ensureLeaseRows(
  m: EntityManager,
  now: Date,
  intervalMs: number,
): Promise<void> {
  const missing = await m
    .createQueryBuilder(MailboxRow, "mb")
    .leftJoin(MailboxLeaseRow, "l", "l.mailbox_id = mb.id")
    .leftJoin(MailboxSyncRow, "s", "s.mailbox_id = mb.id")
    .select(["mb.id AS id", "s.last_synced_at AS last", "s.status AS status"])
    .where("l.mailbox_id IS NULL")
    .getRawMany<{ id: string; last: string | Date | null; status: string | null }>();
  if (missing.length === 0) return;
  const rows = missing.map((row) => ({
    mailboxId: row.id,
    owner: null,
    epoch: 0,
    expiresAt: null,
    // An up-to-date mailbox (from before this table existed) keeps its interval.
    dueAt:
      row.last && row.status === "UP_TO_DATE"
        ? new Date(toDate(row.last).getTime() + intervalMs)
        : now,
    requested: false,
    failures: 0,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await m
      .createQueryBuilder()
      .insert()
      .into(MailboxLeaseRow)
      .values(rows.slice(i, i + 500))
      .orIgnore()
      .execute();
  }
}

/** Syncable mailboxes whose round is due (requested first, then the longest waiting). */
export async function dueMailboxes(
  m: EntityManager,
  now: Date,
  limit: number,
  owner: string | null,
): Promise<string[]> {
  const query = m
    .createQueryBuilder(MailboxLeaseRow, "l")
    .innerJoin(MailboxRow, "mb", "mb.id = l.mailbox_id")
    .innerJoin(IntegrationRow, "i", "i.id = mb.integration_id")
    .select("l.mailbox_id", "id")
    .where(SYNCABLE, { yes: true })
    .andWhere("(l.requested = :yes OR l.due_at <= :now)", { yes: true, now });
  if (owner) query.andWhere("l.owner = :owner", { owner });
  const rows = await query
    .orderBy("l.requested", "DESC")
    .addOrderBy("l.due_at", "ASC")
    .limit(limit)
    .getRawMany<{ id: string }>();
  return rows.map((row) => row.id);
}

/** Mailboxes that may sync (enabled, valid credentials, Graph or EWS). */
export async function syncableMailboxIds(m: EntityManager): Promise<string[]> {
  const rows = await m
    .createQueryBuilder(MailboxRow, "mb")
    .innerJoin(IntegrationRow, "i", "i.id = mb.integration_id")
    .select("mb.id", "id")
    .where(SYNCABLE, { yes: true })
    .getRawMany<{ id: string }>();
  return rows.map((row) => row.id);
}

/** syncMailbox, enable, resync: a round as soon as possible (and QUEUED unless one runs). */
export async function requestRound(m: EntityManager, mailboxId: string, now: Date): Promise<void> {
  await m
    .createQueryBuilder()
    .insert()
    .into(MailboxLeaseRow)
    .values({
      mailboxId,
      epoch: 0,
      dueAt: now,
      requested: true,
      notifiedMessages: null,
      failures: 0,
    })
    .orUpdate(["requested", "due_at", "failures", "notified_messages"], ["mailbox_id"])
    .execute();
  await m
    .createQueryBuilder()
    .update(MailboxSyncRow)
    .set({ status: "QUEUED" })
    .where("mailbox_id = :mailboxId AND status <> 'SYNCING'", { mailboxId })
    .execute();
}

/**
 * The mailbox's scheduling row, locked on PostgreSQL for the rest of the transaction (a nudge and a
 * round taking the request must not interleave). FOR NO KEY UPDATE, like a plain UPDATE: it does
 * not wait for pages committing under the lease (fenceHolds' KEY SHARE), unlike takeovers.
 */
function lockedLeaseRow(m: EntityManager, mailboxId: string): Promise<MailboxLeaseRow | null> {
  const lock = m.connection.options.type === "postgres";
  return m.findOne(MailboxLeaseRow, {
    where: { mailboxId },
    ...(lock ? { lock: { mode: "for_no_key_update" as const } } : {}),
  });
}

/**
 * A change notification's round: requested unless the mailbox is failing (its back-off stands),
 * with the notified messages merged into the scope already pending (domain/notified-round.ts).
 * True when the request was recorded (the holder is then woken).
 */
export async function nudgeRound(
  m: EntityManager,
  mailboxId: string,
  scope: NotifiedScope,
): Promise<boolean> {
  const row = await lockedLeaseRow(m, mailboxId);
  if (!row || row.failures > 0) return false;
  const pending = row.requested
    ? scopeOfStartingRound({ requested: true, dueNow: false, notified: row.notifiedMessages })
    : null;
  await m.update(
    MailboxLeaseRow,
    { mailboxId },
    { requested: true, notifiedMessages: scopeToColumn(mergeScope(pending, scope)) },
  );
  return true;
}

/**
 * Only the lease holder's view counts: `fence` set (PostgreSQL) means the write happens only while
 * `owner` still holds the lease at `epoch`.
 */
export interface FenceToken {
  owner: string;
  epoch: number;
}

/**
 * A round started: its request is taken, and with it the scope it covers — the notified messages'
 * folders when only change notifications asked for it, else everything.
 */
export async function roundStarted(
  m: EntityManager,
  mailboxId: string,
  fence: FenceToken | null,
  now: Date,
): Promise<NotifiedScope> {
  const row = await lockedLeaseRow(m, mailboxId);
  const result = await m.update(
    MailboxLeaseRow,
    { mailboxId, ...fence },
    { requested: false, notifiedMessages: null },
  );
  if (!row || (result.affected ?? 0) === 0) return "full";
  return scopeOfStartingRound({
    requested: row.requested,
    dueNow: row.dueAt.getTime() <= now.getTime(),
    notified: row.notifiedMessages,
  });
}

/** A round ended: when the next is due, and how many failed in a row. */
/**
 * A round that stopped before it finished asks for its round again (a full one), if `fence` still
 * holds the lease: the request it was answering was cleared when it started. A process that lost
 * the lease writes nothing.
 */
export async function roundStopped(
  m: EntityManager,
  mailboxId: string,
  fence: FenceToken | null,
): Promise<boolean> {
  const result = await m.update(
    MailboxLeaseRow,
    { mailboxId, ...fence },
    { requested: true, notifiedMessages: null },
  );
  return (result.affected ?? 0) > 0;
}

export async function roundFinished(
  m: EntityManager,
  mailboxId: string,
  fence: FenceToken | null,
  change: { dueAt: Date; failures: number },
): Promise<void> {
  await m.update(MailboxLeaseRow, { mailboxId, ...fence }, change);
}

export async function failuresOf(m: EntityManager, mailboxId: string): Promise<number> {
  const row = await m.findOne(MailboxLeaseRow, {
    where: { mailboxId },
    select: { mailboxId: true, failures: true },
  });
  return row?.failures ?? 0;
}

// ---- PostgreSQL leases ------------------------------------------------------------------------

/** Registers a process, or keeps it alive (`heartbeat_at`). */
export async function heartbeat(
  m: EntityManager,
  process: Omit<SyncProcessRow, "startedAt" | "heartbeatAt">,
  ttlSeconds: number,
): Promise<void> {
  await m.query(
    `INSERT INTO sync_process (id, name, host, pid, started_at, heartbeat_at)
     VALUES ($1, $2, $3, $4, now(), now())
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
    [process.id, process.name, process.host, process.pid],
  );
  // Processes silent for ten TTLs are gone for good (their leases expired long ago).
  await m.query(`DELETE FROM sync_process WHERE heartbeat_at < now() - make_interval(secs => $1)`, [
    ttlSeconds * 10,
  ]);
}

export async function removeProcess(m: EntityManager, id: string): Promise<void> {
  await m.query(`DELETE FROM sync_process WHERE id = $1`, [id]);
}

/**
 * Extends every lease `owner` still holds (expired or not, as long as nobody took it over) and
 * answers them with their epochs; a lease missing from the answer was lost. Leases of mailboxes
 * that may no longer sync are let go in the same statement.
 */
export async function renewLeases(
  m: EntityManager,
  owner: string,
  ttlSeconds: number,
): Promise<Map<string, number>> {
  const result = (await m.query(
    `UPDATE mailbox_lease l
        SET owner = CASE WHEN s.syncable THEN l.owner END,
            expires_at = CASE WHEN s.syncable THEN now() + make_interval(secs => $2) END
       FROM (SELECT l2.mailbox_id, (${SYNCABLE_SQL}) AS syncable
               FROM mailbox_lease l2
               JOIN mailbox mb ON mb.id = l2.mailbox_id
               JOIN integration i ON i.id = mb.integration_id
              WHERE l2.owner = $1) s
      WHERE l.mailbox_id = s.mailbox_id AND l.owner = $1
      RETURNING l.mailbox_id AS id, l.epoch AS epoch, s.syncable AS syncable`,
    [owner, ttlSeconds],
  )) as unknown[];
  const list = rowsOf<{ id: string; epoch: number; syncable: boolean }>(result);
  return new Map(list.filter((r) => r.syncable).map((r) => [r.id, Number(r.epoch)]));
}

export interface LeaseCounts {
  /** Live processes (heartbeat within a TTL), this one included. */
  processes: number;
  syncable: number;
  /** Syncable mailboxes nobody holds (free, or expired). */
  free: number;
}

export async function leaseCounts(m: EntityManager, ttlSeconds: number): Promise<LeaseCounts> {
  const [row] = (await m.query(
    `SELECT (SELECT count(*) FROM sync_process
              WHERE heartbeat_at > now() - make_interval(secs => $1))::int AS processes,
            count(*)::int AS syncable,
            (count(*) FILTER (WHERE l.owner IS NULL OR l.expires_at < now()))::int AS free
       FROM mailbox mb
       JOIN integration i ON i.id = mb.integration_id
       JOIN mailbox_lease l ON l.mailbox_id = mb.id
      WHERE ${SYNCABLE_SQL}`,
    [ttlSeconds],
  )) as LeaseCounts[];
  return row ?? { processes: 1, syncable: 0, free: 0 };
}

/**
 * Claims up to `limit` free or expired leases of syncable mailboxes (most overdue first) in one
 * statement: rows another transaction holds locked — a claim in progress, or a page being
 * committed under the lease (fenceHolds takes KEY SHARE) — are skipped, not waited for. Each
 * claim bumps the epoch, which fences off whatever the previous holder still has in flight.
 */
export async function claimLeases(
  m: EntityManager,
  owner: string,
  ttlSeconds: number,
  limit: number,
): Promise<Map<string, number>> {
  const result = (await m.query(
    `UPDATE mailbox_lease l
        SET owner = $1, epoch = l.epoch + 1, expires_at = now() + make_interval(secs => $2)
       FROM (SELECT l2.mailbox_id
               FROM mailbox_lease l2
               JOIN mailbox mb ON mb.id = l2.mailbox_id
               JOIN integration i ON i.id = mb.integration_id
              WHERE (l2.owner IS NULL OR l2.expires_at < now()) AND ${SYNCABLE_SQL}
              ORDER BY l2.requested DESC, l2.due_at ASC
              LIMIT $3
                FOR UPDATE OF l2 SKIP LOCKED) c
      WHERE l.mailbox_id = c.mailbox_id
      RETURNING l.mailbox_id AS id, l.epoch AS epoch`,
    [owner, ttlSeconds, limit],
  )) as unknown[];
  return new Map(rowsOf<{ id: string; epoch: number }>(result).map((r) => [r.id, Number(r.epoch)]));
}

/** Lets leases go (shutdown, or more than the fair share): free for anyone at once. */
export async function releaseLeases(
  m: EntityManager,
  owner: string,
  mailboxIds: string[] | "all",
): Promise<void> {
  if (mailboxIds === "all") {
    await m.query(`UPDATE mailbox_lease SET owner = NULL, expires_at = NULL WHERE owner = $1`, [
      owner,
    ]);
    return;
  }
  if (mailboxIds.length === 0) return;
  await m.query(
    `UPDATE mailbox_lease SET owner = NULL, expires_at = NULL
      WHERE owner = $1 AND mailbox_id = ANY($2)`,
    [owner, mailboxIds],
  );
}

/**
 * Whether `owner` still holds the mailbox's lease at `epoch`, checked inside the caller's
 * transaction. The row stays KEY SHARE locked until that transaction ends, which conflicts with
 * the FOR UPDATE of a takeover or revocation: either this transaction commits first, or it sees
 * the new owner/epoch and must roll back. Plain renewals (no key change) do not wait for it.
 */
export async function fenceHolds(
  m: EntityManager,
  mailboxId: string,
  fence: FenceToken,
): Promise<boolean> {
  const rows = (await m.query(
    `SELECT 1 FROM mailbox_lease WHERE mailbox_id = $1 AND owner = $2 AND epoch = $3 FOR KEY SHARE`,
    [mailboxId, fence.owner, fence.epoch],
  )) as unknown[];
  return rows.length > 0;
}

/**
 * Revokes work in flight on these mailboxes (disable, delete, resync): the epoch moves on, so no
 * page started under the old one commits. The holder keeps the lease and starts over at the new
 * epoch. Locks FOR UPDATE first, so it waits for pages being committed under the old epoch.
 */
export async function bumpEpochs(m: EntityManager, mailboxIds: string[]): Promise<void> {
  if (mailboxIds.length === 0) return;
  await m.query(
    `UPDATE mailbox_lease SET epoch = epoch + 1
      WHERE mailbox_id IN (SELECT mailbox_id FROM mailbox_lease
                            WHERE mailbox_id = ANY($1) FOR UPDATE)`,
    [mailboxIds],
  );
}

/** Wakes every process's scheduler (LISTEN mailstream_sync) when this transaction commits. */
export async function notifySchedulers(m: EntityManager, payload: string): Promise<void> {
  await m.query(`SELECT pg_notify('${SCHEDULER_CHANNEL}', $1)`, [payload]);
}

export const SCHEDULER_CHANNEL = "mailstream_sync";

/** Who holds each of these mailboxes now (live leases only). */
export async function leaseHolders(
  m: EntityManager,
  mailboxIds: string[],
): Promise<Map<string, { name: string; host: string; pid: number; expiresAt: Date }>> {
  if (mailboxIds.length === 0) return new Map();
  const rows = await m
    .createQueryBuilder(MailboxLeaseRow, "l")
    .innerJoin(SyncProcessRow, "p", "p.id = l.owner")
    .select([
      "l.mailbox_id AS id",
      "p.name AS name",
      "p.host AS host",
      "p.pid AS pid",
      "l.expires_at AS expires",
    ])
    .where({ mailboxId: In(mailboxIds) })
    // PostgreSQL's clock, the one every lease was written with (leases exist only there).
    .andWhere("l.expires_at > now()")
    .getRawMany<{ id: string; name: string; host: string; pid: number; expires: string | Date }>();
  return new Map(
    rows.map((r) => [
      r.id,
      { name: r.name, host: r.host, pid: Number(r.pid), expiresAt: toDate(r.expires) },
    ]),
  );
}

function rowsOf<T>(result: unknown[]): T[] {
  // pg answers an UPDATE … RETURNING as [rows, count] through TypeORM.
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}

function toDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  // SQLite's datetime text is UTC without a zone.
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(" ", "T")}Z`);
}
