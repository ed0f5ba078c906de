import type { ResolvedConnection } from "../../integrations/credential-checker.js";
import type {
  DeltaPage,
  ListingPage,
  MailSource,
  RemoteAttachment,
  RemoteFolder,
  RemoteMessage,
} from "../../sync/mail-source.js";
import { ROOT_FOLDER_NAME, TOP_OF_STORE_NAME } from "../exchange-client.js";
import { ExchangeError } from "../graph-errors.js";
import type { EwsClient } from "./ews-client.js";
import { MAX_SYNC_CHANGES, type EwsFolder } from "./ews-operations.js";
import { EwsPrincipals, type EwsOptions } from "./ews-principals.js";

/**
 * The sync engine's MailSource over EWS, following Microsoft's pattern for mailbox sync:
 * - the folder tree from SyncFolderHierarchy below msgfolderroot, with the same paths as Graph's
 *   (`Root/Top of Information Store/Inbox/…`);
 * - a folder's change stream is SyncFolderItems (ids only, ≤ 512 changes per call): its SyncState
 *   plays the part of Graph's next/delta link, and the engine stores it as the folder checkpoint
 *   in the same transaction as the page it covers;
 * - the range is enumerated with FindItem (IndexedPageItemView, restricted and sorted on
 *   DateTimeReceived), and the stored properties come from GetItem in batches;
 * - attachment contents from GetAttachment (an attached item as its MIME, message/rfc822).
 */
export function createEwsMailSourceFactory(
  options: EwsOptions = {},
): ((connection: ResolvedConnection) => MailSource) & { principals: EwsPrincipals } {
  const principals = options.principals ?? new EwsPrincipals(options);
  const factory = (connection: ResolvedConnection) =>
    new EwsMailSource(principals.client(connection));
  return Object.assign(factory, { principals });
}

/** A listing page whose items vanish between FindItem and GetItem is asked again this often. */
const LISTING_CONSISTENCY_TRIES = 3;

export class EwsMailSource implements MailSource {
  constructor(readonly client: EwsClient) {}

  async listFolders(email: string, signal?: AbortSignal): Promise<RemoteFolder[]> {
    const { root, folders } = await this.client.folderTree(email, signal);
    return folderPaths(root, folders);
  }

  async deltaPage(
    email: string,
    folderId: string,
    request: {
      link: string | null;
      receivedFrom: Date | null;
      pageSize: number;
      idsOnly?: boolean;
    },
    signal?: AbortSignal,
  ): Promise<DeltaPage> {
    const page = await this.client.syncItems(
      email,
      folderId,
      request.link,
      Math.min(request.pageSize, MAX_SYNC_CHANGES),
      signal,
    );
    let messages: RemoteMessage[] = [];
    if (!request.idsOnly && page.changedIds.length > 0) {
      messages = await this.client.getItems(email, page.changedIds, signal);
      // SyncFolderItems has no date filter: keep the range the folder covers, as Graph's delta does.
      const from = request.receivedFrom;
      if (from) messages = messages.filter((m) => m.undated || m.receivedAt >= from);
    }
    return {
      messages,
      removedIds: page.deletedIds,
      nextLink: page.last ? null : page.syncState,
      deltaLink: page.last ? page.syncState : null,
    };
  }

  async listPage(
    email: string,
    folderId: string,
    request: {
      receivedFrom: Date | null;
      receivedBefore: Date | null;
      top: number;
      expandAttachments: boolean;
    },
    signal?: AbortSignal,
  ): Promise<ListingPage> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.client.findItems(email, folderId, request, request.top, signal);
      const messages = await this.client.getItems(
        email,
        found.items.map((i) => i.id),
        signal,
      );
      // A full page that lost items to deletions would look like the end of the range: ask again.
      if (messages.length === found.items.length || found.items.length < request.top)
        return { messages };
      if (attempt >= LISTING_CONSISTENCY_TRIES)
        throw new ExchangeError(
          "temporary",
          "ListingChanging",
          null,
          "Messages of this folder kept disappearing while it was listed; the listing continues next round",
        );
    }
  }

  async countMessages(
    email: string,
    folderId: string,
    receivedFrom: Date | null,
    signal?: AbortSignal,
  ): Promise<number> {
    const found = await this.client.findItems(
      email,
      folderId,
      { receivedFrom, receivedBefore: null },
      1,
      signal,
    );
    return found.totalItemsInView;
  }

  async getMessage(
    email: string,
    messageId: string,
    signal?: AbortSignal,
  ): Promise<RemoteMessage | null> {
    const [message] = await this.client.getItems(email, [messageId], signal);
    return message ?? null;
  }

  async listAttachments(
    email: string,
    messageId: string,
    _includeContent: boolean,
    signal?: AbortSignal,
  ): Promise<RemoteAttachment[]> {
    const [message] = await this.client.getItems(email, [messageId], signal);
    return message?.attachments ?? [];
  }

  attachmentContent(
    email: string,
    _messageId: string,
    attachmentId: string,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    return this.client.attachmentBytes(email, attachmentId, signal);
  }
}

/**
 * Paths from msgfolderroot (`Root/Top of Information Store`), parents before children. Folders
 * whose parent chain does not reach the root, and calendars/contacts/tasks with everything below
 * them, are not mail folders of the tree.
 */
export function folderPaths(root: EwsFolder, folders: EwsFolder[]): RemoteFolder[] {
  const children = new Map<string, EwsFolder[]>();
  for (const f of folders) {
    if (!f.parentId) continue;
    const list = children.get(f.parentId) ?? [];
    list.push(f);
    children.set(f.parentId, list);
  }
  const out: RemoteFolder[] = [
    {
      id: root.id,
      path: [ROOT_FOLDER_NAME, TOP_OF_STORE_NAME],
      totalItemCount: root.totalCount,
      isSearchFolder: false,
    },
  ];
  const seen = new Set([root.id]);
  let level = [{ folder: root, path: [ROOT_FOLDER_NAME, TOP_OF_STORE_NAME] }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { folder, path } of level) {
      for (const c of children.get(folder.id) ?? []) {
        if (c.kind === "other" || seen.has(c.id)) continue;
        seen.add(c.id);
        const childPath = [...path, c.displayName];
        out.push({
          id: c.id,
          path: childPath,
          totalItemCount: c.totalCount,
          isSearchFolder: c.kind === "search",
        });
        if (c.kind === "mail") next.push({ folder: c, path: childPath });
      }
    }
    level = next;
  }
  return out;
}
