import type { EntityManager } from "typeorm";
import { type Viewer, found, visible } from "../auth/viewer.js";
import {
  FolderCheckpointRow,
  IntegrationRow,
  MailboxRow,
  MailboxSyncRow,
} from "./entities/index.js";

export interface MailboxWithIntegration {
  mailbox: MailboxRow;
  integration: IntegrationRow;
}

/** A mailbox and its integration under the access rule (see `visible`); null when not visible. */
export async function visibleMailbox(
  m: EntityManager,
  viewer: Viewer,
  id: string,
  permission: "integrations-read" | "integrations-write",
): Promise<MailboxWithIntegration | null> {
  const mailbox = await m.findOneBy(MailboxRow, { id });
  const integration = mailbox && (await m.findOneBy(IntegrationRow, { id: mailbox.integrationId }));
  const pair = mailbox && integration ? { mailbox, integration } : null;
  return visible(viewer, pair, integration?.projectId, permission, `Mailbox '${id}'`);
}

/**
 * Guarded lookup: the mailbox and its integration, if the viewer holds `permission` on the
 * integration's project; NOT_FOUND when absent or not readable, FORBIDDEN otherwise.
 */
export async function requireMailbox(
  m: EntityManager,
  viewer: Viewer,
  id: string,
  permission: "integrations-read" | "integrations-write",
): Promise<MailboxWithIntegration> {
  return found(await visibleMailbox(m, viewer, id, permission), `Mailbox '${id}'`);
}

/** An integration's mailboxes by address. */
export const integrationMailboxes = (
  m: EntityManager,
  integrationId: string,
): Promise<MailboxRow[]> =>
  m.find(MailboxRow, { where: { integrationId }, order: { email: "ASC" } });

export const mailboxCheckpoints = (
  m: EntityManager,
  mailboxId: string,
): Promise<FolderCheckpointRow[]> =>
  m.find(FolderCheckpointRow, { where: { mailboxId }, order: { folderPath: "ASC" } });

export const mailboxSyncState = (
  m: EntityManager,
  mailboxId: string,
): Promise<MailboxSyncRow | null> => m.findOneBy(MailboxSyncRow, { mailboxId });

export const mailboxEmailTaken = (
  m: EntityManager,
  integrationId: string,
  email: string,
): Promise<boolean> => m.existsBy(MailboxRow, { integrationId, email });

/** Inserts the mailbox with its sync-state row (IDLE). */
export async function insertMailbox(m: EntityManager, row: MailboxRow): Promise<MailboxRow> {
  const mailbox = await m.save(m.create(MailboxRow, row));
  await m.save(m.create(MailboxSyncRow, { mailboxId: mailbox.id, status: "IDLE" }));
  return mailbox;
}

export const saveMailbox = (m: EntityManager, row: MailboxRow): Promise<MailboxRow> => m.save(row);

/** Deletes the mailbox; its checkpoints and sync state go with it (foreign keys cascade). */
export async function deleteMailboxRow(m: EntityManager, id: string): Promise<void> {
  await m.delete(MailboxRow, { id });
}
