import { firstEntryAfter, netChanges } from "../change-log.js";
import { ChangeKind, type Folder, type Mailbox } from "../mailbox.js";
import {
  EwsError,
  attempt,
  errors,
  folderIdElements,
  resolveFolderId,
  type EwsContext,
} from "./ews-context.js";
import { invalidProperty } from "./ews-items.js";
import {
  itemIdXml,
  messageXml,
  parseItemShape,
  shapeProperties,
  type ItemShape,
} from "./ews-item-xml.js";
import {
  SchemaError,
  attr,
  child,
  childText,
  children,
  errorMessage,
  esc,
  operationResponse,
  successMessage,
  type XmlNode,
} from "./soap.js";

/**
 * SyncFolderItems as Exchange 2010 SP2 and later answer it. Without a SyncState the folder's items
 * come as Creates, newest first, MaxChangesReturned (1–512) at a time, until
 * IncludesLastItemInRange is true; with a SyncState, what changed since: Create (delivered or
 * moved in), ReadFlagChange, Delete (purged or moved out, with the id the client knew). A move is
 * a Delete in the old folder and a Create with a new ItemId in the new one.
 *
 * The SyncState is opaque to clients (base64); inside it is the folder, the folder's sync
 * generation (bumped by expireEwsSyncStates → ErrorInvalidSyncStateData), and the position: during
 * the first enumeration the change sequence it started at and the last item handed out; later a
 * window (since, until] of the folder's change log and an offset into its net changes, so a window
 * that takes several calls never loses the start of an item's history.
 */
const MAX_CHANGES = 512;

interface SyncState {
  v: 1;
  m: number;
  f: number;
  g: number;
  /** i: first enumeration; c: a change window in progress; d: the next window starts at `since`. */
  p: "i" | "c" | "d";
  since: number;
  until: number;
  /** i: the last item handed out, as [receivedAt, key]. */
  a?: [number, number];
  /** c: offset into the window's net changes. */
  o?: number;
}

export function syncFolderItems(ctx: EwsContext, body: XmlNode): string {
  const op = "SyncFolderItems";
  const shape = parseItemShape(child(body, "ItemShape"));
  const maxText = childText(body, "MaxChangesReturned");
  const max = Number(maxText);
  if (maxText === undefined || !Number.isInteger(max) || max < 1 || max > MAX_CHANGES)
    throw new SchemaError(
      `The request failed schema validation: The 'MaxChangesReturned' element is invalid - The value '${maxText ?? ""}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:MaxSyncChangesReturnedType' - The MaxInclusive constraint failed.`,
    );
  const target = folderIdElements(child(body, "SyncFolderId"))[0];
  if (!target)
    throw new SchemaError("The request failed schema validation: SyncFolderId is required.");
  const ignore = new Set(children(child(body, "Ignore"), "ItemId").map((i) => attr(i, "Id") ?? ""));
  const failed = (spec: { code: string; message: string }): string =>
    operationResponse(op, [
      errorMessage(
        op,
        spec,
        "<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>",
      ),
    ]);
  const found = attempt(() => {
    const bad = invalidProperty(shape);
    if (bad) throw bad;
    return resolveFolderId(ctx, target.kind, target.element);
  });
  if (found instanceof EwsError) return failed(found.spec);
  const { mailbox, folder } = found;
  if (folder.isSearchFolder)
    return failed({
      code: "ErrorInvalidOperation",
      message: "Synchronization is not supported for search folders.",
    });
  const stateText = childText(body, "SyncState");
  let state: SyncState;
  if (stateText) {
    const decoded = decodeState(stateText);
    if (
      !decoded ||
      decoded.m !== mailbox.number ||
      decoded.f !== folder.number ||
      decoded.g !== folder.ewsSyncGeneration
    )
      return failed(errors.invalidSyncState());
    state = decoded;
  } else {
    state = {
      v: 1,
      m: mailbox.number,
      f: folder.number,
      g: folder.ewsSyncGeneration,
      p: "i",
      since: 0,
      until: mailbox.seq,
    };
  }
  const page =
    state.p === "i"
      ? firstSyncPage(mailbox, folder, state, max, ignore, shape)
      : changePage(mailbox, folder, state, max, ignore, shape);
  return operationResponse(op, [
    successMessage(
      op,
      `<m:SyncState>${esc(encodeState(page.next))}</m:SyncState><m:IncludesLastItemInRange>${page.last}</m:IncludesLastItemInRange><m:Changes>${page.changes.join("")}</m:Changes>`,
    ),
  ]);
}

