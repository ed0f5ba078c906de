import DataLoader from "dataloader";
import type { Deps } from "../app/deps.js";
import { type Viewer, visible } from "../auth/viewer.js";
import {
  decodeMessageCursor,
  type MessageFilterInput,
  type MessageOrder,
  messageFilterKeys,
} from "../domain/message-listing.js";
import { badInput } from "../domain/errors.js";
import { validatePageArgs } from "../domain/page-args.js";
import { attachmentsOfMessages } from "../storage/attachment-store.js";
import { requireBucket } from "../storage/bucket-store.js";
import type { AttachmentRow, MessageRow } from "../storage/entities/index.js";
import {
  bucketFolders,
  countMessages,
  type MessagePage,
  messageById,
  pageMessages,
} from "../storage/message-queries.js";

/** Largest page a client may ask for; larger requests are refused rather than silently cut. */
export const MAX_PAGE_SIZE = 200;

/** Most messages `countUpTo` counts: beyond, a count says "at least this many". */
export const MAX_COUNT_LIMIT = 100_000;

/** A page, and its filter's counts, run only when asked for (counting costs every match). */
export interface CountedPage extends MessagePage {
  /** How many messages the filter selects. */
  count(): Promise<number>;
  /** The same, counting no further than `limit` (1 to MAX_COUNT_LIMIT): `exact` false beyond. */
  countUpTo(limit: number): Promise<{ count: number; exact: boolean }>;
}

export class MessageService {
  /**
   * A page of messages asks for each message's attachments; they are read in one query per tick.
   * No cache: batching only, so nothing stale outlives the request and nothing crosses viewers
   * (each message was already checked against its viewer).
   */
  private readonly attachmentLoader = new DataLoader<string, AttachmentRow[]>(
    async (messageIds) => {
      const rows = await this.deps.db.read((m) => attachmentsOfMessages(m, messageIds));
      const byMessage = new Map<string, AttachmentRow[]>();
      for (const row of rows) {
        const list = byMessage.get(row.messageId);
        if (list) list.push(row);
        else byMessage.set(row.messageId, [row]);
      }
      return messageIds.map((id) => byMessage.get(id) ?? []);
    },
    { cache: false, maxBatchSize: 500 },
  );

  constructor(private readonly deps: Deps) {}

  async page(
    viewer: Viewer,
    bucketId: string,
    args: {
      first: number;
      after: string | null;
      order?: MessageOrder | null;
      filter: MessageFilterInput | null;
    },
  ): Promise<CountedPage> {
    // The cursor's form depends on the order: decodeMessageCursor checks it.
    validatePageArgs({ first: args.first }, { max: MAX_PAGE_SIZE });
    const order = args.order ?? "NEWEST_FIRST";
    const after = args.after === null ? null : decodeMessageCursor(args.after, order);
    const filter = messageFilterKeys(args.filter);
    if (order === "RELEVANCE" && !filter.search) {
      throw badInput("order", "RELEVANCE orders the matches of a search: give filter.search too.");
    }
    const page = await this.deps.db.read(async (m) => {
      await requireBucket(m, viewer, bucketId, "messages-read");
      return pageMessages(m, bucketId, { first: args.first, after, order }, filter);
    });
    // The bucket was checked with the page, in this request.
    const count = (limit: number | null) =>
      this.deps.db.read((m) => countMessages(m, bucketId, filter, limit));
    return {
      ...page,
      count: () => count(null),
      countUpTo: async (limit) => {
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_COUNT_LIMIT)
          throw badInput("limit", `limit must be a whole number from 1 to ${MAX_COUNT_LIMIT}.`);
        const n = await count(limit + 1);
        return n > limit ? { count: limit, exact: false } : { count: n, exact: true };
      },
    };
  }

  /** The folders of a bucket's stored messages (paths as written in filters), to pick from. */
  folders(viewer: Viewer, bucketId: string): Promise<string[]> {
    return this.deps.db.read(async (m) => {
      await requireBucket(m, viewer, bucketId, "messages-read");
      return bucketFolders(m, bucketId);
    });
  }

  async findById(viewer: Viewer, id: string): Promise<MessageRow | null> {
    const row = await this.deps.db.read((m) => messageById(m, id));
    return visible(viewer, row, row?.projectId, "messages-read", `Message '${id}'`);
  }

  attachments(messageId: string): Promise<AttachmentRow[]> {
    return this.attachmentLoader.load(messageId);
  }
}
