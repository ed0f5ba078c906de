import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { applyListQuery } from "../../domain/list-query.js";
import { ListArgs } from "../types/list-args.js";
import { permissionFromEnum, permissionToEnum } from "../../auth/permissions.js";
import type { TokenWithGrants } from "../../auth/token-service.js";
import { requireViewer } from "../../auth/viewer.js";
import type { GraphQLContext } from "../context.js";
import { Permission } from "../types/enums.js";
import { CreateApiTokenInput } from "../types/inputs.js";
import { ApiTokenType, CreatedApiTokenType } from "../types/objects.js";

@Resolver(() => ApiTokenType)
export class TokenResolver {
  @Query(() => [ApiTokenType])
  async apiTokens(
    @Ctx() ctx: GraphQLContext,
    @Args(() => ListArgs) list: ListArgs,
  ): Promise<ApiTokenType[]> {
    const tokens = (await ctx.services.tokens.list(requireViewer(ctx))).map(toApiToken);
    return applyListQuery(tokens, list);
  }

  @Query(() => ApiTokenType)
  async viewer(@Ctx() ctx: GraphQLContext): Promise<ApiTokenType> {
    return toApiToken(await ctx.services.tokens.viewerToken(requireViewer(ctx)));
  }

  @Mutation(() => CreatedApiTokenType)
  async createApiToken(
    @Arg("input", () => CreateApiTokenInput) input: CreateApiTokenInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedApiTokenType> {
    const { token, created } = await ctx.services.tokens.create(requireViewer(ctx), {
      name: input.name,
      admin: input.admin,
      grants: input.grants?.map((g) => ({
        project: g.project,
        permissions: g.permissions.map(permissionFromEnum),
      })),
    });
    return { token, apiToken: toApiToken(created) };
  }

  @Mutation(() => Boolean)
  revokeApiToken(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.tokens.revoke(requireViewer(ctx), id);
  }
}

function toApiToken({ token, grants }: TokenWithGrants): ApiTokenType {
  return {
    id: token.id,
    name: token.name,
    admin: token.admin,
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
    grants: grants.map((g) => ({
      project: g.projectName,
      permissions: g.permissions.map((p) => permissionToEnum(p) as Permission),
    })),
  };
}
