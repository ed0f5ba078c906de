/** The shapes of mail the simulator stores, generates and exposes as ground truth. */

export interface EmailAddress {
  name: string;
  address: string;
}

export type AttachmentKind = "file" | "item" | "reference";

export interface AttachmentSpec {
  kind: AttachmentKind;
  name: string;
  /** Graph gives none for item attachments (and sometimes for others). */
  contentType: string | null;
  size: number;
  isInline: boolean;
  contentId?: string;
  /** Returns the bytes `$value` answers with; reference attachments have none. */
  content?: () => Buffer;
}

export interface MessageContent {
  internetMessageId: string;
  conversationId: string;
  subject: string;
  body: { contentType: "html" | "text"; content: string };
  from: EmailAddress;
  sender: EmailAddress;
  toRecipients: EmailAddress[];
  ccRecipients: EmailAddress[];
  bccRecipients: EmailAddress[];
  /** Milliseconds before receivedDateTime that the message was sent. */
  sentBeforeReceivedMs: number;
  importance: "low" | "normal" | "high";
  isRead: boolean;
  isDraft: boolean;
  attachments: AttachmentSpec[];
  /** Properties rendered verbatim in Graph's JSON instead of their values: a malformed answer. */
  renderedAs?: Record<string, unknown>;
}

export interface TruthAttachment {
  id: string;
  kind: AttachmentKind;
  name: string;
  contentType: string | null;
  size: number;
  isInline: boolean;
}

/** One message as it is in the mailbox now: what a correct sync must end up with. */
export interface TruthMessage {
  /** Immutable id (what Graph returns with `Prefer: IdType="ImmutableId"`). */
  id: string;
  /** REST id (the default id type; changes when the message moves). */
  restId: string;
  mailbox: string;
  folderId: string;
  /** Folder path from the mailbox root: ["Root", "Top of Information Store", "Inbox", ...]. */
  folderPath: string[];
  folderIsHidden: boolean;
  internetMessageId: string;
  conversationId: string;
  subject: string;
  /** ISO 8601, whole seconds, UTC ("2024-03-01T10:20:30Z"), as Graph renders it. */
  receivedDateTime: string;
  sentDateTime: string;
  from: EmailAddress;
  sender: EmailAddress;
  toRecipients: EmailAddress[];
  ccRecipients: EmailAddress[];
  bccRecipients: EmailAddress[];
  /** As Graph computes it: true only when there is a non-inline attachment. */
  hasAttachments: boolean;
  attachments: TruthAttachment[];
  body: { contentType: "html" | "text"; content: string };
  isRead: boolean;
}

export interface TruthFolder {
  id: string;
  displayName: string;
  path: string[];
  parentId: string | null;
  isHidden: boolean;
  isSearchFolder: boolean;
  wellKnownName?: string;
  totalItemCount: number;
}

/** Graph renders DateTimeOffset values in UTC with whole seconds. */
export function graphDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
