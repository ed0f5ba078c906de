import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from "type-graphql";
import type { PermissionName } from "../../auth/permissions.js";
import { type Viewer, hasPermission, requirePermission, requireViewer } from "../../auth/viewer.js";
import { notFound, unauthenticated } from "../../domain/errors.js";
import type {
  IntegrationEventPayload,
  MessageAddedPayload,
  SyncProgressPayload,
} from "../../events/event-bus.js";
import { endWhen, filterEvents, mapEvents } from "../../events/event-streams.js";
import { oncePerEvent } from "../../events/per-event-cache.js";
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
 * Subscriptions check permission when they start and again for every event, and only ever see
 * their own project's events. A token revoked while connected ends its subscriptions with
 * UNAUTHENTICATED at once (and its socket closes), a deleted project's with NOT_FOUND.
 */
async function subscriptionProject(ctx: GraphQLContext, name: string, permission: PermissionName) {
  const viewer = requireViewer(ctx.viewer);
  const project = await ctx.services.projects.findByName(viewer, name);
  if (!project) throw notFound(`Project '${name}' was not found.`);
  requirePermission(viewer, project.id, permission, `Project '${name}'`);
  return { viewer, project };
}

/** The project's events that `viewer` may still receive, narrowed by `keep`. */
function projectEvents<T extends { projectId: string }>(
  ctx: GraphQLContext,
  viewer: Viewer,
  projectId: string,
  permission: PermissionName,
  source: AsyncIterator<T>,
  keep: (event: T) => boolean | Promise<boolean> = () => true,
): AsyncIterableIterator<T> {
  const events = filterEvents(source, async (event) => {
    if (event.projectId !== projectId || !hasPermission(viewer, projectId, permission))
      return false;
    if (!(await ctx.services.tokens.isActive(viewer.tokenId))) throw revoked();
    return keep(event);
  });
  const ended = filterEvents(ctx.services.events.subscribe("accessRevoked"), (e) =>
    e.kind === "TOKEN_REVOKED" ? e.tokenId === viewer.tokenId : e.projectId === projectId,
  );
  return endWhen(
    events,
    mapEvents(ended, (e) =>
      e.kind === "TOKEN_REVOKED"
        ? revoked()
        : notFound(
            `Project '${e.projectName}' was deleted, so this subscription ended; nothing more will come from it.`,
          ),
    ),
  );
}

const revoked = () =>
  unauthenticated(
    "The API token of this connection was revoked; connect again with a valid token.",
  );

const loadMessage = (ctx: GraphQLContext, e: MessageAddedPayload): Promise<MessageRow | null> =>
  oncePerEvent(e, "message", () =>
    ctx.services.messages.findById(requireViewer(ctx.viewer), e.messageId),
  );

const loadMailbox = (ctx: GraphQLContext, e: SyncProgressPayload): Promise<MailboxRow | null> =>
  oncePerEvent(e, "mailbox", () =>
    ctx.services.mailboxes.findById(requireViewer(ctx.viewer), e.mailboxId),
  );

