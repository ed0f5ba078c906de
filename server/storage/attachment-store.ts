import { randomBytes } from "node:crypto";
import { In, type EntityManager } from "typeorm";
import { AttachmentBlobRow, AttachmentRow, MessageRow } from "./entities/index.js";

/** An attachment reference: 32 random bytes, base64url (43 characters, 256 bits: unguessable). */
export const ATTACHMENT_REFERENCE = /^[A-Za-z0-9_-]{43}$/;

export const newReference = (): string => randomBytes(32).toString("base64url");

/**
 * Records that an attachment's contents are stored (content-addressed in the blob store, each
 * content once): sets its sha256 and gives it an unguessable download reference (an attachment
 * that already has one keeps it, so links handed out stay valid), and adds the attachment_blob row
 * if this content is new. Runs in the caller's transaction; returns the reference.
 */
export async function attachContent(
  m: EntityManager,
  attachmentId: string,
  blob: { sha256: string; size: number },
  now: Date = new Date(),
): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(blob.sha256)) {
    throw new Error("attachContent: not a sha256 hex digest");
  }
  const row = await m.findOneByOrFail(AttachmentRow, { id: attachmentId });
  const reference = row.reference ?? newReference();
  await m.update(AttachmentRow, { id: attachmentId }, { contentSha256: blob.sha256, reference });
  await m
    .createQueryBuilder()
    .insert()
    .into(AttachmentBlobRow)
    .values({ sha256: blob.sha256, size: String(blob.size), createdAt: now })
    .orIgnore()
    .execute();
  return reference;
}

export interface AttachmentDownload {
  projectId: string;
  name: string;
  contentType: string;
  sha256: string;
}

/** The attachment a download reference names, with its project (null when none, or no contents). */
export async function findAttachmentByReference(
  m: EntityManager,
  reference: string,
): Promise<AttachmentDownload | null> {
  if (!ATTACHMENT_REFERENCE.test(reference)) return null;
  const row = await m
    .createQueryBuilder(AttachmentRow, "a")
    .innerJoin(MessageRow, "m", "m.id = a.message_id")
    .select([
      "a.name AS name",
      "a.content_type AS content_type",
      "a.content_sha256 AS sha256",
      "m.project_id AS project_id",
    ])
    .where("a.reference = :reference", { reference })
    .getRawOne<{ name: string; content_type: string; sha256: string | null; project_id: string }>();
  if (!row?.sha256) return null;
  return {
    projectId: row.project_id,
    name: row.name,
    contentType: row.content_type,
    sha256: row.sha256,
  };
}

/** The attachment rows of these messages, by name. */
export const attachmentsOfMessages = (
  m: EntityManager,
  messageIds: readonly string[],
): Promise<AttachmentRow[]> =>
  m.find(AttachmentRow, { where: { messageId: In([...messageIds]) }, order: { name: "ASC" } });
