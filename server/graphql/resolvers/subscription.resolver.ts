import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import { notFound } from "../../domain/errors.js";
import type {
  IntegrationEventPayload,
  MessageAddedPayload,
  SyncProgressPayload,
} from "../../events/event-bus.js";
import { oncePerEvent } from "../../events/per-event-cache.js";
import type { IntegrationRow, MailboxRow, MessageRow } from "../../storage/entities/index.js";
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

/** The rules (permission per event, revocation, deletion) are SubscriptionService's. */

interface SubscribeData<A> {
  args: A;
  context: GraphQLContext;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => IntegrationEventType, {
    description:
      "Integration changes in a project (created, updated, enabled/disabled, credentials checked, deleted).",
    subscribe: ({ args, context }: SubscribeData<{ project: string }>) =>
      context.services.subscriptions.integrationEvents(requireViewer(context), args.project),
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
    subscribe: ({
      args,
      context,
    }: SubscribeData<{
      project: string;
      integrationId?: string | null;
      mailboxId?: string | null;
    }>) => context.services.subscriptions.syncProgress(requireViewer(context), args.project, args),
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
    subscribe: ({
      args,
      context,
    }: SubscribeData<{ project: string; bucketId?: string | null; stream?: string | null }>) =>
      context.services.subscriptions.messageAdded(requireViewer(context), args.project, args),
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
    return ctx.services.subscriptions.integrationOf(requireViewer(ctx), e);
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
    const row = await ctx.services.subscriptions.mailboxOf(requireViewer(ctx), e);
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
    const row = await ctx.services.subscriptions.messageOf(requireViewer(ctx), e);
    if (!row) throw notFound(`Message '${e.messageId}' was not found.`);
    return row;
  }
}
