import type { RemoteMessage } from "../../sync/mail-source.js";
import { ExchangeError } from "../graph-errors.js";
import {
  attachmentBytesOf,
  findItemRequest,
  folderOfGetFolder,
  getAttachmentRequest,
  getFolderRequest,
  getItemRequest,
  hierarchyPage,
  itemsPage,
  foundPage,
  remoteMessageOf,
  syncFolderHierarchyRequest,
  syncFolderItemsRequest,
  type EwsFolder,
  type FolderRef,
  type FoundPage,
  type ItemsPage,
} from "./ews-operations.js";
import { messageError, type EwsTransport } from "./ews-transport.js";

/**
 * The EWS operations per mailbox, over one principal's transport. How a mailbox is addressed
 * depends on the access (DOMAIN.md, EWS): a service user (delegate, Full Access) names the mailbox
 * in each distinguished folder id (`<t:Mailbox>`); an app impersonates it (ExchangeImpersonation
 * + X-AnchorMailbox) on every request. Folder and item ids already name their mailbox.
 */
export type EwsAccessMode = "delegate" | "impersonation";

/** Items per GetItem call (a page of FindItem is fetched in a few batches, concurrently). */
export const GET_ITEM_BATCH = 100;

export class EwsClient {
  constructor(
    readonly transport: EwsTransport,
    readonly access: EwsAccessMode,
  ) {}

  private options(email: string, signal?: AbortSignal) {
    return { impersonate: this.access === "impersonation" ? email : null, signal };
  }

  private distinguished(id: string, email: string): FolderRef {
    return { distinguished: id, mailbox: this.access === "delegate" ? email : null };
  }

  /** One call whose single response message must succeed. */
  private async single(
    operation: string,
    body: Record<string, unknown>,
    email: string,
    signal?: AbortSignal,
  ) {
    const [message] = await this.transport.call(operation, body, this.options(email, signal));
    if (!message)
      throw new ExchangeError(
        "unexpected",
        "NoResponse",
        200,
        `${operation}: EWS answered nothing`,
      );
    const error = messageError(message);
    if (error) throw error;
    return message;
  }

  /** A distinguished folder (`inbox`, `msgfolderroot`): proves the mailbox can be opened. */
  async getFolder(
    email: string,
    distinguishedId: string,
    signal?: AbortSignal,
  ): Promise<EwsFolder> {
    const message = await this.single(
      "GetFolder",
      getFolderRequest(this.distinguished(distinguishedId, email)),
      email,
      signal,
    );
    const folder = folderOfGetFolder(message);
    if (!folder)
      throw new ExchangeError("unexpected", "NoFolder", 200, "GetFolder answered no folder");
    return folder;
  }

  /** Every folder below msgfolderroot (SyncFolderHierarchy walked to its last page), and the root. */
  async folderTree(
    email: string,
    signal?: AbortSignal,
  ): Promise<{ root: EwsFolder; folders: EwsFolder[] }> {
    const root = await this.getFolder(email, "msgfolderroot", signal);
    const byId = new Map<string, EwsFolder>();
    let state: string | null = null;
    for (;;) {
      const message = await this.single(
        "SyncFolderHierarchy",
        syncFolderHierarchyRequest(this.distinguished("msgfolderroot", email), state),
        email,
        signal,
      );
      const page = hierarchyPage(message);
      for (const f of [...page.created, ...page.updated]) byId.set(f.id, f);
      for (const id of page.deletedIds) byId.delete(id);
      if (page.last || page.syncState === "" || page.syncState === state) break;
      state = page.syncState;
    }
    return { root, folders: [...byId.values()] };
  }

  syncItems(
    email: string,
    folderId: string,
    syncState: string | null,
    maxChanges: number,
    signal?: AbortSignal,
  ): Promise<ItemsPage> {
    return this.single(
      "SyncFolderItems",
      syncFolderItemsRequest(folderId, syncState, maxChanges),
      email,
      signal,
    ).then(itemsPage);
  }

  findItems(
    email: string,
    folderId: string,
    range: { receivedFrom: Date | null; receivedBefore: Date | null },
    maxEntries: number,
    signal?: AbortSignal,
  ): Promise<FoundPage> {
    return this.single(
      "FindItem",
      findItemRequest(folderId, range, maxEntries),
      email,
      signal,
    ).then(foundPage);
  }

  /**
   * The stored properties of items, in the order asked, in batches of GET_ITEM_BATCH sent
   * together (the principal's budget bounds them). An item gone meanwhile (ErrorItemNotFound) is
   * left out: it was deleted or moved, and a move shows up as a create elsewhere.
   */
  async getItems(
    email: string,
    ids: readonly string[],
    signal?: AbortSignal,
  ): Promise<RemoteMessage[]> {
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += GET_ITEM_BATCH)
      batches.push(ids.slice(i, i + GET_ITEM_BATCH));
    const answers = await Promise.all(
      batches.map((batch) =>
        this.transport.call("GetItem", getItemRequest(batch), this.options(email, signal)),
      ),
    );
    const messages: RemoteMessage[] = [];
    for (const answer of answers)
      for (const message of answer) {
        const error = messageError(message);
        if (error?.code === "ErrorItemNotFound") continue;
        if (error) throw error;
        const remote = remoteMessageOf(message);
        if (remote) messages.push(remote);
      }
    return messages;
  }

  async attachmentBytes(
    email: string,
    attachmentId: string,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const message = await this.single(
      "GetAttachment",
      getAttachmentRequest([attachmentId]),
      email,
      signal,
    );
    const bytes = attachmentBytesOf(message);
    if (bytes === null)
      throw new ExchangeError(
        "not_found",
        "ErrorItemNotFound",
        200,
        "GetAttachment answered no attachment",
      );
    return bytes;
  }
}
