import {
  decodeDeltaState,
  deltaQueryFromFilter,
  encodeDeltaState,
  initialState,
  runDelta,
  type DeltaState,
} from "./delta.js";
import {
  ATTACHMENT_PROPERTIES,
  FOLDER_PROPERTIES,
  MESSAGE_PROPERTIES,
  renderAttachment,
  renderFolder,
  renderMessage,
  type MessageView,
} from "./graph-json.js";
import { decodeId } from "./ids.js";
import type { Folder, Mailbox } from "./mailbox.js";
import {
  GraphHttpError,
  checkOrderByAgainstFilter,
  matchesFilter,
  parseCount,
  parseFilter,
  parseOrderBy,
  parseSelect,
  type Preferences,
} from "./odata-query.js";

/**
 * The mail resources under /users/{id}: mailFolders (top level, hidden folders on request),
 * childFolders, messages (list with $filter/$orderby/$top/$skip, delta, single), attachments and
 * their raw `$value`. Page sizes follow Graph: 10 by default.
 */
export type MailAnswer =
  | { kind: "json"; body: Record<string, unknown>; renderedValue?: string[] }
  | { kind: "raw"; contentType: string; body: Buffer };

const DEFAULT_PAGE = 10;
const MAX_TOP = 1000;
const MAX_DELTA_PAGE = 1000;

const notFound = (): GraphHttpError =>
  new GraphHttpError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
const malformed = (): GraphHttpError =>
  new GraphHttpError(400, "ErrorInvalidIdMalformed", "Id is malformed.");

/**
 * Rendered message JSON, keyed by everything the rendering depends on (every change to a message
 * bumps its changeSeq, so a stale entry is never served). The simulator stands in for a remote
 * service whose CPU is not ours: serving repeated pages from here keeps it from being what a
 * benchmark of the sync engine measures. Oldest entries go first beyond the cap.
 */
const RENDER_CACHE_ENTRIES = 250_000;

export class MailRoutes {
  private readonly rendered = new WeakMap<Mailbox, Map<string, string>>();

  constructor(
    private readonly deps: { graphUrl: () => string; deltaReplayOverlap: () => number },
  ) {}

  private renderedMessage(
    mailbox: Mailbox,
    view: MessageView,
    opts: { immutableIds: boolean; select?: readonly string[]; delta?: boolean },
    expand: { select?: string[] } | null,
  ): string {
    let cache = this.rendered.get(mailbox);
    if (!cache) this.rendered.set(mailbox, (cache = new Map()));
    const key = [
      view.key,
      mailbox.changeSeq(view.key),
      view.folder.id,
      view.gen,
      opts.immutableIds,
      opts.select?.join(",") ?? "*",
      opts.delta ?? false,
      expand ? (expand.select?.join(",") ?? "*") : "-",
    ].join("|");
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const out: Record<string, unknown> = opts.delta
      ? { "@odata.type": "#microsoft.graph.message" }
      : {};
    Object.assign(out, renderMessage(mailbox, view, { ...opts, webBase: this.deps.graphUrl() }));
    if (expand) {
      const lastModified = mailbox.lastModifiedAt(view.key);
      out.attachments = mailbox
        .content(view.key)
        .attachments.map((spec, i) =>
          renderAttachment(spec, mailbox.attachmentId(view.key, i), lastModified, expand.select),
        );
    }
    const json = JSON.stringify(out);
    if (cache.size >= RENDER_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, json);
    return json;
  }

