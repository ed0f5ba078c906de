import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import type { BucketRow, MessageRow } from "../../storage/entities/index.js";
import type { GraphQLContext } from "../context.js";
import { AttachmentType, BucketType, MessageType } from "../types/objects.js";

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
