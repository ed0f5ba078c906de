import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import type { BucketRow, ProjectRow, StreamRow } from "../../storage/entities/index.js";
import type { StreamBatch } from "../../streams/stream-service.js";
import type { GraphQLContext } from "../context.js";
import { CreateStreamInput } from "../types/inputs.js";
import { BucketType, ProjectType, StreamBatchType, StreamFilterType, StreamType } from "../types/objects.js";

@Resolver(() => StreamType)
export class StreamResolver {
  @Mutation(() => StreamType)
  createStream(@Arg("input", () => CreateStreamInput) input: CreateStreamInput, @Ctx() ctx: GraphQLContext) {
    return ctx.services.streams.create(requireViewer(ctx.viewer), input);
  }

  @Mutation(() => StreamType)
  advanceStream(
    @Arg("project", () => String) project: string,
    @Arg("name", () => String) name: string,
    @Arg("sequenceId", () => String) sequenceId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.advance(requireViewer(ctx.viewer), project, name, sequenceId);
  }

  @Mutation(() => StreamType)
  resetStream(
    @Arg("project", () => String) project: string,
    @Arg("name", () => String) name: string,
    @Arg("to", () => Date) to: Date,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.reset(requireViewer(ctx.viewer), project, name, to);
  }

  @Mutation(() => Boolean)
  deleteStream(
    @Arg("project", () => String) project: string,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.delete(requireViewer(ctx.viewer), project, name);
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() row: StreamRow, @Ctx() ctx: GraphQLContext): Promise<ProjectRow> {
    return (await ctx.services.projects.findById(requireViewer(ctx.viewer), row.projectId))!;
  }

  @FieldResolver(() => [BucketType])
  buckets(@Root() row: StreamRow, @Ctx() ctx: GraphQLContext): Promise<BucketRow[]> {
    return ctx.services.streams.bucketsOf(row.id);
  }

  @FieldResolver(() => StreamFilterType)
  filter(@Root() row: StreamRow): StreamFilterType {
    const f = row.filter;
    return {
      receivedFrom: f.receivedFrom ? new Date(f.receivedFrom) : null,
      receivedTo: f.receivedTo ? new Date(f.receivedTo) : null,
      folders: f.folders,
      participants: f.participants,
      domains: f.domains,
    };
  }

  @FieldResolver(() => StreamBatchType)
  fetch(
    @Root() row: StreamRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("size", () => Int, { nullable: true, defaultValue: 16 }) size: number | null,
  ): Promise<StreamBatch> {
    return ctx.services.streams.fetch(requireViewer(ctx.viewer), row, size ?? 16);
  }
}
