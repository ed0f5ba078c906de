import { decodeId } from "../ids.js";
import type { Mailbox } from "../mailbox.js";
import {
  EwsError,
  attempt,
  errors,
  folderIdElements,
  openMailbox,
  resolveFolderId,
  type EwsContext,
} from "./ews-context.js";
import {
  GET_ITEM_ONLY,
  messageXml,
  parseItemShape,
  shapeProperties,
  type ItemShape,
} from "./ews-item-xml.js";
import {
  SchemaError,
  attr,
  child,
  children,
  errorMessage,
  operationResponse,
  successMessage,
  type XmlNode,
} from "./soap.js";

/**
 * FindItem (Shallow, IndexedPageItemView Offset/MaxEntriesReturned/BasePoint, a Restriction on
 * item:DateTimeReceived with IsGreaterThan[OrEqualTo]/IsLessThan[OrEqualTo]/IsEqualTo and And,
 * SortOrder on item:DateTimeReceived; newest first by default) and GetItem (a batch of ItemIds,
 * one response message each). A moved message has a new ItemId: its old one is ErrorItemNotFound.
 */
const FIND_ITEM_LIMIT = 1000;

export function invalidProperty(shape: ItemShape): EwsError | undefined {
  const bad = [...shape.fields].find((f) => GET_ITEM_ONLY.has(f));
  if (!bad && !shape.mime) return undefined;
  return new EwsError({
    code: "ErrorInvalidPropertyRequest",
    message: "The property can't be used in FindItem or SyncFolderItems requests.",
  });
}

type Bound = { op: "ge" | "gt" | "le" | "lt" | "eq"; ms: number };

const COMPARISONS: Record<string, Bound["op"]> = {
  IsGreaterThanOrEqualTo: "ge",
  IsGreaterThan: "gt",
  IsLessThanOrEqualTo: "le",
  IsLessThan: "lt",
  IsEqualTo: "eq",
};

function parseRestriction(node: XmlNode | undefined): Bound[] {
  if (!node) return [];
  const out: Bound[] = [];
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith("@_") || name === "#text") continue;
    const list = Array.isArray(value) ? value : [value];
    for (const v of list as XmlNode[]) {
      if (name === "And") {
        out.push(...parseRestriction(v));
        continue;
      }
      const op = COMPARISONS[name];
      if (!op) {
        throw new EwsError({
          code: "ErrorUnsupportedQueryFilter",
          message: `The restriction '${name}' is not supported by this server.`,
        });
      }
      const field = attr(children(v, "FieldURI")[0], "FieldURI");
      if (field !== "item:DateTimeReceived") {
        throw new EwsError({
          code: "ErrorUnsupportedPathForQuery",
          message: `The property path '${field ?? ""}' is not supported by this server for restrictions.`,
        });
      }
      const constant = attr(child(child(v, "FieldURIOrConstant"), "Constant"), "Value") ?? "";
      const ms = Date.parse(constant);
      if (!Number.isFinite(ms))
        throw new SchemaError(
          `The request failed schema validation: '${constant}' is not a valid xs:dateTime.`,
        );
      out.push({ op, ms });
    }
  }
  return out;
}

function matches(bounds: Bound[], ms: number): boolean {
  return bounds.every((b) =>
    b.op === "ge"
      ? ms >= b.ms
      : b.op === "gt"
        ? ms > b.ms
        : b.op === "le"
          ? ms <= b.ms
          : b.op === "lt"
            ? ms < b.ms
            : ms === b.ms,
  );
}