interface SubscribeData<A> {
  args: A;
  context: GraphQLContext;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => IntegrationEventType, {
    description:
      "Integration changes in a project (created, updated, enabled/disabled, credentials checked, deleted).",
    subscribe: async ({ args, context }: SubscribeData<{ project: string }>) => {
      const { viewer, project } = await subscriptionProject(
        context,
        args.project,
        "integrations-read",
      );
      return projectEvents(
        context,
        viewer,
        project.id,
        "integrations-read",
        context.services.events.subscribe("integrationEvents"),
      );
    },
  })
  integrationEvents(
    @Root() payload: IntegrationEventPayload,
    @Arg("project", () => String) _project: string,
  ): IntegrationEventPayload {
    return payload;
  }

  @Subscription(() => SyncProgressEventType, {
    description:
      "Live sync progress of a project's mailboxes, at most ~10 events a second per mailbox; each carries the mailbox's current state.",
    subscribe: async ({
      args,
      context,
    }: SubscribeData<{
      project: string;
      integrationId?: string | null;
      mailboxId?: string | null;
    }>) => {
      const { viewer, project } = await subscriptionProject(
        context,
        args.project,
        "integrations-read",
      );
      if (args.integrationId) {
        const integration = await context.services.integrations.findById(
          viewer,
          args.integrationId,
        );
        if (!integration || integration.projectId !== project.id) {
          throw notFound(`Project '${project.name}' has no integration '${args.integrationId}'.`);
        }
      }
      if (args.mailboxId) {
        const mailbox = await context.services.mailboxes.findById(viewer, args.mailboxId);
        const integration =
          mailbox && (await context.services.integrations.findById(viewer, mailbox.integrationId));
        if (!integration || integration.projectId !== project.id) {
          throw notFound(`Project '${project.name}' has no mailbox '${args.mailboxId}'.`);
        }
      }
      return projectEvents(
        context,
        viewer,
        project.id,
        "integrations-read",
        context.services.events.subscribe("syncProgress"),
        // A mailbox removed since the event was published has nothing left to show.
        async (e) =>
          (!args.integrationId || e.integrationId === args.integrationId) &&
          (!args.mailboxId || e.mailboxId === args.mailboxId) &&
          (await loadMailbox(context, e)) !== null,
      );
    },
  })
  syncProgress(
    @Root() payload: SyncProgressPayload,
    @Arg("project", () => String) _project: string,
    @Arg("integrationId", () => ID, { nullable: true }) _integrationId: string | null,
    @Arg("mailboxId", () => ID, { nullable: true }) _mailboxId: string | null,
  ): SyncProgressPayload {
    return payload;
  }

  @Subscription(() => MessageAddedEventType, {
    description:
      "Messages stored in a project, in sequence order; `bucketId` narrows to one bucket, `stream` to what that stream would return (a consumer's wake-up call).",
    subscribe: async ({
      args,
      context,
    }: SubscribeData<{ project: string; bucketId?: string | null; stream?: string | null }>) => {
      const { viewer, project } = await subscriptionProject(context, args.project, "messages-read");
      if (args.bucketId) {
        const bucket = await context.services.buckets.findById(
          viewer,
          args.bucketId,
          "messages-read",
        );
        if (bucket.projectId !== project.id)
          throw notFound(`Project '${project.name}' has no bucket '${args.bucketId}'.`);
      }
      let inStream: ((e: MessageAddedPayload) => Promise<boolean>) | null = null;
      if (args.stream) {
        const stream = await context.services.streams.findByName(viewer, project.id, args.stream);
        if (!stream)
          throw notFound(`Project '${project.name}' has no stream named '${args.stream}'.`);
        const bucketIds = new Set(
          (await context.services.streams.bucketsOf(stream.id)).map((b) => b.id),
        );
        const passes = compileStreamFilter(stream.filter);
        inStream = async (e) => {
          if (!bucketIds.has(e.bucketId)) return false;
          const message = await loadMessage(context, e);
          return message !== null && passes(message);
        };
      }
      return projectEvents(
        context,
        viewer,
        project.id,
        "messages-read",
        context.services.events.subscribe("messageAdded"),
        (e) =>
          (!args.bucketId || e.bucketId === args.bucketId) && (inStream === null || inStream(e)),
      );
    },
  })
  messageAdded(
    @Root() payload: MessageAddedPayload,
    @Arg("project", () => String) _project: string,
    @Arg("bucketId", () => ID, { nullable: true }) _bucketId: string | null,
    @Arg("stream", () => String, { nullable: true }) _stream: string | null,
  ): MessageAddedPayload {
    return payload;
  }
}

// The root fields above return the published event object itself, so the field resolvers below
// see the object the per-event caches key on.

@Resolver(() => IntegrationEventType)
export class IntegrationEventResolver {
  @FieldResolver(() => String)
  project(@Root() e: IntegrationEventPayload): string {
    return e.projectName;
  }

  @FieldResolver(() => IntegrationType, {
    nullable: true,
    description: "Null once the integration was deleted.",
  })
  integration(
    @Root() e: IntegrationEventPayload,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IntegrationRow | null> {
    return oncePerEvent(e, "integration", () =>
      ctx.services.integrations.findById(requireViewer(ctx.viewer), e.integrationId),
    );
  }
}

@Resolver(() => SyncProgressEventType)
export class SyncProgressEventResolver {
  @FieldResolver(() => String)
  project(@Root() e: SyncProgressPayload): string {
    return e.projectName;
  }

  @FieldResolver(() => MailboxType)
  async mailbox(@Root() e: SyncProgressPayload, @Ctx() ctx: GraphQLContext): Promise<MailboxRow> {
    const row = await loadMailbox(ctx, e);
    if (!row) throw notFound(`Mailbox '${e.mailboxId}' was not found.`);
    return row;
  }

  @FieldResolver(() => SyncStateType, {
    description: "The mailbox's sync state when the event was delivered.",
  })
  sync(@Root() e: SyncProgressPayload, @Ctx() ctx: GraphQLContext): Promise<SyncStateType> {
    return oncePerEvent(e, "sync", () =>
      new MailboxResolver().sync({ id: e.mailboxId } as MailboxRow, ctx),
    );
  }
}

@Resolver(() => MessageAddedEventType)
export class MessageAddedEventResolver {
  @FieldResolver(() => String)
  project(@Root() e: MessageAddedPayload): string {
    return e.projectName;
  }

  @FieldResolver(() => MessageType)
  async message(@Root() e: MessageAddedPayload, @Ctx() ctx: GraphQLContext): Promise<MessageRow> {
    const row = await loadMessage(ctx, e);
    if (!row) throw notFound(`Message '${e.messageId}' was not found.`);
    return row;
  }
}
