import type { Folder, Mailbox } from "./mailbox.js";
import { graphDateTime, type TruthFolder, type TruthMessage } from "./mail-types.js";

/**
 * The ground truth tests compare a sync against: every message as the mailbox holds it now, with
 * its folder path from the root. Computed from the same state Graph serves, never from Graph's
 * answers, so an expected set can be built independently of the product's code.
 */
export function* truthMessages(mailbox: Mailbox): Generator<TruthMessage> {
  for (const folder of mailbox.folders) {
    if (folder.isSearchFolder) continue;
    for (const key of folder.keys) yield truthMessage(mailbox, key);
  }
}

export function truthMessage(mailbox: Mailbox, key: number): TruthMessage {
  const folder = mailbox.folderOfKey(key);
  if (!folder) throw new Error(`message ${key} is not in ${mailbox.email}`);
  const c = mailbox.content(key);
  const received = mailbox.receivedAt(key);
  return {
    id: mailbox.messageId(key, true),
    restId: mailbox.messageId(key, false),
    mailbox: mailbox.email,
    folderId: folder.id,
    folderPath: folder.path,
    folderIsHidden: isHiddenPath(folder),
    internetMessageId: c.internetMessageId,
    conversationId: c.conversationId,
    subject: c.subject,
    receivedDateTime: graphDateTime(received),
    sentDateTime: graphDateTime(received - c.sentBeforeReceivedMs),
    from: c.from,
    sender: c.sender,
    toRecipients: c.toRecipients,
    ccRecipients: c.ccRecipients,
    bccRecipients: c.bccRecipients,
    // Graph's rule: inline attachments alone do not make hasAttachments true.
    hasAttachments: c.attachments.some((a) => !a.isInline),
    attachments: c.attachments.map((a, i) => ({
      id: mailbox.attachmentId(key, i),
      kind: a.kind,
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      isInline: a.isInline,
    })),
    body: c.body,
    isRead: mailbox.isRead(key),
  };
}

export function truthFolders(mailbox: Mailbox): TruthFolder[] {
  return mailbox.folders.map((f) => ({
    id: f.id,
    displayName: f.displayName,
    path: f.path,
    parentId: f.parent?.id ?? null,
    isHidden: f.isHidden,
    isSearchFolder: f.isSearchFolder,
    wellKnownName: f.wellKnownName,
    totalItemCount: mailbox.totalItemCount(f),
  }));
}

function isHiddenPath(folder: Folder): boolean {
  for (let f: Folder | null = folder; f; f = f.parent) if (f.isHidden) return true;
  return false;
}
