import { SEARCH_FOLDER_WINDOW_MS, type FolderTemplate } from "./folder-template.js";
import { decodeId, encodeId } from "./ids.js";
import type { AttachmentSpec, EmailAddress, MessageContent } from "./mail-types.js";
import {
  generateContent,
  seededRole,
  seededSource,
  type ContentContext,
  type MessageRole,
} from "./message-content.js";
import { hash32 } from "./prng.js";
import { seededPlacement } from "./mailbox-seed.js";

/**
 * One Exchange mailbox: its folder tree, its messages and their change history.
 *
 * Messages are columns of typed arrays indexed by a "key" (creation order). A seeded message's
 * contents are recomputed from the seed on demand; only delivered messages keep a stored
 * MessageContent. Every change (delivery, move, delete, update) takes the next sequence number and
 * appends an entry to the change log of each folder it touches, which is what delta rounds read.
 */
export type MailboxKind = "licensed" | "unlicensed" | "onPremises";

export const ROOT_NAME = "Root";
export const TOP_OF_STORE_NAME = "Top of Information Store";

export const ChangeKind = { Created: 1, Updated: 2, Deleted: 3 } as const;
export type ChangeKind = (typeof ChangeKind)[keyof typeof ChangeKind];

export interface ChangeLog {
  seq: number[];
  key: number[];
  kind: ChangeKind[];
  /** The message's move generation at that change (its REST id then). */
  gen: number[];
}

export class Folder {
  readonly id: string;
  readonly children: Folder[] = [];
  /** Message keys, sorted by (receivedAt, key). Empty for search folders. */
  readonly keys: number[] = [];
  readonly log: ChangeLog = { seq: [], key: [], kind: [], gen: [] };
  /** Bumped to invalidate every delta token of this folder (410 SyncStateNotFound). */
  deltaGeneration = 0;
  /** Bumped to invalidate every EWS SyncState of this folder (ErrorInvalidSyncStateData). */
  ewsSyncGeneration = 0;

  constructor(
    readonly mailbox: Mailbox,
    readonly number: number,
    readonly displayName: string,
    readonly parent: Folder | null,
    readonly isHidden: boolean,
    readonly wellKnownName: string | undefined,
    readonly searchOver: readonly Folder[] | undefined,
  ) {
    this.id = encodeId("folder", mailbox.number, number);
  }

  get isSearchFolder(): boolean {
    return this.searchOver !== undefined;
  }

  get path(): string[] {
    const out = [this.displayName];
    for (let f = this.parent; f; f = f.parent) out.unshift(f.displayName);
    return out;
  }
}

export interface MailboxSeed {
  number: number;
  email: string;
  displayName: string;
  userId: string;
  kind: MailboxKind;
  seed: number;
  tenantDomain: string;
  messages: number;
  receivedFrom: number;
  receivedTo: number;
  folders: readonly FolderTemplate[];
  sharedPoolSize: number;
}

export interface DeliverySpec {
  /** Folder id, well-known name, or path below "Top of Information Store". Default: inbox. */
  folder?: string | readonly string[];
  receivedAt?: Date;
  subject?: string;
  from?: EmailAddress;
  sender?: EmailAddress;
  toRecipients?: EmailAddress[];
  ccRecipients?: EmailAddress[];
  bccRecipients?: EmailAddress[];
  body?: { contentType: "html" | "text"; content: string };
  internetMessageId?: string;
  attachments?: {
    name: string;
    contentType?: string | null;
    content?: Buffer | string;
    isInline?: boolean;
    contentId?: string;
    kind?: "file" | "item" | "reference";
  }[];
  /** Properties Graph's JSON shows verbatim (e.g. `receivedDateTime: "not a date"`). */
  renderedAs?: Record<string, unknown>;
}

const INITIAL_CAPACITY = 64;

export class Mailbox {
  readonly number: number;
  readonly email: string;
  readonly displayName: string;
  readonly userId: string;
  kind: MailboxKind;
  deleted = false;
  readonly folders: Folder[] = [];
  readonly root: Folder;
  readonly topOfStore: Folder;
  /** Last change sequence number. */
  seq = 0;

  private readonly seed: number;
  private readonly ctx: ContentContext;
  private readonly sharedPoolSize: number;
  private count = 0;
  private folderOf = new Int32Array(INITIAL_CAPACITY);
  private receivedAtCol = new Float64Array(INITIAL_CAPACITY);
  private changeSeqCol = new Uint32Array(INITIAL_CAPACITY);
  private moveGenCol = new Uint16Array(INITIAL_CAPACITY);
  private readonly explicit = new Map<number, MessageContent>();
  private readonly readOverride = new Map<number, boolean>();
  private readonly modifiedAt = new Map<number, number>();
  private readonly byPath = new Map<string, Folder>();

