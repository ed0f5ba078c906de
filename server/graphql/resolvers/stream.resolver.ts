import type { FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Int, Mutation, Resolver, Root } from "type-graphql";
import { requirePermission, requireViewer } from "../../auth/viewer.js";
import type { BucketRow, ProjectRow, StreamRow } from "../../storage/entities/index.js";
import type { StreamBatch } from "../../streams/stream-service.js";
import type { GraphQLContext } from "../context.js";
import { CreateStreamInput } from "../types/inputs.js";
import {
  BucketType,
  ProjectType,
  StreamBatchType,
  StreamFilterType,
  StreamType,
} from "../types/objects.js";

@Resolver(() => StreamType)
export class StreamResolver {
  @Mutation(() => StreamType)
  createStream(
    @Arg("input", () => CreateStreamInput) input: CreateStreamInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.create(requireViewer(ctx), input);
  }

  @Mutation(() => StreamType)
  advanceStream(
    @Arg("project", () => String) project: string,
    @Arg("name", () => String) name: string,
    @Arg("sequenceId", () => String) sequenceId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.advance(requireViewer(ctx), project, name, sequenceId);
  }

  @Mutation(() => StreamType)
  resetStream(
    @Arg("project", () => String) project: string,
    @Arg("name", () => String) name: string,
    @Arg("to", () => Date) to: Date,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.reset(requireViewer(ctx), project, name, to);
  }

  @Mutation(() => Boolean)
  deleteStream(
    @Arg("project", () => String) project: string,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.delete(requireViewer(ctx), project, name);
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() row: StreamRow, @Ctx() ctx: GraphQLContext): Promise<ProjectRow> {
    return (await ctx.services.projects.findById(requireViewer(ctx), row.projectId))!;
  }

  @FieldResolver(() => [BucketType])
  buckets(@Root() row: StreamRow, @Ctx() ctx: GraphQLContext): Promise<BucketRow[]> {
    return ctx.services.streams.bucketsOf(row.id);
  }

  @FieldResolver(() => Int, {
    description:
      "Messages of the stream's buckets stored after its position: how far the consumer is behind (the stream's filter is not applied, so filtered streams may deliver fewer). Peek at them with fetch, which does not move the position.",
  })
  lag(@Root() row: StreamRow, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.streams.lag(requireViewer(ctx), row);
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

  /**
   * Takes `streams-consume`; message contents also take `messages-read` (DOMAIN.md), so a consumer
   * without it may still ask for sequence ids and counts.
   */
  @FieldResolver(() => StreamBatchType)
  fetch(
    @Root() row: StreamRow,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("size", () => Int, { nullable: true, defaultValue: 16 }) size: number | null,
  ): Promise<StreamBatch> {
    const viewer = requireViewer(ctx);
    requirePermission(viewer, row.projectId, "streams-consume", `Stream '${row.name}'`);
    if (selects(info, ["results", "message"])) {
      requirePermission(viewer, row.projectId, "messages-read", `Stream '${row.name}'`);
    }
    return ctx.services.streams.fetch(viewer, row, size ?? 16);
  }
}

/** Does the current field's selection reach `path` (through fragments too)? */
function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const visit = (set: SelectionSetNode | undefined, depth: number): boolean => {
    if (!set) return false;
    return set.selections.some((selection) => {
      if (selection.kind === "Field") {
        if (selection.name.value !== path[depth]) return false;
        return depth === path.length - 1 || visit(selection.selectionSet, depth + 1);
      }
      if (selection.kind === "InlineFragment") return visit(selection.selectionSet, depth);
      const fragment: FragmentDefinitionNode | undefined = info.fragments[selection.name.value];
      return visit(fragment?.selectionSet, depth);
    });
  };
  return info.fieldNodes.some((node) => visit(node.selectionSet, 0));
}