export function findItem(ctx: EwsContext, body: XmlNode): string {
  const op = "FindItem";
  const shape = parseItemShape(child(body, "ItemShape"));
  const traversal = attr(body, "Traversal") ?? "Shallow";
  if (!["Shallow", "SoftDeleted", "Associated"].includes(traversal))
    throw new SchemaError("The request failed schema validation: Traversal is invalid.");
  const view = child(body, "IndexedPageItemView");
  if (
    !view &&
    (child(body, "FractionalPageItemView") || child(body, "SeekToConditionPageItemView"))
  )
    throw new SchemaError(
      "The request failed schema validation: only IndexedPageItemView is supported.",
    );
  const requestedMax = view
    ? Number(attr(view, "MaxEntriesReturned") ?? FIND_ITEM_LIMIT)
    : FIND_ITEM_LIMIT;
  const offset = view ? Number(attr(view, "Offset") ?? "0") : 0;
  if (
    !Number.isInteger(requestedMax) ||
    requestedMax < 1 ||
    !Number.isInteger(offset) ||
    offset < 0
  )
    throw new SchemaError("The request failed schema validation: IndexedPageItemView is invalid.");
  const max = Math.min(requestedMax, FIND_ITEM_LIMIT);
  const fromEnd = view ? attr(view, "BasePoint") === "End" : false;
  const order = children(child(body, "SortOrder"), "FieldOrder")[0];
  if (order && attr(children(order, "FieldURI")[0], "FieldURI") !== "item:DateTimeReceived") {
    return operationResponse(op, [
      errorMessage(op, {
        code: "ErrorUnsupportedPathForSortGroup",
        message: "The sort property is not supported by this server.",
      }),
    ]);
  }
  const ascending = order ? attr(order, "Order") === "Ascending" : false;
  const ids = folderIdElements(child(body, "ParentFolderIds"));
  if (ids.length === 0)
    throw new SchemaError("The request failed schema validation: ParentFolderIds is required.");
  const messages = ids.map(({ kind, element }) => {
    const found = attempt(() => {
      const bad = invalidProperty(shape);
      if (bad) throw bad;
      const bounds = parseRestriction(child(body, "Restriction"));
      return { ...resolveFolderId(ctx, kind, element), bounds };
    });
    if (found instanceof EwsError) return errorMessage(op, found.spec);
    const { mailbox, folder, bounds } = found;
    const source =
      traversal !== "Shallow"
        ? []
        : folder.isSearchFolder
          ? mailbox.searchFolderKeys(folder)
          : folder.keys;
    const matching = bounds.length
      ? source.filter((k) => matches(bounds, mailbox.receivedAt(k)))
      : source;
    const ordered = ascending ? matching : [...matching].reverse();
    const start = fromEnd ? Math.max(0, ordered.length - offset - max) : offset;
    const end = fromEnd
      ? Math.max(0, ordered.length - offset)
      : Math.min(ordered.length, offset + max);
    const page = ordered.slice(start, end);
    const last = fromEnd ? start === 0 : end >= ordered.length;
    const properties = shapeProperties(shape, "summary");
    const items = page
      .map((key) => {
        const f = mailbox.folderOfKey(key) ?? folder;
        return messageXml(
          mailbox,
          { key, folder: f, gen: mailbox.moveGeneration(key) },
          properties,
          shape,
        );
      })
      .join("");
    return successMessage(
      op,
      `<m:RootFolder IndexedPagingOffset="${fromEnd ? start : end}" TotalItemsInView="${ordered.length}" IncludesLastItemInRange="${last}"><t:Items>${items}</t:Items></m:RootFolder>`,
    );
  });
  return operationResponse(op, messages);
}

/** A message ItemId → mailbox and key, or the EWS error for it. */
export function resolveItemId(ctx: EwsContext, id: string): { mailbox: Mailbox; key: number } {
  const decoded = decodeId(id);
  if (!decoded || (decoded.kind !== "message" && decoded.kind !== "immutableMessage"))
    throw new EwsError(errors.malformedId());
  const mailbox = openMailbox(ctx, ctx.directory.mailboxByNumber(decoded.mailbox));
  const found = mailbox.resolveMessage(id);
  if (typeof found === "string") throw new EwsError(errors.itemNotFound());
  return { mailbox, key: found.key };
}

export function getItem(ctx: EwsContext, body: XmlNode): string {
  const op = "GetItem";
  const shape = parseItemShape(child(body, "ItemShape"));
  const ids = children(child(body, "ItemIds"), "ItemId");
  if (ids.length === 0)
    throw new SchemaError("The request failed schema validation: ItemIds is required.");
  const properties = shapeProperties(shape, "full");
  const messages = ids.map((element) => {
    const id = attr(element, "Id") ?? "";
    const found = attempt(() => {
      const fault = ctx.faults.take({ target: "ews", path: op, method: "POST", itemId: id });
      if (fault?.type === "ewsError")
        throw new EwsError({
          code: fault.code,
          message: fault.message ?? errors.itemNotFound().message,
        });
      return resolveItemId(ctx, id);
    });
    if (found instanceof EwsError) return errorMessage(op, found.spec, "<m:Items/>");
    const { mailbox, key } = found;
    const folder = mailbox.folderOfKey(key);
    if (!folder) return errorMessage(op, errors.itemNotFound(), "<m:Items/>");
    return successMessage(
      op,
      `<m:Items>${messageXml(mailbox, { key, folder, gen: mailbox.moveGeneration(key) }, properties, shape)}</m:Items>`,
    );
  });
  return operationResponse(op, messages);
}
