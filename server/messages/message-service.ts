import DataLoader from "dataloader";
import { In } from "typeorm";
import type { Deps } from "../app/deps.js";
import { type Viewer, visible } from "../auth/viewer.js";
import { badInput } from "../domain/errors.js";
import { AttachmentRow, MessageRow } from "../storage/entities/index.js";
import {
  decodeMessageCursor,
  type MessageFilterInput,
  type MessageOrder,
  messageFilterKeys,
} from "../domain/message-listing.js";
import { bucketFolders, type MessagePage, pageMessages } from "../storage/message-queries.js";
import { BucketService } from "../buckets/bucket-service.js";

/** Largest page a client may ask for; larger requests are refused rather than silently cut. */
export const MAX_PAGE_SIZE = 200;

export class MessageService {
  /**
   * A page of messages asks for each message's attachments; they are read in one query per tick.
   * No cache: batching only, so nothing stale outlives the request and nothing crosses viewers
   * (each message was already checked against its viewer).
   */
  private readonly attachmentLoader = new DataLoader<string, AttachmentRow[]>(
    async (messageIds) => {
      const rows = await this.deps.db.read((m) =>
        m.find(AttachmentRow, {
          where: { messageId: In([...messageIds]) },
          order: { name: "ASC" },
        }),
      );
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
  ): Promise<MessagePage> {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
      throw badInput("first", `first must be from 1 to ${MAX_PAGE_SIZE}.`);
    }
    const order = args.order ?? "NEWEST_FIRST";
    const after = args.after === null ? null : decodeMessageCursor(args.after, order);
    const filter = messageFilterKeys(args.filter);
    if (order === "RELEVANCE" && !filter.search) {
      throw badInput("order", "RELEVANCE orders the matches of a search: give filter.search too.");
    }
    return this.deps.db.read(async (m) => {
      await BucketService.require(m, viewer, bucketId, "messages-read");
      return pageMessages(m, bucketId, { first: args.first, after, order }, filter);
    });
  }

  /** The folders of a bucket's stored messages (paths as written in filters), to pick from. */
  folders(viewer: Viewer, bucketId: string): Promise<string[]> {
    return this.deps.db.read(async (m) => {
      await BucketService.require(m, viewer, bucketId, "messages-read");
      return bucketFolders(m, bucketId);
    });
  }

  async findById(viewer: Viewer, id: string): Promise<MessageRow | null> {
    const row = await this.deps.db.read((m) => m.findOneBy(MessageRow, { id }));
    return visible(viewer, row, row?.projectId, "messages-read", `Message '${id}'`);
  }

  attachments(messageId: string): Promise<AttachmentRow[]> {
    return this.attachmentLoader.load(messageId);
  }
}
