import { filter, pipe } from "@graphql-yoga/subscription";
import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from "type-graphql";
import { type Viewer, hasPermission, requirePermission, requireViewer } from "../../auth/viewer.js";
import { notFound } from "../../domain/errors.js";
import type {
  IntegrationEventPayload,
  MessageAddedPayload,
  SyncProgressPayload,
} from "../../events/event-bus.js";
import type { PermissionName } from "../../auth/permissions.js";
import type { IntegrationRow, MailboxRow, MessageRow } from "../../storage/entities/index.js";
import { compileStreamFilter } from "../../streams/stream-filter.js";
import type { GraphQLContext } from "../context.js";
import {
  IntegrationEventType,
  IntegrationType,
  MailboxType,
  MessageAddedEventType,
  MessageType,
  SyncProgressEventType,
  SyncStateType,
} from "../types/objects.js";
import { MailboxResolver } from "./mailbox.resolver.js";

/**
 * Subscriptions check permission when they start and again for every event (a token revoked
 * while connected stops receiving), and only ever see their own project's events.
 */
async function subscriptionProject(ctx: GraphQLContext, name: string, permission: PermissionName) {
  const viewer = requireViewer(ctx.viewer);
  const project = await ctx.services.projects.findByName(viewer, name);
  if (!project) throw notFound(`Project '${name}' was not found.`);
  requirePermission(viewer, project.id, permission, `Project '${name}'`);
  return { viewer, project };
}

const stillAllowed = async (ctx: GraphQLContext, viewer: Viewer, projectId: string, permission: PermissionName) =>
  hasPermission(viewer, projectId, permission) && (await ctx.services.tokens.isActive(viewer.tokenId));

interface SubscribeData<A> {
  args: A;
  context: GraphQLContext;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => IntegrationEventType, {
    subscribe: async ({ args, context }: SubscribeData<{ project: string }>) => {
      const { viewer, project } = await subscriptionProject(context, args.project, "integrations-read");
      return pipe(
        context.services.events.subscribe("integrationEvents"),
        filter(
          async (e: IntegrationEventPayload) =>
            e.projectId === project.id && (await stillAllowed(context, viewer, project.id, "integrations-read")),
        ),
      );
    },
  })
  integrationEvents(
    @Root() payload: IntegrationEventPayload,
    @Arg("project", () => String) _project: string,
  ): IntegrationEventPayload & { project: string } {
    return { ...payload, project: payload.projectName };
  }

  @Subscription(() => SyncProgressEventType, {
    subscribe: async ({
      args,
      context,
    }: SubscribeData<{ project: string; integrationId?: string | null; mailboxId?: string | null }>) => {
      const { viewer, project } = await subscriptionProject(context, args.project, "integrations-read");
      return pipe(
        context.services.events.subscribe("syncProgress"),
        filter(
          async (e: SyncProgressPayload) =>
            e.projectId === project.id &&
            (!args.integrationId || e.integrationId === args.integrationId) &&
            (!args.mailboxId || e.mailboxId === args.mailboxId) &&
            (await stillAllowed(context, viewer, project.id, "integrations-read")),
        ),
      );
    },
  })
  syncProgress(
    @Root() payload: SyncProgressPayload,
    @Arg("project", () => String) _project: string,
    @Arg("integrationId", () => ID, { nullable: true }) _integrationId: string | null,
    @Arg("mailboxId", () => ID, { nullable: true }) _mailboxId: string | null,
  ): SyncProgressPayload & { project: string } {
    return { ...payload, project: payload.projectName };
  }

  @Subscription(() => MessageAddedEventType, {
    subscribe: async ({
      args,
      context,
    }: SubscribeData<{ project: string; bucketId?: string | null; stream?: string | null }>) => {
      const { viewer, project } = await subscriptionProject(context, args.project, "messages-read");
      let streamFilter: { bucketIds: Set<string>; passes: (m: MessageRow) => boolean } | null = null;
      if (args.stream) {
        const stream = await context.services.streams.findByName(viewer, project.id, args.stream);
        if (!stream) throw notFound(`Project '${args.project}' has no stream named '${args.stream}'.`);
        const buckets = await context.services.streams.bucketsOf(stream.id);
        streamFilter = { bucketIds: new Set(buckets.map((b) => b.id)), passes: compileStreamFilter(stream.filter) };
      }
      return pipe(
        context.services.events.subscribe("messageAdded"),
        filter(async (e: MessageAddedPayload) => {
          if (e.projectId !== project.id) return false;
          if (args.bucketId && e.bucketId !== args.bucketId) return false;
          if (streamFilter) {
            if (!streamFilter.bucketIds.has(e.bucketId)) return false;
            const message = await context.services.messages.findById(viewer, e.messageId);
            if (!message || !streamFilter.passes(message)) return false;
          }
          return stillAllowed(context, viewer, project.id, "messages-read");
        }),
      );
    },
  })
  messageAdded(
    @Root() payload: MessageAddedPayload,
    @Arg("project", () => String) _project: string,
    @Arg("bucketId", () => ID, { nullable: true }) _bucketId: string | null,
    @Arg("stream", () => String, { nullable: true }) _stream: string | null,
  ): MessageAddedPayload & { project: string } {
    return { ...payload, project: payload.projectName };
  }
}

@Resolver(() => IntegrationEventType)
export class IntegrationEventResolver {
  @FieldResolver(() => IntegrationType, { nullable: true })
  async integration(@Root() e: IntegrationEventPayload, @Ctx() ctx: GraphQLContext): Promise<IntegrationRow | null> {
    return ctx.services.integrations.findById(requireViewer(ctx.viewer), e.integrationId);
  }
}

@Resolver(() => SyncProgressEventType)
export class SyncProgressEventResolver {
  @FieldResolver(() => MailboxType)
  async mailbox(@Root() e: SyncProgressPayload, @Ctx() ctx: GraphQLContext): Promise<MailboxRow> {
    const row = await ctx.services.mailboxes.findById(requireViewer(ctx.viewer), e.mailboxId);
    if (!row) throw notFound(`Mailbox '${e.mailboxId}' was not found.`);
    return row;
  }

  @FieldResolver(() => SyncStateType)
  async sync(@Root() e: SyncProgressPayload, @Ctx() ctx: GraphQLContext): Promise<SyncStateType> {
    return new MailboxResolver().sync({ id: e.mailboxId } as MailboxRow, ctx);
  }
}

@Resolver(() => MessageAddedEventType)
export class MessageAddedEventResolver {
  @FieldResolver(() => MessageType)
  async message(@Root() e: MessageAddedPayload, @Ctx() ctx: GraphQLContext): Promise<MessageRow> {
    const row = await ctx.services.messages.findById(requireViewer(ctx.viewer), e.messageId);
    if (!row) throw notFound(`Message '${e.messageId}' was not found.`);
    return row;
  }
}
