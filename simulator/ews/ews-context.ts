import { decodeId } from "../ids.js";
import type { Folder, Mailbox } from "../mailbox.js";
import type { Directory, TenantUser } from "../tenant-directory.js";
import type { EwsPrincipal } from "./ews-auth.js";
import type { FaultInjector } from "../faults.js";
import {
  SchemaError,
  attr,
  child,
  childText,
  children,
  type EwsErrorSpec,
  type ServerVersion,
  type XmlNode,
} from "./soap.js";

/**
 * One EWS request's context: who calls, as whom (the impersonated user or the caller itself), and
 * how folder and item ids turn into mailboxes the caller may open. Delegate access: a user opens
 * its own mailbox and those it holds Full Access on; anything else is ErrorAccessDenied. An
 * address without a mailbox (none, deleted, unlicensed) is ErrorNonExistentMailbox.
 */
export class EwsError extends Error {
  constructor(readonly spec: EwsErrorSpec) {
    super(spec.message);
  }
}

export const errors = {
  nonExistentMailbox: (): EwsErrorSpec => ({
    code: "ErrorNonExistentMailbox",
    message: "The SMTP address has no mailbox associated with it.",
  }),
  accessDenied: (): EwsErrorSpec => ({
    code: "ErrorAccessDenied",
    message: "Access is denied. Check credentials and try again.",
  }),
  missingEmailAddress: (): EwsErrorSpec => ({
    code: "ErrorMissingEmailAddress",
    message:
      "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
  }),
  malformedId: (): EwsErrorSpec => ({
    code: "ErrorInvalidIdMalformed",
    message: "Id is malformed.",
  }),
  folderNotFound: (): EwsErrorSpec => ({
    code: "ErrorFolderNotFound",
    message: "The specified folder could not be found in the store.",
  }),
  itemNotFound: (): EwsErrorSpec => ({
    code: "ErrorItemNotFound",
    message:
      "The specified object was not found in the store., The process failed to get the correct properties.",
  }),
  invalidSyncState: (): EwsErrorSpec => ({
    code: "ErrorInvalidSyncStateData",
    message: "Synchronization state data is corrupt or otherwise invalid.",
  }),
};

/** Distinguished folder names of the schema (DistinguishedFolderIdNameType), lower-cased. */
const DISTINGUISHED = new Set(
  [
    "calendar",
    "contacts",
    "deleteditems",
    "drafts",
    "inbox",
    "journal",
    "notes",
    "outbox",
    "sentitems",
    "tasks",
    "msgfolderroot",
    "publicfoldersroot",
    "root",
    "junkemail",
    "searchfolders",
    "voicemail",
    "recoverableitemsroot",
    "recoverableitemsdeletions",
    "recoverableitemsversions",
    "recoverableitemspurges",
    "archiveroot",
    "archivemsgfolderroot",
    "archivedeleteditems",
    "archiveinbox",
    "archiverecoverableitemsroot",
    "syncissues",
    "conflicts",
    "localfailures",
    "serverfailures",
    "recipientcache",
    "quickcontacts",
    "conversationhistory",
    "adminauditlogs",
    "todosearch",
    "mycontacts",
    "directory",
    "imcontactlist",
    "peopleconnect",
    "favorites",
    "archive",
    "clutter",
    "conversationsettings",
    "scheduled",
  ].map((n) => n.toLowerCase()),
);

export interface EwsContext {
  principal: EwsPrincipal;
  /** The user the request acts as: impersonated, or the calling user; none for an app without one. */
  acting: TenantUser | undefined;
  directory: Directory;
  version: ServerVersion;
  now: () => number;
  faults: FaultInjector;
  /** Mailboxes the request touched (for the record). */
  touched: Set<string>;
}

/** Opens a mailbox for the caller, or throws the EWS error that says why not. */
export function openMailbox(ctx: EwsContext, mailbox: Mailbox | undefined): Mailbox {
  if (!mailbox || mailbox.deleted || mailbox.kind === "unlicensed")
    throw new EwsError(errors.nonExistentMailbox());
  if (ctx.directory.tenantOf(mailbox) !== ctx.principal.tenant)
    throw new EwsError(errors.nonExistentMailbox());
  ctx.touched.add(mailbox.email);
  const user = ctx.acting;
  if (!user) throw new EwsError(errors.accessDenied());
  if (user.mailbox === mailbox || user.fullAccessTo.has(mailbox.email)) return mailbox;
  throw new EwsError(errors.accessDenied());
}

export interface ResolvedFolder {
  mailbox: Mailbox;
  folder: Folder;
}

/** A `t:FolderId` or `t:DistinguishedFolderId` element → mailbox and folder. */
export function resolveFolderId(
  ctx: EwsContext,
  kind: "FolderId" | "DistinguishedFolderId",
  element: XmlNode,
): ResolvedFolder {
  const id = attr(element, "Id") ?? "";
  if (kind === "DistinguishedFolderId") {
    const name = id.toLowerCase();
    if (!DISTINGUISHED.has(name))
      throw new SchemaError(
        `The request failed schema validation: The 'Id' attribute is invalid - The value '${id}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:DistinguishedFolderIdNameType' - The Enumeration constraint failed.`,
      );
    const address = childText(child(element, "Mailbox"), "EmailAddress");
    let mailbox: Mailbox | undefined;
    if (address !== undefined && address !== "") {
      mailbox = ctx.directory.mailbox(address);
      if (!mailbox) throw new EwsError(errors.nonExistentMailbox());
    } else {
      mailbox = ctx.acting?.mailbox;
      if (!mailbox) throw new EwsError(errors.missingEmailAddress());
    }
    const open = openMailbox(ctx, mailbox);
    const folder = name === "root" ? open.root : open.folderByWellKnownName(name);
    if (!folder) throw new EwsError(errors.folderNotFound());
    return { mailbox: open, folder };
  }
  const decoded = decodeId(id);
  if (!decoded || decoded.kind !== "folder") throw new EwsError(errors.malformedId());
  const mailbox = openMailbox(ctx, ctx.directory.mailboxByNumber(decoded.mailbox));
  const folder = mailbox.folders[decoded.item];
  if (!folder) throw new EwsError(errors.folderNotFound());
  return { mailbox, folder };
}

/**
 * The folder ids inside a container element (FolderIds, ParentFolderIds, SyncFolderId). The parser
 * groups elements by name, so document order between the two kinds is lost: FolderIds come first,
 * then distinguished ones (only a request mixing both in one list would notice).
 */
export function folderIdElements(
  container: XmlNode | undefined,
): { kind: "FolderId" | "DistinguishedFolderId"; element: XmlNode }[] {
  if (!container) return [];
  const out: { kind: "FolderId" | "DistinguishedFolderId"; element: XmlNode }[] = [];
  for (const kind of ["FolderId", "DistinguishedFolderId"] as const) {
    for (const element of children(container, kind)) out.push({ kind, element });
  }
  return out;
}

/** Runs fn; an EwsError becomes its spec (an error response message), anything else propagates. */
export function attempt<T>(fn: () => T): T | EwsError {
  try {
    return fn();
  } catch (error) {
    if (error instanceof EwsError) return error;
    throw error;
  }
}