  constructor(spec: MailboxSeed) {
    this.number = spec.number;
    this.email = spec.email.toLowerCase();
    this.displayName = spec.displayName;
    this.userId = spec.userId;
    this.kind = spec.kind;
    this.seed = spec.seed;
    this.sharedPoolSize = spec.sharedPoolSize;
    this.ctx = {
      seed: spec.seed,
      owner: { name: spec.displayName, address: spec.email },
      tenantDomain: spec.tenantDomain,
    };
    this.root = this.addFolder(null, ROOT_NAME, { hidden: false });
    this.topOfStore = this.addFolder(this.root, TOP_OF_STORE_NAME, {
      wellKnownName: "msgfolderroot",
    });
    const finder = this.addFolder(this.root, "Finder", { wellKnownName: "searchfolders" });
    this.buildTree(spec.folders);
    this.addFolder(finder, "Recent mail (all folders)", { searchOver: [this.topOfStore] });
    this.seedMessages(spec.messages, seededPlacement(this, spec));
  }

  // ---- folders -------------------------------------------------------------------------------

  private buildTree(templates: readonly FolderTemplate[]): void {
    for (const t of templates) {
      const parentPath = t.path.slice(0, -1);
      const parent = parentPath.length === 0 ? this.topOfStore : this.folderByPath(parentPath);
      const name = t.path[t.path.length - 1];
      if (!parent || name === undefined)
        throw new Error(`folder template out of order: ${t.path.join("/")}`);
      const searchOver = t.searchOver?.map((p) => {
        const f = this.folderByPath(p);
        if (!f) throw new Error(`search folder source missing: ${p.join("/")}`);
        return f;
      });
      this.addFolder(parent, name, {
        hidden: t.hidden,
        wellKnownName: t.wellKnownName,
        searchOver,
      });
    }
  }

  addFolder(
    parent: Folder | null,
    name: string,
    opts: { hidden?: boolean; wellKnownName?: string; searchOver?: readonly Folder[] } = {},
  ): Folder {
    const folder = new Folder(
      this,
      this.folders.length,
      name,
      parent,
      opts.hidden ?? false,
      opts.wellKnownName,
      opts.searchOver,
    );
    this.folders.push(folder);
    parent?.children.push(folder);
    this.byPath.set(pathKey(folder.path), folder);
    return folder;
  }

  /** A path below "Top of Information Store", or a full path starting at "Root". */
  folderByPath(path: readonly string[]): Folder | undefined {
    const full =
      path[0]?.toLowerCase() === ROOT_NAME.toLowerCase()
        ? path
        : [ROOT_NAME, TOP_OF_STORE_NAME, ...path];
    return this.byPath.get(pathKey(full));
  }

  folderByWellKnownName(name: string): Folder | undefined {
    const lower = name.toLowerCase();
    return this.folders.find((f) => f.wellKnownName === lower);
  }

  /** Folder id, well-known name (case-insensitive), or a path. */
  resolveFolder(ref: string | readonly string[]): Folder | undefined {
    if (typeof ref !== "string") return this.folderByPath(ref);
    const decoded = decodeId(ref);
    if (decoded?.kind === "folder") {
      return decoded.mailbox === this.number ? this.folders[decoded.item] : undefined;
    }
    return this.folderByWellKnownName(ref);
  }

  // ---- messages: reading ---------------------------------------------------------------------

  get messageCount(): number {
    return this.count;
  }

  folderOfKey(key: number): Folder | undefined {
    const index = this.folderOf[key];
    return index === undefined || index < 0 ? undefined : this.folders[index];
  }

  receivedAt(key: number): number {
    return this.receivedAtCol[key] ?? 0;
  }

  moveGeneration(key: number): number {
    return this.moveGenCol[key] ?? 0;
  }

  changeSeq(key: number): number {
    return this.changeSeqCol[key] ?? 0;
  }

  lastModifiedAt(key: number): number {
    return this.modifiedAt.get(key) ?? this.receivedAt(key);
  }

  /** Cheap (no content generation), so folder unread counts stay fast on big mailboxes. */
  isRead(key: number): boolean {
    const override = this.readOverride.get(key);
    if (override !== undefined) return override;
    if (this.explicit.has(key)) return this.explicit.get(key)?.isRead ?? false;
    return (
      seededRole(this.seed, this.number, key) !== "received" ||
      hash32(this.seed, this.number, key, 41) % 10 < 7
    );
  }

  unreadItemCount(folder: Folder): number {
    let unread = 0;
    for (const key of folder.keys) if (!this.isRead(key)) unread++;
    return unread;
  }

  messageId(key: number, immutable: boolean, gen = this.moveGeneration(key)): string {
    return immutable
      ? encodeId("immutableMessage", this.number, key)
      : encodeId("message", this.number, key, gen);
  }

