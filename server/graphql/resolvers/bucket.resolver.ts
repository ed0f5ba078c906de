import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import type { BucketRow, ProjectRow } from "../../storage/entities/index.js";
import type { GraphQLContext } from "../context.js";
import { encodeMessageCursor, encodeOffsetCursor } from "../../domain/message-listing.js";
import { MessageOrder } from "../types/enums.js";
import { MessageFilterInput, NewBucketInput } from "../types/inputs.js";
import { BucketType, MessageConnectionType, ProjectType } from "../types/objects.js";

@Resolver(() => BucketType)
export class BucketResolver {
  @Query(() => BucketType, { nullable: true, description: "A bucket by id (beyond the contract)." })
  bucket(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<BucketRow | null> {
    return ctx.services.buckets.findVisibleById(requireViewer(ctx), id);
  }

  @Mutation(() => BucketType)
  createBucket(
    @Arg("input", () => NewBucketInput) input: NewBucketInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.buckets.create(requireViewer(ctx), input);
  }

  @Mutation(() => Boolean)
  deleteBucket(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.buckets.delete(requireViewer(ctx), id);
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() row: BucketRow, @Ctx() ctx: GraphQLContext): Promise<ProjectRow> {
    return (await ctx.services.projects.findById(requireViewer(ctx), row.projectId))!;
  }

  @FieldResolver(() => Int)
  messageCount(@Root() row: BucketRow, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.buckets.messageCount(row.id);
  }

  @FieldResolver(() => [String], {
    description:
      "The folders of the bucket's stored messages, as paths written in filters (Root/Top of Information Store/Inbox), to pick a folder filter from.",
  })
  folders(@Root() row: BucketRow, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return ctx.services.messages.folders(requireViewer(ctx), row.id);
  }

  @FieldResolver(() => MessageConnectionType)
  async messages(
    @Root() row: BucketRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("filter", () => MessageFilterInput, { nullable: true }) filter: MessageFilterInput | null,
    @Arg("order", () => MessageOrder, {
      nullable: true,
      defaultValue: MessageOrder.NEWEST_FIRST,
      description:
        "Newest received first (the default), oldest first, or (with filter.search) most relevant first. Cursors belong to the order they were made in.",
    })
    order: MessageOrder | null,
  ) {
    const page = await ctx.services.messages.page(requireViewer(ctx), row.id, {
      first: first ?? 50,
      after: after ?? null,
      order,
      filter,
    });
    const offset = page.offset;
    const edges = page.rows.map((node, i) => ({
      cursor: offset === null ? encodeMessageCursor(node) : encodeOffsetCursor(offset + i + 1),
      node,
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      counts: page,
    };
  }
}
