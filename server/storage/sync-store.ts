import type { DisabledState } from "../domain/integration-state.js";
import { type EntityManager, In } from "typeorm";
import {
  BucketRow,
  FolderCheckpointRow,
  IntegrationRow,
  MailboxRow,
  MailboxSyncRow,
  ProjectRow,
  SkippedMessageRow,
} from "./entities/index.js";

/** The sync engine's reads and writes of mailboxes, checkpoints and progress (SQL stays here). */

/** What a round needs to start: the mailbox, its integration, and the project its bucket bills. */
export async function loadRoundTarget(m: EntityManager, mailboxId: string) {
  const mailbox = await m.findOneBy(MailboxRow, { id: mailboxId });
  const integration = mailbox && (await m.findOneBy(IntegrationRow, { id: mailbox.integrationId }));
  // Messages belong to the bucket's project (a mailbox may fill a bucket of another project):
  // its sequence ids, its usage and its budget.
  const bucket = mailbox && (await m.findOneBy(BucketRow, { id: mailbox.bucketId }));
  const project = bucket && (await m.findOneBy(ProjectRow, { id: bucket.projectId }));
  const previous = await m.findOneBy(MailboxSyncRow, { mailboxId });
  return mailbox && integration && project ? { mailbox, integration, project, previous } : null;
}

/** The integration a mailbox belongs to, or null when either is gone. */
export async function integrationOfMailbox(
  m: EntityManager,
  mailboxId: string,
): Promise<IntegrationRow | null> {
  const mailbox = await m.findOneBy(MailboxRow, { id: mailboxId });
  return mailbox && m.findOneBy(IntegrationRow, { id: mailbox.integrationId });
}

/** Whether a round may still commit: the mailbox and its integration exist and are enabled. */
export async function roundState(
  m: EntityManager,
  mailboxId: string,
  integrationId: string,
): Promise<"enabled" | "disabled" | "deleted"> {
  const mailbox = await m.findOneBy(MailboxRow, { id: mailboxId });
  const integration = await m.findOneBy(IntegrationRow, { id: integrationId });
  if (!mailbox || !integration) return "deleted";
  return mailbox.enabled && integration.enabled ? "enabled" : "disabled";
}

export async function mailboxIdsOfIntegration(
  m: EntityManager,
  integrationId: string,
): Promise<string[]> {
  const rows = await m.find(MailboxRow, { where: { integrationId }, select: { id: true } });
  return rows.map((row) => row.id);
}

export async function writeSyncState(
  m: EntityManager,
  mailboxId: string,
  state: Partial<MailboxSyncRow>,
): Promise<void> {
  await m.update(MailboxSyncRow, { mailboxId }, state);
}

/**
 * Rule "a migration drops the old API's checkpoints" (DOMAIN.md, Migration from EWS to Graph):
 * every folder checkpoint (delta links or SyncStates, folder ids of the old API) and every skipped
 * message (item ids of the old API) of the integration's mailboxes; messages, buckets and usage stay.
 */
export async function forgetRemoteState(m: EntityManager, integrationId: string): Promise<void> {
  const mailboxIds = await mailboxIdsOfIntegration(m, integrationId);
  if (mailboxIds.length === 0) return;
  await m.delete(FolderCheckpointRow, { mailboxId: In(mailboxIds) });
  await m.delete(SkippedMessageRow, { mailboxId: In(mailboxIds) });
}

export async function deleteCheckpoints(m: EntityManager, mailboxId: string): Promise<void> {
  await m.delete(FolderCheckpointRow, { mailboxId });
}

/** The folders a mailbox has checkpoints of (id and stored path), for a notified round. */
export async function checkpointFolders(
  m: EntityManager,
  mailboxId: string,
): Promise<{ folderId: string; folderPath: string }[]> {
  return m.find(FolderCheckpointRow, {
    where: { mailboxId },
    select: { folderId: true, folderPath: true },
  });
}

export function findCheckpoint(
  m: EntityManager,
  mailboxId: string,
  folderId: string,
): Promise<FolderCheckpointRow | null> {
  return m.findOneBy(FolderCheckpointRow, { mailboxId, folderId });
}

export function insertCheckpoint(
  m: EntityManager,
  row: FolderCheckpointRow,
): Promise<FolderCheckpointRow> {
  return m.save(m.create(FolderCheckpointRow, row));
}

export function storeCheckpoint(
  m: EntityManager,
  row: FolderCheckpointRow,
): Promise<FolderCheckpointRow> {
  return m.save(row);
}

/**
 * Disables an integration (quota, rejected credentials): the state comes from a transition of
 * server/domain/integration-state.ts (disableForQuota, credentialsRefusedBySync).
 */
export async function disableIntegration(
  m: EntityManager,
  integrationId: string,
  change: Partial<IntegrationRow> & DisabledState & { updatedAt: Date },
): Promise<void> {
  await m.update(IntegrationRow, { id: integrationId }, change);
}

/** Disables one mailbox after a persistent error of its own (disableForMailboxError). */
export async function disableMailbox(
  m: EntityManager,
  mailboxId: string,
  state: DisabledState,
  updatedAt: Date,
): Promise<void> {
  await m.update(MailboxRow, { id: mailboxId }, { ...state, updatedAt });
}