interface SyncPage {
  changes: string[];
  next: SyncState;
  last: boolean;
}

function firstSyncPage(
  mailbox: Mailbox,
  folder: Folder,
  state: SyncState,
  max: number,
  ignore: Set<string>,
  shape: ItemShape,
): SyncPage {
  // Items that arrived in this folder after the enumeration began come as changes afterwards.
  const arrivedLater = new Set<number>();
  const log = folder.log;
  const after = firstEntryAfter(log, state.until);
  for (let i = after; i < log.seq.length; i++)
    if (log.kind[i] === ChangeKind.Created) arrivedLater.add(log.key[i] ?? -1);
  const properties = shapeProperties(shape, "summary");
  const high = state.a ? mailbox.lowerBound(folder, state.a[0], state.a[1]) : folder.keys.length;
  const changes: string[] = [];
  let i = high - 1;
  let lastKey: number | undefined;
  for (; i >= 0 && changes.length < max; i--) {
    const key = folder.keys[i];
    if (key === undefined) continue;
    lastKey = key;
    if (arrivedLater.has(key)) continue;
    const view = { key, folder, gen: mailbox.moveGeneration(key) };
    if (ignore.has(mailbox.messageId(key, false, view.gen))) continue;
    changes.push(`<t:Create>${messageXml(mailbox, view, properties, shape)}</t:Create>`);
  }
  if (i >= 0 && lastKey !== undefined) {
    return { changes, next: { ...state, a: [mailbox.receivedAt(lastKey), lastKey] }, last: false };
  }
  const next: SyncState = { ...state, p: "d", since: state.until, a: undefined };
  return { changes, next, last: log.seq.length === after };
}

function changePage(
  mailbox: Mailbox,
  folder: Folder,
  given: SyncState,
  max: number,
  ignore: Set<string>,
  shape: ItemShape,
): SyncPage {
  const state: SyncState = given.p === "d" ? { ...given, p: "c", until: mailbox.seq, o: 0 } : given;
  const log = folder.log;
  // Created and gone again within the window: the client never knew it.
  const changes = netChanges(log, state.since, state.until).filter(
    (c) => !(c.created && c.lastKind === ChangeKind.Deleted),
  );
  const offset = state.o ?? 0;
  const slice = changes.slice(offset, offset + max);
  const properties = shapeProperties(shape, "summary");
  const out: string[] = [];
  for (const c of slice) {
    const id = mailbox.messageId(c.key, false, c.gen);
    if (ignore.has(id)) continue;
    if (c.lastKind === ChangeKind.Deleted) {
      out.push(`<t:Delete><t:ItemId Id="${id}" ChangeKey=""/></t:Delete>`);
      continue;
    }
    const current = mailbox.folderOfKey(c.key);
    if (current !== folder) continue;
    const view = { key: c.key, folder, gen: mailbox.moveGeneration(c.key) };
    if (c.created) out.push(`<t:Create>${messageXml(mailbox, view, properties, shape)}</t:Create>`);
    else
      out.push(
        `<t:ReadFlagChange>${itemIdXml(mailbox, view)}<t:IsRead>${mailbox.isRead(c.key)}</t:IsRead></t:ReadFlagChange>`,
      );
  }
  const consumed = offset + slice.length;
  if (consumed < changes.length)
    return { changes: out, next: { ...state, o: consumed }, last: false };
  const next: SyncState = { ...state, p: "d", since: state.until, o: undefined };
  return { changes: out, next, last: log.seq.length === firstEntryAfter(log, state.until) };
}

function encodeState(state: SyncState): string {
  return Buffer.from(`S${JSON.stringify(state)}`).toString("base64");
}

function decodeState(text: string): SyncState | undefined {
  try {
    const raw = Buffer.from(text, "base64").toString("utf8");
    if (!raw.startsWith("S")) return undefined;
    const s = JSON.parse(raw.slice(1)) as SyncState;
    return s.v === 1 && typeof s.m === "number" && typeof s.since === "number" ? s : undefined;
  } catch {
    return undefined;
  }
}
