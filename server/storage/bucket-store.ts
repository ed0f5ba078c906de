import { In, type EntityManager } from "typeorm";
import type { PermissionName } from "../auth/permissions.js";
import { type Viewer, found, visible } from "../auth/viewer.js";
import { BucketRow, MailboxRow, MessageRow, StreamBucketRow } from "./entities/index.js";

/**
 * Guarded lookup: the bucket, if the viewer holds `permission` on its project; NOT_FOUND when it
 * does not exist or lives in a project the viewer cannot read, FORBIDDEN otherwise.
 */
export async function requireBucket(
  m: EntityManager,
  viewer: Viewer,
  id: string,
  permission: PermissionName,
): Promise<BucketRow> {
  const row = await m.findOneBy(BucketRow, { id });
  const what = `Bucket '${id}'`;
  return found(visible(viewer, row, row?.projectId, permission, what), what);
}

export const bucketById = (m: EntityManager, id: string): Promise<BucketRow | null> =>
  m.findOneBy(BucketRow, { id });

export const bucketByName = (
  m: EntityManager,
  projectId: string,
  name: string,
): Promise<BucketRow | null> => m.findOneBy(BucketRow, { projectId, name });

/** A project's buckets by name. */
export const projectBuckets = (m: EntityManager, projectId: string): Promise<BucketRow[]> =>
  m.find(BucketRow, { where: { projectId }, order: { name: "ASC" } });

export const bucketMessageCount = (m: EntityManager, bucketId: string): Promise<number> =>
  m.countBy(MessageRow, { bucketId });

export const bucketNameTaken = (
  m: EntityManager,
  projectId: string,
  name: string,
): Promise<boolean> => m.existsBy(BucketRow, { projectId, name });

export const insertBucket = (m: EntityManager, row: BucketRow): Promise<BucketRow> =>
  m.save(m.create(BucketRow, row));

/** What holds a bucket against deletion: mailboxes syncing into it, streams reading it. */
export async function bucketUsers(
  m: EntityManager,
  bucketId: string,
): Promise<{ mailboxes: number; streams: number }> {
  return {
    mailboxes: await m.countBy(MailboxRow, { bucketId }),
    streams: await m.countBy(StreamBucketRow, { bucketId }),
  };
}

/** Deletes the bucket; its messages and attachments go with it (foreign keys cascade). */
export async function deleteBucketRow(m: EntityManager, id: string): Promise<void> {
  await m.delete(BucketRow, { id });
}

/** The names of a project's buckets. */
export async function bucketNamesOf(m: EntityManager, projectId: string): Promise<Set<string>> {
  const rows = await m.find(BucketRow, { where: { projectId }, select: { name: true } });
  return new Set(rows.map((b) => b.name));
}

/** Those of `ids` that are buckets of the project. */
export const projectBucketsByIds = (
  m: EntityManager,
  projectId: string,
  ids: readonly string[],
): Promise<BucketRow[]> => m.findBy(BucketRow, { id: In([...ids]), projectId });
