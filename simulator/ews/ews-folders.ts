import type { Folder, Mailbox } from "../mailbox.js";
import {
  attempt,
  folderIdElements,
  resolveFolderId,
  errors,
  EwsError,
  type EwsContext,
} from "./ews-context.js";
import {
  SchemaError,
  attr,
  child,
  childText,
  children,
  el,
  errorMessage,
  esc,
  operationResponse,
  successMessage,
  type XmlNode,
} from "./soap.js";

/**
 * The folder operations: GetFolder, FindFolder (Shallow/Deep, IndexedPageFolderView) and
 * SyncFolderHierarchy. Folders render as `t:Folder` (`t:SearchFolder` for search folders) with
 * FolderId, then (Default) DisplayName, TotalCount, ChildFolderCount, UnreadCount, (AllProperties)
 * ParentFolderId and FolderClass too, or the folder:* FieldURIs asked for;
 * PR_ATTR_HIDDEN (0x10F4) as an extended property when asked for. A SyncFolderHierarchy state
 * records how many folders the client has seen; folders are never deleted here, only added.
 */
const HIDDEN_TAG = 0x10f4;

interface FolderShape {
  /** folder:* FieldURIs to render besides FolderId. */
  fields: Set<string>;
  hidden: boolean;
}

const FOLDER_FIELDS = [
  "folder:ParentFolderId",
  "folder:FolderClass",
  "folder:DisplayName",
  "folder:TotalCount",
  "folder:ChildFolderCount",
  "folder:UnreadCount",
];
/** Default gives these; AllProperties adds ParentFolderId and FolderClass. */
const DEFAULT_FOLDER_FIELDS = [
  "folder:DisplayName",
  "folder:TotalCount",
  "folder:ChildFolderCount",
  "folder:UnreadCount",
];
const KNOWN_FOLDER_FIELDS = new Set([
  ...FOLDER_FIELDS,
  "folder:FolderId",
  "folder:ManagedFolderInformation",
  "folder:EffectiveRights",
  "folder:PermissionSet",
  "folder:SearchParameters",
  "folder:SharingEffectiveRights",
  "folder:PolicyTag",
  "folder:ArchiveTag",
  "folder:DistinguishedFolderId",
]);

function folderShape(body: XmlNode): FolderShape {
  const shape = child(body, "FolderShape");
  const base = childText(shape, "BaseShape");
  if (base !== "IdOnly" && base !== "Default" && base !== "AllProperties")
    throw new SchemaError(
      "The request failed schema validation: FolderShape/BaseShape is required.",
    );
  const additional = child(shape, "AdditionalProperties");
  const fields = new Set<string>(
    base === "IdOnly" ? [] : base === "Default" ? DEFAULT_FOLDER_FIELDS : FOLDER_FIELDS,
  );
  for (const f of children(additional, "FieldURI")) {
    const uri = attr(f, "FieldURI") ?? "";
    if (!KNOWN_FOLDER_FIELDS.has(uri))
      throw new SchemaError(
        `The request failed schema validation: The 'FieldURI' attribute is invalid - The value '${uri}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:UnindexedFieldURIType' - The Enumeration constraint failed.`,
      );
    fields.add(uri);
  }
  const hidden = children(additional, "ExtendedFieldURI").some(
    (e) => Number.parseInt(attr(e, "PropertyTag") ?? "", 16) === HIDDEN_TAG,
  );
  return { fields, hidden };
}

export function folderChangeKey(folder: Folder): string {
  return `AQAAABYAAA${Buffer.from(`f.${folder.mailbox.number}.${folder.number}`).toString("base64")}`;
}

function folderIdXml(name: string, folder: Folder): string {
  return `<t:${name} Id="${folder.id}" ChangeKey="${folderChangeKey(folder)}"/>`;
}

/** `t:Folder` (or `t:SearchFolder`), elements in the schema's order. */
export function renderFolder(mailbox: Mailbox, folder: Folder, shape: FolderShape): string {
  const tag = folder.isSearchFolder ? "SearchFolder" : "Folder";
  const has = (f: string): boolean => shape.fields.has(f);
  let inner = folderIdXml("FolderId", folder);
  if (has("folder:ParentFolderId") && folder.parent)
    inner += folderIdXml("ParentFolderId", folder.parent);
  if (has("folder:FolderClass")) inner += el("t:FolderClass", "IPF.Note");
  if (has("folder:DisplayName")) inner += el("t:DisplayName", folder.displayName);
  if (has("folder:TotalCount")) inner += el("t:TotalCount", mailbox.totalItemCount(folder));
  if (has("folder:ChildFolderCount")) inner += el("t:ChildFolderCount", folder.children.length);
  if (shape.hidden) {
    inner += `<t:ExtendedProperty><t:ExtendedFieldURI PropertyTag="0x10f4" PropertyType="Boolean"/><t:Value>${folder.isHidden}</t:Value></t:ExtendedProperty>`;
  }
  if (has("folder:UnreadCount"))
    inner += el("t:UnreadCount", folder.isSearchFolder ? 0 : mailbox.unreadItemCount(folder));
  return `<t:${tag}>${inner}</t:${tag}>`;
}