  handle(
    mailbox: Mailbox,
    userRef: string,
    rest: string[],
    query: URLSearchParams,
    prefer: Preferences,
  ): MailAnswer {
    const [head = "", ...tail] = rest;
    const userBase = `${this.deps.graphUrl()}/v1.0/users/${encodeURIComponent(userRef)}`;
    const ctx: RouteContext = { mailbox, userRef, userBase, query, prefer };
    if (head.toLowerCase() === "mailfolders") {
      if (tail.length === 0)
        return this.listFolders(ctx, mailbox.topOfStore, `${userBase}/mailFolders`);
      const [folderRef = "", ...more] = tail;
      let folder = this.folder(mailbox, folderRef);
      let path = more;
      while (path[0]?.toLowerCase() === "childfolders" && path[1] !== undefined) {
        const child = this.folder(mailbox, path[1]);
        if (child.parent !== folder) throw notFound();
        folder = child;
        path = path.slice(2);
      }
      return this.folderRoute(ctx, folder, path);
    }
    if (head.toLowerCase() === "messages" && tail[0] !== undefined)
      return this.messageRoute(ctx, tail[0], tail.slice(1));
    throw new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${head}'.`);
  }

  private folder(mailbox: Mailbox, ref: string): Folder {
    const folder = mailbox.resolveFolder(ref);
    if (folder) return folder;
    // An id of ours that names no folder here is "not found"; any other text is not an id at all.
    throw decodeId(ref)?.kind === "folder" ? notFound() : malformed();
  }

  private folderRoute(ctx: RouteContext, folder: Folder, path: string[]): MailAnswer {
    const [head = "", next, ...more] = path;
    switch (head.toLowerCase()) {
      case "":
        return json({
          "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#users('${ctx.userRef}')/mailFolders/$entity`,
          ...renderFolder(
            ctx.mailbox,
            folder,
            parseSelect(ctx.query.get("$select"), FOLDER_PROPERTIES, "microsoft.graph.mailFolder"),
          ),
        });
      case "childfolders":
        if (next === undefined)
          return this.listFolders(
            ctx,
            folder,
            `${ctx.userBase}/mailFolders/${folder.id}/childFolders`,
          );
        break;
      case "messages":
        if (next === undefined) return this.listMessages(ctx, folder);
        if (next.toLowerCase() === "delta" && more.length === 0) return this.delta(ctx, folder);
        return this.messageRoute(ctx, next, more, folder);
    }
    throw new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${head}'.`);
  }