  attachmentId(key: number, index: number): string {
    return encodeId("attachment", this.number, key, index);
  }

  /**
   * Finds a live message by REST or immutable id. A REST id from before a move no longer resolves
   * (Exchange: ErrorItemNotFound); "malformed" means the id is not one of ours at all.
   */
  resolveMessage(id: string): { key: number } | "malformed" | "notFound" {
    const decoded = decodeId(id);
    if (!decoded || (decoded.kind !== "message" && decoded.kind !== "immutableMessage"))
      return "malformed";
    if (decoded.mailbox !== this.number || decoded.item >= this.count) return "notFound";
    const key = decoded.item;
    if ((this.folderOf[key] ?? -1) < 0) return "notFound";
    if (decoded.kind === "message" && decoded.extra !== (this.moveGenCol[key] ?? 0))
      return "notFound";
    return { key };
  }

  resolveAttachment(
    key: number,
    attachmentId: string,
  ): { index: number; spec: AttachmentSpec } | "malformed" | "notFound" {
    const decoded = decodeId(attachmentId);
    if (!decoded || decoded.kind !== "attachment") return "malformed";
    if (decoded.mailbox !== this.number || decoded.item !== key) return "notFound";
    const spec = this.content(key).attachments[decoded.extra];
    return spec ? { index: decoded.extra, spec } : "notFound";
  }

  content(key: number): MessageContent {
    const stored = this.explicit.get(key);
    if (stored) return stored;
    const role = seededRole(this.seed, this.number, key);
    return generateContent(
      this.ctx,
      seededSource(this.seed, this.number, key, role, this.sharedPoolSize),
      role,
    );
  }

  /** Keys of the messages a search folder shows (newest last), computed from its sources. */
  searchFolderKeys(folder: Folder): number[] {
    const threshold = this.searchThreshold();
    const out: number[] = [];
    const visit = (f: Folder): void => {
      if (f.isSearchFolder) return;
      for (let i = f.keys.length - 1; i >= 0; i--) {
        const key = f.keys[i];
        if (key === undefined || this.receivedAt(key) < threshold) break;
        out.push(key);
      }
      for (const c of f.children) visit(c);
    };
    for (const source of folder.searchOver ?? []) visit(source);
    return out.sort((a, b) => this.compareKeys(a, b));
  }

  totalItemCount(folder: Folder): number {
    return folder.isSearchFolder ? this.searchFolderKeys(folder).length : folder.keys.length;
  }

  private searchThreshold(): number {
    let newest = 0;
    for (let k = 0; k < this.count; k++) newest = Math.max(newest, this.receivedAtCol[k] ?? 0);
    return newest - SEARCH_FOLDER_WINDOW_MS;
  }

  /** Orders keys by receivedDateTime, then creation. */
  compareKeys(a: number, b: number): number {
    return this.receivedAt(a) - this.receivedAt(b) || a - b;
  }

