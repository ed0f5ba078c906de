import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import type { BucketRow, MessageRow } from "../../storage/entities/index.js";
import type { GraphQLContext } from "../context.js";
import { MAX_COUNT_LIMIT } from "../../messages/message-service.js";
import {
  AttachmentType,
  BucketType,
  MessageConnectionType,
  MessageCountType,
  MessageType,
} from "../types/objects.js";

@Resolver(() => MessageType)
export class MessageResolver {
  @Query(() => MessageType, { nullable: true })
  message(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<MessageRow | null> {
    return ctx.services.messages.findById(requireViewer(ctx), id);
  }

  @FieldResolver(() => BucketType)
  bucket(@Root() row: MessageRow, @Ctx() ctx: GraphQLContext): Promise<BucketRow> {
    return ctx.services.buckets.findById(requireViewer(ctx), row.bucketId, "messages-read");
  }

  @FieldResolver(() => [String], {
    description:
      "What was changed to make the message storable (NUL characters removed, a body truncated, an unreadable date replaced); empty for almost every message.",
  })
  storageNotes(@Root() row: MessageRow): string[] {
    return row.storageNotes ?? [];
  }

  @FieldResolver(() => [AttachmentType])
  async attachments(
    @Root() row: MessageRow,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AttachmentType[]> {
    const rows = await ctx.services.messages.attachments(row.id);
    return rows.map((a) => ({
      name: a.name,
      contentType: a.contentType,
      size: Number(a.size),
      inline: a.inline,
      reference: a.reference,
    }));
  }
}

/** A page's counts, run only when selected: counting costs every match, a page only its rows. */
@Resolver(() => MessageConnectionType)
export class MessageConnectionResolver {
  @FieldResolver(() => Int, {
    description:
      "How many messages the filter selects, exactly. On a large bucket a common search word costs every match: countUpTo answers faster.",
  })
  totalCount(@Root() connection: MessageConnectionType): Promise<number> {
    return connection.counts.count();
  }

  @FieldResolver(() => MessageCountType, {
    description: `How many messages the filter selects, counting no further than limit (1 to ${MAX_COUNT_LIMIT}): show "10,000+" when not exact.`,
  })
  countUpTo(
    @Root() connection: MessageConnectionType,
    @Arg("limit", () => Int, { defaultValue: 10_000 }) limit: number,
  ): Promise<MessageCountType> {
    return connection.counts.countUpTo(limit);
  }
}