  private listFolders(ctx: RouteContext, parent: Folder, base: string): MailAnswer {
    const includeHidden = ctx.query.get("includeHiddenFolders")?.toLowerCase() === "true";
    const select = parseSelect(
      ctx.query.get("$select"),
      FOLDER_PROPERTIES,
      "microsoft.graph.mailFolder",
    );
    const top = parseCount(ctx.query.get("$top"), "$top", MAX_TOP) ?? DEFAULT_PAGE;
    const skip = parseCount(ctx.query.get("$skip"), "$skip", Number.MAX_SAFE_INTEGER) ?? 0;
    const children = parent.children.filter((f) => includeHidden || !f.isHidden);
    const page = children.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#users('${ctx.userRef}')/mailFolders`,
      value: page.map((f) => renderFolder(ctx.mailbox, f, select)),
    };
    if (skip + top < children.length)
      body["@odata.nextLink"] = link(base, ctx.query, { $skip: String(skip + top) });
    return json(body);
  }

  private listMessages(ctx: RouteContext, folder: Folder): MailAnswer {
    const { mailbox, query } = ctx;
    const select = parseSelect(query.get("$select"), MESSAGE_PROPERTIES, "microsoft.graph.message");
    const filter = parseFilter(query.get("$filter"));
    const orderBy = parseOrderBy(query.get("$orderby"));
    checkOrderByAgainstFilter(orderBy, filter);
    const top = parseCount(query.get("$top"), "$top", MAX_TOP) ?? DEFAULT_PAGE;
    const skip = parseCount(query.get("$skip"), "$skip", Number.MAX_SAFE_INTEGER) ?? 0;
    const source = folder.isSearchFolder ? mailbox.searchFolderKeys(folder) : folder.keys;
    const matching = filter
      ? source.filter((k) => matchesFilter(filter, mailbox.receivedAt(k)))
      : source;
    // Without $orderby Graph lists newest first.
    const ordered = orderBy?.direction === "asc" ? matching : [...matching].reverse();
    const page = ordered.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#users('${ctx.userRef}')/mailFolders('${folder.id}')/messages`,
    };
    if (query.get("$count")?.toLowerCase() === "true") body["@odata.count"] = matching.length;
    const expand = parseAttachmentExpand(query.get("$expand"));
    const value = page.map((key) =>
      this.renderedMessage(
        mailbox,
        { key, folder: mailbox.folderOfKey(key) ?? folder, gen: mailbox.moveGeneration(key) },
        { immutableIds: ctx.prefer.immutableIds, select },
        expand,
      ),
    );
    if (skip + top < ordered.length) {
      body["@odata.nextLink"] = link(`${ctx.userBase}/mailFolders/${folder.id}/messages`, query, {
        $skip: String(skip + top),
        $top: String(top),
      });
    }
    return { kind: "json", body, renderedValue: value };
  }

  private delta(ctx: RouteContext, folder: Folder): MailAnswer {
    const { mailbox, query, prefer } = ctx;
    if (query.get("$expand") !== null) {
      // Documented: delta supports $select, $top (odata.maxpagesize), $filter and $orderby only.
      throw new GraphHttpError(
        400,
        "ErrorInvalidUrlQuery",
        "The query parameter '$expand' is not supported with delta.",
      );
    }
    if (folder.isSearchFolder) {
      throw new GraphHttpError(
        400,
        "ErrorInvalidRequest",
        "Delta sync is not supported on search folders.",
      );
    }
    const token = query.get("$skiptoken") ?? query.get("$deltatoken");
    let state: DeltaState;
    if (token !== null) {
      state = decodeDeltaState(token);
    } else {
      const changeType = query.get("changeType")?.toLowerCase();
      if (
        changeType !== undefined &&
        changeType !== "created" &&
        changeType !== "updated" &&
        changeType !== "deleted"
      ) {
        throw new GraphHttpError(400, "BadRequest", `Invalid changeType '${changeType}'.`);
      }
      const orderBy = parseOrderBy(query.get("$orderby"));
      if (orderBy && orderBy.direction !== "desc") {
        throw new GraphHttpError(
          400,
          "ErrorInvalidUrlQuery",
          "Delta supports only $orderby=receivedDateTime desc.",
        );
      }
      state = initialState(mailbox, folder, {
        select: parseSelect(query.get("$select"), MESSAGE_PROPERTIES, "microsoft.graph.message"),
        lower: deltaQueryFromFilter(parseFilter(query.get("$filter"))),
        changeType,
      });
    }
    const top = parseCount(query.get("$top"), "$top", MAX_DELTA_PAGE);
    const pageSize = Math.min(prefer.maxPageSize ?? top ?? DEFAULT_PAGE, MAX_DELTA_PAGE);
    const page = runDelta(mailbox, folder, state, pageSize, this.deps.deltaReplayOverlap());
    const value = page.items.map((item) =>
      item.type === "removed"
        ? JSON.stringify({
            "@odata.type": "#microsoft.graph.message",
            id: mailbox.messageId(item.key, prefer.immutableIds, item.gen),
            "@removed": { reason: "deleted" },
          })
        : this.renderedMessage(
            mailbox,
            item,
            { immutableIds: prefer.immutableIds, select: state.q.select, delta: true },
            null,
          ),
    );
    const deltaBase = `${ctx.userBase}/mailFolders('${folder.id}')/messages/delta`;
    const body: Record<string, unknown> = {
      "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#Collection(message)`,
    };
    if (page.nextLink)
      body["@odata.nextLink"] = `${deltaBase}?$skiptoken=${encodeDeltaState(page.nextLink)}`;
    if (page.deltaLink)
      body["@odata.deltaLink"] = `${deltaBase}?$deltatoken=${encodeDeltaState(page.deltaLink)}`;
    return { kind: "json", body, renderedValue: value };
  }

  private messageRoute(
    ctx: RouteContext,
    messageId: string,
    path: string[],
    inFolder?: Folder,
  ): MailAnswer {
    const { mailbox } = ctx;
    const resolved = mailbox.resolveMessage(messageId);
    if (resolved === "malformed") throw malformed();
    if (resolved === "notFound") throw notFound();
    const { key } = resolved;
    const folder = mailbox.folderOfKey(key);
    if (!folder || (inFolder && !inFolder.isSearchFolder && folder !== inFolder)) throw notFound();
    const [head = "", attachmentId, value, ...extra] = path;
    if (head === "") {
      const select = parseSelect(
        ctx.query.get("$select"),
        MESSAGE_PROPERTIES,
        "microsoft.graph.message",
      );
      return json({
        "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#users('${ctx.userRef}')/messages/$entity`,
        ...renderMessage(
          mailbox,
          { key, folder, gen: mailbox.moveGeneration(key) },
          {
            immutableIds: ctx.prefer.immutableIds,
            select,
            webBase: this.deps.graphUrl(),
          },
        ),
      });
    }
    if (head.toLowerCase() !== "attachments" || extra.length > 0) {
      throw new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${head}'.`);
    }
    const select = parseSelect(
      ctx.query.get("$select"),
      ATTACHMENT_PROPERTIES,
      "microsoft.graph.attachment",
    );
    const lastModified = mailbox.lastModifiedAt(key);
    const specs = mailbox.content(key).attachments;
    if (attachmentId === undefined) {
      return json({
        "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#users('${ctx.userRef}')/messages('${messageId}')/attachments`,
        value: specs.map((spec, i) =>
          renderAttachment(spec, mailbox.attachmentId(key, i), lastModified, select),
        ),
      });
    }
    const attachment = mailbox.resolveAttachment(key, attachmentId);
    if (attachment === "malformed") throw malformed();
    if (attachment === "notFound") throw notFound();
    if (value === undefined) {
      return json(renderAttachment(attachment.spec, attachmentId, lastModified, select));
    }
    if (value !== "$value")
      throw new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${value}'.`);
    const { spec } = attachment;
    if (!spec.content) {
      throw new GraphHttpError(
        400,
        "ErrorInvalidRequest",
        "Raw content is not available for reference attachments.",
      );
    }
    const contentType =
      spec.kind === "item" ? "message/rfc822" : (spec.contentType ?? "application/octet-stream");
    return { kind: "raw", contentType, body: spec.content() };
  }
}

interface RouteContext {
  mailbox: Mailbox;
  userRef: string;
  userBase: string;
  query: URLSearchParams;
  prefer: Preferences;
}

function json(body: Record<string, unknown>): MailAnswer {
  return { kind: "json", body };
}

/** A paging link with the request's query options, some replaced. */
function link(base: string, query: URLSearchParams, replace: Record<string, string>): string {
  const params = new URLSearchParams(query);
  for (const [k, v] of Object.entries(replace)) params.set(k, v);
  return `${base}?${params.toString().replace(/\+/g, "%20")}`;
}

/** `$expand=attachments` or `attachments($select=a,b)`: the only expansion the simulator offers. */
function parseAttachmentExpand(text: string | null): { select?: string[] } | null {
  if (text === null || text.trim() === "") return null;
  const m = /^\s*attachments(?:\(\s*\$select=([^)]*)\))?\s*$/i.exec(text);
  if (!m) {
    throw new GraphHttpError(
      400,
      "BadRequest",
      `The simulator can only expand attachments, not '${text}'.`,
    );
  }
  const select = m[1]
    ? parseSelect(m[1], ATTACHMENT_PROPERTIES, "microsoft.graph.attachment")
    : undefined;
  return { select };
}
