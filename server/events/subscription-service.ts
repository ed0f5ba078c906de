import type { PermissionName } from "../auth/permissions.js";
import type { TokenService } from "../auth/token-service.js";
import { type Viewer, hasPermission, requirePermission } from "../auth/viewer.js";
import type { BucketService } from "../buckets/bucket-service.js";
import { notFound, unauthenticated } from "../domain/errors.js";
import type { IntegrationService } from "../integrations/integration-service.js";
import type { MailboxService } from "../integrations/mailbox-service.js";
import type { MessageService } from "../messages/message-service.js";
import type { ProjectService } from "../projects/project-service.js";
import type { IntegrationRow, MailboxRow, MessageRow } from "../storage/entities/index.js";
import { compileStreamFilter } from "../streams/stream-filter.js";
import type { StreamService } from "../streams/stream-service.js";
import type {
  EventBus,
  IntegrationEventPayload,
  MessageAddedPayload,
  SyncProgressPayload,
} from "./event-bus.js";
import { endWhen, filterEvents, mapEvents } from "./event-streams.js";
import { oncePerEvent } from "./per-event-cache.js";

export interface SubscriptionServiceDeps {
  events: EventBus;
  projects: ProjectService;
  tokens: TokenService;
  integrations: IntegrationService;
  mailboxes: MailboxService;
  buckets: BucketService;
  streams: StreamService;
  messages: MessageService;
}

const revoked = () =>
  unauthenticated(
    "The API token of this connection was revoked; connect again with a valid token.",
  );

/**
 * The rules of live subscriptions (the GraphQL resolvers only pass arguments through): each checks
 * permission when it starts and again for every event, and only ever sees its own project's
 * events. A token revoked while connected ends its subscriptions with UNAUTHENTICATED at once, a
 * deleted project's with NOT_FOUND; when the bus cannot deliver (Redis down) they end with
 * EVENTS_UNAVAILABLE (server/events/redis-event-bus.ts). What an event names is read once per
 * event, shared by every subscriber (per-event-cache.ts).
 */
export class SubscriptionService {
  constructor(private readonly deps: SubscriptionServiceDeps) {}

  async integrationEvents(
    viewer: Viewer,
    projectName: string,
  ): Promise<AsyncIterableIterator<IntegrationEventPayload>> {
    const project = await this.project(viewer, projectName, "integrations-read");
    return this.projectEvents(
      viewer,
      project.id,
      "integrations-read",
      this.deps.events.subscribe("integrationEvents"),
    );
  }

  async syncProgress(
    viewer: Viewer,
    projectName: string,
    only: { integrationId?: string | null; mailboxId?: string | null },
  ): Promise<AsyncIterableIterator<SyncProgressPayload>> {
    const project = await this.project(viewer, projectName, "integrations-read");
    if (only.integrationId) {
      const integration = await this.deps.integrations.findById(viewer, only.integrationId);
      if (!integration || integration.projectId !== project.id) {
        throw notFound(`Project '${project.name}' has no integration '${only.integrationId}'.`);
      }
    }
    if (only.mailboxId) {
      const mailbox = await this.deps.mailboxes.findById(viewer, only.mailboxId);
      const integration =
        mailbox && (await this.deps.integrations.findById(viewer, mailbox.integrationId));
      if (!integration || integration.projectId !== project.id) {
        throw notFound(`Project '${project.name}' has no mailbox '${only.mailboxId}'.`);
      }
    }
    return this.projectEvents(
      viewer,
      project.id,
      "integrations-read",
      this.deps.events.subscribe("syncProgress"),
      // A mailbox removed since the event was published has nothing left to show.
      async (e) =>
        (!only.integrationId || e.integrationId === only.integrationId) &&
        (!only.mailboxId || e.mailboxId === only.mailboxId) &&
        (await this.mailboxOf(viewer, e)) !== null,
    );
  }

  async messageAdded(
    viewer: Viewer,
    projectName: string,
    only: { bucketId?: string | null; stream?: string | null },
  ): Promise<AsyncIterableIterator<MessageAddedPayload>> {
    const project = await this.project(viewer, projectName, "messages-read");
    if (only.bucketId) {
      const bucket = await this.deps.buckets.findById(viewer, only.bucketId, "messages-read");
      if (bucket.projectId !== project.id)
        throw notFound(`Project '${project.name}' has no bucket '${only.bucketId}'.`);
    }
    let inStream: ((e: MessageAddedPayload) => Promise<boolean>) | null = null;
    if (only.stream) {
      const stream = await this.deps.streams.findByName(viewer, project.id, only.stream);
      if (!stream)
        throw notFound(`Project '${project.name}' has no stream named '${only.stream}'.`);
      const bucketIds = new Set((await this.deps.streams.bucketsOf(stream.id)).map((b) => b.id));
      const passes = compileStreamFilter(stream.filter);
      inStream = async (e) => {
        if (!bucketIds.has(e.bucketId)) return false;
        const message = await this.messageOf(viewer, e);
        return message !== null && passes(message);
      };
    }
    return this.projectEvents(
      viewer,
      project.id,
      "messages-read",
      this.deps.events.subscribe("messageAdded"),
      (e) => (!only.bucketId || e.bucketId === only.bucketId) && (inStream === null || inStream(e)),
    );
  }

  /** The message a `messageAdded` event names (read once per event). */
  messageOf(viewer: Viewer, e: MessageAddedPayload): Promise<MessageRow | null> {
    return oncePerEvent(e, "message", () => this.deps.messages.findById(viewer, e.messageId));
  }

  /** The mailbox a `syncProgress` event names (read once per event). */
  mailboxOf(viewer: Viewer, e: SyncProgressPayload): Promise<MailboxRow | null> {
    return oncePerEvent(e, "mailbox", () => this.deps.mailboxes.findById(viewer, e.mailboxId));
  }

  /** The integration an `integrationEvents` event names, null once deleted (read once per event). */
  integrationOf(viewer: Viewer, e: IntegrationEventPayload): Promise<IntegrationRow | null> {
    return oncePerEvent(e, "integration", () =>
      this.deps.integrations.findById(viewer, e.integrationId),
    );
  }

  private async project(viewer: Viewer, name: string, permission: PermissionName) {
    const project = await this.deps.projects.findByName(viewer, name);
    if (!project) throw notFound(`Project '${name}' was not found.`);
    requirePermission(viewer, project.id, permission, `Project '${name}'`);
    return project;
  }

  /** The project's events that `viewer` may still receive, narrowed by `keep`. */
  private projectEvents<T extends { projectId: string }>(
    viewer: Viewer,
    projectId: string,
    permission: PermissionName,
    source: AsyncIterator<T>,
    keep: (event: T) => boolean | Promise<boolean> = () => true,
  ): AsyncIterableIterator<T> {
    const events = filterEvents(source, async (event) => {
      if (event.projectId !== projectId || !hasPermission(viewer, projectId, permission))
        return false;
      if (!(await this.deps.tokens.isActive(viewer.tokenId))) throw revoked();
      return keep(event);
    });
    const ended = filterEvents(this.deps.events.subscribe("accessRevoked"), (e) =>
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
}