export function getFolder(ctx: EwsContext, body: XmlNode): string {
  const shape = folderShape(body);
  const ids = folderIdElements(child(body, "FolderIds"));
  if (ids.length === 0)
    throw new SchemaError("The request failed schema validation: FolderIds is required.");
  const messages = ids.map(({ kind, element }) => {
    const found = attempt(() => resolveFolderId(ctx, kind, element));
    if (found instanceof EwsError) return errorMessage("GetFolder", found.spec, "<m:Folders/>");
    return successMessage(
      "GetFolder",
      `<m:Folders>${renderFolder(found.mailbox, found.folder, shape)}</m:Folders>`,
    );
  });
  return operationResponse("GetFolder", messages);
}

export function findFolder(ctx: EwsContext, body: XmlNode): string {
  const shape = folderShape(body);
  const traversal = attr(body, "Traversal") ?? "Shallow";
  if (traversal !== "Shallow" && traversal !== "Deep" && traversal !== "SoftDeleted")
    throw new SchemaError("The request failed schema validation: Traversal is invalid.");
  const view = child(body, "IndexedPageFolderView");
  const max = view ? Number(attr(view, "MaxEntriesReturned") ?? "1000") : Number.MAX_SAFE_INTEGER;
  const offset = view ? Number(attr(view, "Offset") ?? "0") : 0;
  const fromEnd = view ? attr(view, "BasePoint") === "End" : false;
  const ids = folderIdElements(child(body, "ParentFolderIds"));
  if (ids.length === 0)
    throw new SchemaError("The request failed schema validation: ParentFolderIds is required.");
  const messages = ids.map(({ kind, element }) => {
    const found = attempt(() => resolveFolderId(ctx, kind, element));
    if (found instanceof EwsError) return errorMessage("FindFolder", found.spec);
    const all: Folder[] = [];
    const visit = (f: Folder): void => {
      for (const c of f.children) {
        all.push(c);
        if (traversal === "Deep") visit(c);
      }
    };
    if (traversal !== "SoftDeleted") visit(found.folder);
    const start = fromEnd ? Math.max(0, all.length - offset - max) : offset;
    const page = all.slice(start, Math.min(all.length, start + max));
    const last = fromEnd ? start === 0 : start + page.length >= all.length;
    const next = fromEnd ? start : start + page.length;
    return successMessage(
      "FindFolder",
      `<m:RootFolder IndexedPagingOffset="${next}" TotalItemsInView="${all.length}" IncludesLastItemInRange="${last}"><t:Folders>${page
        .map((f) => renderFolder(found.mailbox, f, shape))
        .join("")}</t:Folders></m:RootFolder>`,
    );
  });
  return operationResponse("FindFolder", messages);
}

interface HierarchyState {
  v: 1;
  m: number;
  f: number;
  seen: number;
}

export function syncFolderHierarchy(ctx: EwsContext, body: XmlNode): string {
  const shape = folderShape(body);
  const ids = folderIdElements(child(body, "SyncFolderId"));
  const target = ids[0];
  const found = attempt(() =>
    target
      ? resolveFolderId(ctx, target.kind, target.element)
      : resolveFolderId(ctx, "DistinguishedFolderId", { "@_Id": "root" }),
  );
  const op = "SyncFolderHierarchy";
  if (found instanceof EwsError)
    return operationResponse(op, [
      errorMessage(
        op,
        found.spec,
        "<m:SyncState/><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>",
      ),
    ]);
  const { mailbox, folder } = found;
  const stateText = childText(body, "SyncState");
  let seen = 0;
  if (stateText) {
    const state = decodeHierarchyState(stateText);
    if (!state || state.m !== mailbox.number || state.f !== folder.number) {
      return operationResponse(op, [
        errorMessage(
          op,
          errors.invalidSyncState(),
          "<m:SyncState/><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>",
        ),
      ]);
    }
    seen = state.seen;
  }
  const below = (f: Folder): boolean => {
    for (let p = f.parent; p; p = p.parent) if (p === folder) return true;
    return false;
  };
  const created = mailbox.folders.slice(seen).filter(below);
  const next: HierarchyState = {
    v: 1,
    m: mailbox.number,
    f: folder.number,
    seen: mailbox.folders.length,
  };
  const changes = created
    .map((f) => `<t:Create>${renderFolder(mailbox, f, shape)}</t:Create>`)
    .join("");
  return operationResponse(op, [
    successMessage(
      op,
      `<m:SyncState>${esc(encodeState(next))}</m:SyncState><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange><m:Changes>${changes}</m:Changes>`,
    ),
  ]);
}

function encodeState(state: HierarchyState): string {
  return Buffer.from(`H${JSON.stringify(state)}`).toString("base64");
}

function decodeHierarchyState(text: string): HierarchyState | undefined {
  try {
    const raw = Buffer.from(text, "base64").toString("utf8");
    if (!raw.startsWith("H")) return undefined;
    const s = JSON.parse(raw.slice(1)) as HierarchyState;
    return s.v === 1 && typeof s.m === "number" && typeof s.seen === "number" ? s : undefined;
  } catch {
    return undefined;
  }
}
