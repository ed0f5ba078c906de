import type { ResolvedConnection } from "../integrations/credential-checker.js";
import type {
  ChangeSubscriptions,
  DeltaPage,
  ListingPage,
  MailSource,
  RemoteAttachment,
  RemoteFolder,
  RemoteMessage,
} from "../sync/mail-source.js";
import { toExchangeConnection } from "./credential-check.js";
import { ExchangeClient, type ExchangeClientOptions } from "./exchange-client.js";
import { MailboxRequestLimiter } from "./mailbox-limiter.js";

/**
 * The sync engine's MailSource over the exchange client, which already answers in the engine's
 * shapes (RemoteMessage, RemoteFolder, RemoteAttachment). A factory shares one request limiter
 * between all the sources it makes (keys carry the app's client id), so two integrations of the
 * same app never exceed the per-mailbox limits together.
 */
export function createGraphMailSourceFactory(
  options: ExchangeClientOptions = {},
): (connection: ResolvedConnection) => MailSource {
  const limiter = options.limiter ?? new MailboxRequestLimiter(options.limits);
  return (connection) =>
    new GraphMailSource(
      new ExchangeClient(toExchangeConnection(connection), { ...options, limiter }),
    );
}

export class GraphMailSource implements MailSource {
  readonly subscriptions: ChangeSubscriptions;

  constructor(readonly client: ExchangeClient) {
    this.subscriptions = {
      create: async (email, request, signal) => {
        const created = await client.createSubscription(
          email,
          {
            changeType: request.changeTypes.join(","),
            notificationUrl: request.notificationUrl,
            lifecycleNotificationUrl: request.lifecycleNotificationUrl,
            resource: `/users/${encodeURIComponent(email)}/messages`,
            expirationDateTime: request.expiresAt.toISOString(),
            clientState: request.clientState,
            latestSupportedTlsVersion: "v1_2",
          },
          signal,
        );
        return { id: created.id, expiresAt: new Date(created.expirationDateTime) };
      },
      renew: async (email, id, expiresAt, signal) => {
        const renewed = await client.renewSubscription(email, id, expiresAt, signal);
        return { id: renewed.id || id, expiresAt: new Date(renewed.expirationDateTime) };
      },
      delete: (email, id, signal) => client.deleteSubscription(email, id, signal),
    };
  }

  listFolders(email: string, signal?: AbortSignal): Promise<RemoteFolder[]> {
    return this.client.listFolders(email, { signal, includeSearchFolders: true });
  }

  deltaPage(
    email: string,
    folderId: string,
    request: { link: string | null; receivedFrom: Date | null; pageSize: number },
    signal?: AbortSignal,
  ): Promise<DeltaPage> {
    return this.client.deltaPage(email, folderId, { ...request, signal });
  }

  async listPage(
    email: string,
    folderId: string,
    request: {
      receivedFrom: Date | null;
      receivedBefore: Date | null;
      top: number;
      expandAttachments: boolean;
    },
    signal?: AbortSignal,
  ): Promise<ListingPage> {
    const page = await this.client.listMessages(email, folderId, {
      ...request,
      order: "asc",
      signal,
    });
    return { messages: page.messages };
  }

  countMessages(
    email: string,
    folderId: string,
    receivedFrom: Date | null,
    signal?: AbortSignal,
  ): Promise<number> {
    return this.client.countMessages(email, folderId, { receivedFrom, signal });
  }

  messageFolder(email: string, messageId: string, signal?: AbortSignal): Promise<string | null> {
    return this.client.messageFolder(email, messageId, signal);
  }

  getMessage(
    email: string,
    messageId: string,
    signal?: AbortSignal,
  ): Promise<RemoteMessage | null> {
    return this.client.getMessage(email, messageId, signal);
  }

  listAttachments(
    email: string,
    messageId: string,
    includeContent: boolean,
    signal?: AbortSignal,
  ): Promise<RemoteAttachment[]> {
    return this.client.listAttachments(email, messageId, { includeContent, signal });
  }

  attachmentContent(
    email: string,
    messageId: string,
    attachmentId: string,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    return this.client.attachmentContent(email, messageId, attachmentId, signal);
  }
}
