import { compile } from "html-to-text";
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

/** A message without an internet Message-ID (a draft, say) is keyed by its immutable id. */
export const identityOf = (message: RemoteMessage): string =>
  message.internetMessageId ?? `<${message.id}@graph.invalid>`;

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
  const clean = (p: RemoteParticipant | null) =>
    p ? { name: p.name, address: p.address.toLowerCase() } : null;
  return {
    internetMessageId: identityOf(message),
    graphId: message.id,
    conversationId: message.conversationId,
    mailbox,
    folder,
    subject: message.subject ?? "",
    from: clean(message.from),
    sender: clean(message.sender),
    to: message.to.map((p) => clean(p)!),
    cc: message.cc.map((p) => clean(p)!),
    bcc: message.bcc.map((p) => clean(p)!),
    sentAt: message.sentAt,
    receivedAt: message.receivedAt,
    bodyText: toText(message),
    bodyHtml: message.bodyType === "html" ? message.body : null,
    attachments: attachments.map(({ attachment: a, contentSha256 }): IncomingAttachment => ({
      graphId: a.id,
      name: a.name,
      contentType: attachmentContentType(a),
      size: a.size,
      inline: a.inline,
      kind: a.kind,
      contentSha256,
    })),
  };
}
