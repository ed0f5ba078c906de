import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import type { GraphQLContext } from "../context.js";
import { AuditLogConnectionType } from "../types/objects.js";

@Resolver()
export class AuditResolver {
  @Query(() => AuditLogConnectionType, {
    description:
      "The audit log, newest first (admin tokens only). `project`: entries of that project; omitted: all.",
  })
  async auditLog(
    @Ctx() ctx: GraphQLContext,
    @Arg("project", () => String, { nullable: true }) project: string | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
  ): Promise<AuditLogConnectionType> {
    const page = await ctx.services.audit.list(requireViewer(ctx), {
      project: project ?? null,
      first: first ?? 50,
      after: after ?? null,
    });
    const edges = page.rows.map((row) => ({
      cursor: String(row.seq),
      node: {
        id: String(row.seq),
        at: row.at,
        tokenId: row.tokenId,
        tokenName: row.tokenName,
        action: row.action,
        project: row.projectName,
        targetType: row.targetType,
        targetId: row.targetId,
        targetName: row.targetName,
        outcome: row.outcome,
        summary: row.summary,
      },
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
