import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { applyListQuery } from "../../domain/list-query.js";
import { ListArgs } from "../types/list-args.js";
import { requireViewer } from "../../auth/viewer.js";
import type {
  BucketRow,
  IntegrationRow,
  ProjectRow,
  StreamRow,
} from "../../storage/entities/index.js";
import type { GraphQLContext } from "../context.js";
import { CreateProjectInput, UpdateProjectInput } from "../types/inputs.js";
import {
  BucketType,
  IntegrationType,
  ProjectType,
  StreamType,
  UsageDayType,
  UsageType,
} from "../types/objects.js";

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Query(() => [ProjectType])
  projects(@Ctx() ctx: GraphQLContext): Promise<ProjectRow[]> {
    return ctx.services.projects.list(requireViewer(ctx));
  }

  @Query(() => ProjectType, { nullable: true })
  project(
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProjectRow | null> {
    return ctx.services.projects.findByName(requireViewer(ctx), name);
  }

  @Mutation(() => ProjectType)
  createProject(
    @Arg("input", () => CreateProjectInput) input: CreateProjectInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.projects.create(requireViewer(ctx), input);
  }

  @Mutation(() => ProjectType)
  updateProject(
    @Arg("name", () => String) name: string,
    @Arg("input", () => UpdateProjectInput) input: UpdateProjectInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.projects.update(requireViewer(ctx), name, input);
  }

  @Mutation(() => Boolean)
  deleteProject(@Arg("name", () => String) name: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.projects.delete(requireViewer(ctx), name);
  }

  @FieldResolver(() => UsageType)
  usage(@Root() project: ProjectRow): UsageType {
    return { messagesCreated: project.messagesCreated, unitsCharged: project.unitsCharged };
  }

  @FieldResolver(() => [UsageDayType], {
    description:
      "Units charged per UTC day, integration and mailbox, oldest day first; days without charges are left out. Default: the last 30 days; at most 366.",
  })
  usageByDay(
    @Root() project: ProjectRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("from", () => Date, { nullable: true }) from: Date | null,
    @Arg("to", () => Date, { nullable: true }) to: Date | null,
  ) {
    return ctx.services.projects.usageByDay(requireViewer(ctx), project, from ?? null, to ?? null);
  }

  @FieldResolver(() => [IntegrationType])
  async integrations(
    @Root() project: ProjectRow,
    @Ctx() ctx: GraphQLContext,
    @Args(() => ListArgs) list: ListArgs,
  ): Promise<IntegrationRow[]> {
    const rows = await ctx.services.integrations.list(requireViewer(ctx), project.id);
    return applyListQuery(rows, list);
  }

  @FieldResolver(() => IntegrationType, { nullable: true })
  integration(
    @Root() project: ProjectRow,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.integrations.findByName(requireViewer(ctx), project.id, name);
  }

  @FieldResolver(() => [BucketType])
  async buckets(
    @Root() project: ProjectRow,
    @Ctx() ctx: GraphQLContext,
    @Args(() => ListArgs) list: ListArgs,
  ): Promise<BucketRow[]> {
    const rows = await ctx.services.buckets.list(requireViewer(ctx), project.id);
    return applyListQuery(rows, list);
  }

  @FieldResolver(() => BucketType, { nullable: true })
  bucket(
    @Root() project: ProjectRow,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.buckets.findByName(requireViewer(ctx), project.id, name);
  }

  @FieldResolver(() => [StreamType])
  async streams(
    @Root() project: ProjectRow,
    @Ctx() ctx: GraphQLContext,
    @Args(() => ListArgs) list: ListArgs,
  ): Promise<StreamRow[]> {
    const rows = await ctx.services.streams.list(requireViewer(ctx), project.id);
    return applyListQuery(rows, list);
  }

  @FieldResolver(() => StreamType, { nullable: true })
  stream(
    @Root() project: ProjectRow,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.streams.findByName(requireViewer(ctx), project.id, name);
  }
}
