import { Ctx, Query, Resolver } from "type-graphql";
import { requireAdmin, requireViewer } from "../../auth/viewer.js";
import type { GraphQLContext } from "../context.js";
import { PushNotificationStatsType } from "../types/objects.js";

@Resolver()
export class PushResolver {
  @Query(() => PushNotificationStatsType, {
    description:
      "Change notifications this process received since it started, with how many were ignored (admin tokens only).",
  })
  pushNotificationStats(@Ctx() ctx: GraphQLContext): PushNotificationStatsType {
    requireAdmin(requireViewer(ctx), "read change-notification statistics");
    return ctx.services.notifications.counters();
  }
}