  /** Index of the first key in folder.keys not ordered before (receivedAt, key). */
  lowerBound(folder: Folder, receivedAt: number, key: number): number {
    let lo = 0;
    let hi = folder.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = folder.keys[mid] ?? 0;
      const t = this.receivedAt(k);
      if (t < receivedAt || (t === receivedAt && k < key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ---- messages: changes ---------------------------------------------------------------------

  deliver(spec: DeliverySpec, now: number): number {
    const folder =
      spec.folder === undefined
        ? this.folderByWellKnownName("inbox")
        : this.resolveFolder(spec.folder);
    if (!folder || folder.isSearchFolder)
      throw new Error(`no such mail folder: ${String(spec.folder)}`);
    const key = this.count;
    const generated = generateContent(
      this.ctx,
      { kind: "private", mailbox: this.number, index: key },
      "received" satisfies MessageRole,
    );
    const attachments: AttachmentSpec[] | undefined = spec.attachments?.map((a) => {
      const bytes = typeof a.content === "string" ? Buffer.from(a.content, "utf8") : a.content;
      const kind = a.kind ?? "file";
      return {
        kind,
        name: a.name,
        contentType:
          a.contentType === undefined
            ? kind === "file"
              ? "application/octet-stream"
              : null
            : a.contentType,
        size: bytes?.length ?? 512,
        isInline: a.isInline ?? false,
        contentId: a.contentId,
        content: kind === "reference" ? undefined : () => bytes ?? Buffer.alloc(0),
      };
    });
    const content: MessageContent = {
      ...generated,
      ...(spec.subject !== undefined && { subject: spec.subject }),
      ...(spec.from && { from: spec.from, sender: spec.sender ?? spec.from }),
      ...(spec.sender && { sender: spec.sender }),
      ...(spec.toRecipients && { toRecipients: spec.toRecipients }),
      ...(spec.ccRecipients && { ccRecipients: spec.ccRecipients }),
      ...(spec.bccRecipients && { bccRecipients: spec.bccRecipients }),
      ...(spec.body && { body: spec.body }),
      ...(spec.internetMessageId !== undefined && { internetMessageId: spec.internetMessageId }),
      ...(attachments && { attachments }),
      ...(spec.renderedAs && { renderedAs: spec.renderedAs }),
      isRead: false,
    };
    this.explicit.set(key, content);
    this.appendMessage(Math.floor((spec.receivedAt?.getTime() ?? now) / 1000) * 1000, folder);
    this.record(folder, key, ChangeKind.Created);
    return key;
  }

  move(key: number, target: Folder): void {
    const source = this.folderOfKey(key);
    if (!source) throw new Error("message is not in the mailbox");
    if (target.isSearchFolder) throw new Error("cannot move into a search folder");
    if (source === target) return;
    this.removeFromFolder(source, key);
    this.record(source, key, ChangeKind.Deleted);
    // A move creates a new item in Exchange: the REST id changes, the immutable id does not.
    this.moveGenCol[key] = ((this.moveGenCol[key] ?? 0) + 1) & 0xffff;
    this.insertIntoFolder(target, key);
    this.record(target, key, ChangeKind.Created);
  }

  /** Hard delete (purge). Moving to Deleted Items is `move`. */
  delete(key: number): void {
    const folder = this.folderOfKey(key);
    if (!folder) throw new Error("message is not in the mailbox");
    this.removeFromFolder(folder, key);
    this.record(folder, key, ChangeKind.Deleted);
    this.folderOf[key] = -1;
  }

  markRead(key: number, isRead: boolean, now: number): void {
    const folder = this.folderOfKey(key);
    if (!folder) throw new Error("message is not in the mailbox");
    this.readOverride.set(key, isRead);
    this.modifiedAt.set(key, now);
    this.record(folder, key, ChangeKind.Updated);
  }

  expireDeltaTokens(folder?: Folder): void {
    for (const f of folder ? [folder] : this.folders) f.deltaGeneration++;
  }

  private record(folder: Folder, key: number, kind: ChangeKind): void {
    this.seq++;
    this.changeSeqCol[key] = this.seq;
    folder.log.seq.push(this.seq);
    folder.log.key.push(key);
    folder.log.kind.push(kind);
    folder.log.gen.push(this.moveGenCol[key] ?? 0);
  }

  private appendMessage(receivedAt: number, folder: Folder): number {
    const key = this.count;
    this.ensureCapacity(key + 1);
    this.receivedAtCol[key] = receivedAt;
    this.count++;
    this.insertIntoFolder(folder, key);
    return key;
  }

  private insertIntoFolder(folder: Folder, key: number): void {
    this.folderOf[key] = folder.number;
    const at = this.lowerBound(folder, this.receivedAt(key), key);
    if (at === folder.keys.length) folder.keys.push(key);
    else folder.keys.splice(at, 0, key);
  }

  private removeFromFolder(folder: Folder, key: number): void {
    const at = this.lowerBound(folder, this.receivedAt(key), key);
    if (folder.keys[at] !== key) throw new Error("folder index out of step");
    folder.keys.splice(at, 1);
  }

  private ensureCapacity(n: number): void {
    if (n <= this.folderOf.length) return;
    const size = Math.max(n, this.folderOf.length * 2);
    const grow = <T extends Int32Array | Float64Array | Uint32Array | Uint16Array>(
      old: T,
      make: (size: number) => T,
    ): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.folderOf = grow(this.folderOf, (s) => new Int32Array(s));
    this.receivedAtCol = grow(this.receivedAtCol, (s) => new Float64Array(s));
    this.changeSeqCol = grow(this.changeSeqCol, (s) => new Uint32Array(s));
    this.moveGenCol = grow(this.moveGenCol, (s) => new Uint16Array(s));
  }

  // ---- seeding -------------------------------------------------------------------------------

  /** Places n seeded messages; `place(key)` gives each one's receivedAt and folder (mailbox-seed.ts). */
  private seedMessages(
    n: number,
    place: (key: number) => { receivedAt: number; folder: Folder },
  ): void {
    this.ensureCapacity(n);
    for (let key = 0; key < n; key++) {
      const { receivedAt, folder } = place(key);
      this.receivedAtCol[key] = receivedAt;
      this.folderOf[key] = folder.number;
      folder.keys.push(key);
      this.count++;
    }
    // Equal timestamps (a dense seed) still need (receivedAt, key) order.
    for (const f of this.folders) f.keys.sort((a, b) => this.compareKeys(a, b));
  }
}

function pathKey(path: readonly string[]): string {
  return path.map((p) => p.toLowerCase()).join("\u0000");
}
