import { createHash } from "node:crypto";
import { compile } from "html-to-text";
import { MAX_BODY_CHARS, storableText } from "../domain/storable-text.js";
import type { IncomingAttachment, IncomingMessage } from "../storage/message-store.js";
import type { RemoteAttachment, RemoteMessage, RemoteParticipant } from "./mail-source.js";

/** Attached items carry no content type in Graph; other attachments without one are opaque bytes. */
export function attachmentContentType(
  attachment: Pick<RemoteAttachment, "contentType" | "kind">,
): string {
  if (attachment.contentType) return attachment.contentType;
  return attachment.kind === "item" ? "message/rfc822" : "application/octet-stream";
}

/** Participants of the participant filter: from, sender, to, cc and bcc. */
export function participantsOf(message: RemoteMessage): RemoteParticipant[] {
  return [message.from, message.sender, ...message.to, ...message.cc, ...message.bcc].filter(
    (p): p is RemoteParticipant => p !== null,
  );
}

/** Longest Message-ID kept as it is (RFC 5322 lines are at most 998 characters). */
const MAX_MESSAGE_ID_CHARS = 998;

/**
 * A message without an internet Message-ID (a draft, say) gets an identity every API computes alike
 * from what it says of the message — its mailbox, received and sent seconds, sender address and
 * subject — not from an item id: ids differ between EWS and Graph, and EWS gives a moved item a
 * new one, so a migration or a move would otherwise store it twice. One whose Message-ID cannot be
 * stored as it is (NUL characters, longer than a line may be) is keyed by a digest of it, the same
 * for every copy, so identity still holds.
 */
export function identityOf(message: RemoteMessage, mailbox: string): string {
  const id = message.internetMessageId;
  if (id === null || id.trim() === "") {
    const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);
    const facts = [
      mailbox.toLowerCase(),
      seconds(message.receivedAt),
      seconds(message.sentAt),
      message.from?.address.toLowerCase() ?? null,
      message.subject ?? "",
    ];
    return `<${createHash("sha256").update(JSON.stringify(facts)).digest("hex")}@no-message-id.invalid>`;
  }
  if (id.length <= MAX_MESSAGE_ID_CHARS && id.isWellFormed() && !id.includes("\u0000")) return id;
  return `<${createHash("sha256").update(id).digest("hex")}@digest.invalid>`;
}

/** Compiled once: html-to-text's `convert` would re-compile its selectors for every message. */
const htmlToText = compile({ wordwrap: false, selectors: [{ selector: "img", format: "skip" }] });

const toText = (message: RemoteMessage): string =>
  message.bodyType === "text" ? message.body : htmlToText(message.body);

export function toIncoming(
  message: RemoteMessage,
  mailbox: string,
  folder: string,
  attachments: { attachment: RemoteAttachment; contentSha256: string | null }[],
): IncomingMessage {
  const notes = [...(message.repairs ?? [])];
  const text = (value: string, field: string, max?: number) =>
    storableText(value, field, notes, max);
  const clean = (p: RemoteParticipant | null, field: string) =>
    p
      ? {
          name: p.name === null ? null : text(p.name, `${field} name`),
          address: text(p.address, `${field} address`).toLowerCase(),
        }
      : null;
  const identity = identityOf(message, mailbox);
  if (message.internetMessageId && identity !== message.internetMessageId)
    notes.push("internetMessageId: not storable as it is; the message is identified by its digest");
  const conversationId =
    message.conversationId === null ? null : text(message.conversationId, "conversationId", 512);
  const html = message.bodyType === "html" ? text(message.body, "body", MAX_BODY_CHARS) : null;
  return {
    internetMessageId: identity,
    graphId: message.id,
    conversationId,
    mailbox,
    folder,
    subject: text(message.subject ?? "", "subject"),
    from: clean(message.from, "from"),
    sender: clean(message.sender, "sender"),
    to: message.to.map((p) => clean(p, "to")!),
    cc: message.cc.map((p) => clean(p, "cc")!),
    bcc: message.bcc.map((p) => clean(p, "bcc")!),
    sentAt: message.sentAt,
    receivedAt: message.receivedAt,
    bodyText: text(toText(message), "body text", MAX_BODY_CHARS),
    bodyHtml: html,
    attachments: attachments.map(({ attachment: a, contentSha256 }): IncomingAttachment => ({
      graphId: a.id,
      name: text(a.name, "attachment name"),
      contentType: text(attachmentContentType(a), "attachment content type", 255),
      size: a.size,
      inline: a.inline,
      kind: a.kind,
      contentSha256,
    })),
    storageNotes: notes.length > 0 ? [...new Set(notes)] : null,
  };
}
