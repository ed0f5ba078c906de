import { decodeId } from "../ids.js";
import { EwsError, attempt, errors, openMailbox, type EwsContext } from "./ews-context.js";
import { attachmentXml } from "./ews-item-xml.js";
import {
  SchemaError,
  attr,
  child,
  childText,
  children,
  errorMessage,
  operationResponse,
  successMessage,
  type XmlNode,
} from "./soap.js";

/**
 * GetAttachment: a file attachment with its Content (base64); an item attachment as a Message
 * whose MimeContent is the attached mail (with IncludeMimeContent); a reference attachment as its
 * link, without content. An attachment of a message that is gone is ErrorItemNotFound.
 */
export function getAttachment(ctx: EwsContext, body: XmlNode): string {
  const op = "GetAttachment";
  const shape = child(body, "AttachmentShape");
  const includeMime = childText(shape, "IncludeMimeContent") === "true";
  const ids = children(child(body, "AttachmentIds"), "AttachmentId");
  if (ids.length === 0)
    throw new SchemaError("The request failed schema validation: AttachmentIds is required.");
  const messages = ids.map((element) => {
    const id = attr(element, "Id") ?? "";
    const found = attempt(() => {
      const decoded = decodeId(id);
      if (!decoded || decoded.kind !== "attachment") throw new EwsError(errors.malformedId());
      const mailbox = openMailbox(ctx, ctx.directory.mailboxByNumber(decoded.mailbox));
      const key = decoded.item;
      if (key >= mailbox.messageCount || !mailbox.folderOfKey(key))
        throw new EwsError(errors.itemNotFound());
      const fault =
        ctx.faults.take({ target: "ews", path: op, method: "POST", itemId: id }) ??
        ctx.faults.take({
          target: "ews",
          path: op,
          method: "POST",
          itemId: mailbox.messageId(key, false),
        });
      if (fault?.type === "ewsError")
        throw new EwsError({
          code: fault.code,
          message: fault.message ?? errors.itemNotFound().message,
        });
      const attachment = mailbox.resolveAttachment(key, id);
      if (typeof attachment === "string") throw new EwsError(errors.itemNotFound());
      return { mailbox, key, spec: attachment.spec };
    });
    if (found instanceof EwsError) return errorMessage(op, found.spec, "<m:Attachments/>");
    const { mailbox, key, spec } = found;
    const bytes = spec.content?.();
    const content =
      spec.kind === "file"
        ? { file: bytes ?? Buffer.alloc(0) }
        : spec.kind === "item"
          ? { mime: includeMime ? bytes : undefined }
          : {};
    return successMessage(
      op,
      `<m:Attachments>${attachmentXml(spec, id, mailbox.lastModifiedAt(key), content)}</m:Attachments>`,
    );
  });
  return operationResponse(op, messages);
}
