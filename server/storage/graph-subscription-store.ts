import { In, LessThanOrEqual, type EntityManager } from "typeorm";
import {
  GraphSubscriptionRow,
  IntegrationRow,
  MailboxRow,
  MailboxSyncRow,
} from "./entities/index.js";

/** Reads and writes of change-notification subscriptions (server/notifications). */

export function subscriptionOfMailbox(
  m: EntityManager,
  mailboxId: string,
): Promise<GraphSubscriptionRow | null> {
  return m.findOneBy(GraphSubscriptionRow, { mailboxId });
}

export function subscriptionById(
  m: EntityManager,
  subscriptionId: string,
): Promise<GraphSubscriptionRow | null> {
  return m.findOneBy(GraphSubscriptionRow, { subscriptionId });
}

export function allSubscriptions(m: EntityManager): Promise<GraphSubscriptionRow[]> {
  return m.find(GraphSubscriptionRow);
}

export function dueSubscriptions(m: EntityManager, now: Date): Promise<GraphSubscriptionRow[]> {
  return m.find(GraphSubscriptionRow, {
    where: { nextActionAt: LessThanOrEqual(now) },
    order: { nextActionAt: "ASC" },
  });
}

export function saveSubscription(
  m: EntityManager,
  row: GraphSubscriptionRow,
): Promise<GraphSubscriptionRow> {
  return m.save(m.create(GraphSubscriptionRow, row));
}

/**
 * Saves a subscription's state (a renewal's outcome) without its sealed clientState: a renewal
 * started before `npm run rotate-key` re-sealed it must not write the old envelope back.
 */
export async function saveSubscriptionState(
  m: EntityManager,
  row: GraphSubscriptionRow,
): Promise<void> {
  const { id, clientStateEnvelope: _sealed, ...state } = row;
  await m.update(GraphSubscriptionRow, { id }, state);
}

export async function deleteSubscriptionRow(m: EntityManager, id: string): Promise<void> {
  await m.delete(GraphSubscriptionRow, { id });
}

/**
 * Mailboxes that should have push: enabled, of an enabled Graph integration with valid
 * credentials, whose first round has completed (a last sync time exists).
 */
export async function pushCandidates(m: EntityManager): Promise<{ id: string; email: string }[]> {
  return m
    .createQueryBuilder(MailboxRow, "mb")
    .innerJoin(IntegrationRow, "i", "i.id = mb.integration_id")
    .innerJoin(MailboxSyncRow, "s", "s.mailbox_id = mb.id")
    .select(["mb.id AS id", "mb.email AS email"])
    .where(
      "mb.enabled = :yes AND i.enabled = :yes AND i.credential_status = 'VALID' AND i.api = 'GRAPH' AND s.last_synced_at IS NOT NULL",
      { yes: true },
    )
    .getRawMany<{ id: string; email: string }>();
}

/** The mailbox and its integration, for a subscription call. */
export async function mailboxWithIntegration(
  m: EntityManager,
  mailboxId: string,
): Promise<{ mailbox: MailboxRow; integration: IntegrationRow } | null> {
  const mailbox = await m.findOneBy(MailboxRow, { id: mailboxId });
  const integration = mailbox && (await m.findOneBy(IntegrationRow, { id: mailbox.integrationId }));
  return mailbox && integration ? { mailbox, integration } : null;
}

export function subscriptionsOfMailboxes(
  m: EntityManager,
  mailboxIds: string[],
): Promise<GraphSubscriptionRow[]> {
  return mailboxIds.length === 0
    ? Promise.resolve([])
    : m.findBy(GraphSubscriptionRow, { mailboxId: In(mailboxIds) });
}

/** Subscriptions whose clientState is sealed: for the start-up key check and key rotation. */
export async function sealedClientStates(
  m: EntityManager,
): Promise<{ id: string; clientStateEnvelope: string }[]> {
  const rows = await m.find(GraphSubscriptionRow, {
    select: { id: true, clientStateEnvelope: true },
    order: { id: "ASC" },
  });
  return rows.filter((r): r is GraphSubscriptionRow & { clientStateEnvelope: string } =>
    Boolean(r.clientStateEnvelope),
  );
}

export async function storeClientStateEnvelope(
  m: EntityManager,
  id: string,
  envelope: string,
): Promise<void> {
  await m.update(GraphSubscriptionRow, { id }, { clientStateEnvelope: envelope });
}
