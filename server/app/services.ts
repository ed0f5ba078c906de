import { AuditService } from "../audit/audit-service.js";
import { TokenService } from "../auth/token-service.js";
import { BucketService } from "../buckets/bucket-service.js";
import { SubscriptionService } from "../events/subscription-service.js";
import type { CredentialChecker } from "../integrations/credential-checker.js";
import { IntegrationService } from "../integrations/integration-service.js";
import { LeaseHolders } from "../integrations/lease-holders.js";
import { MailboxExplorer } from "../integrations/mailbox-explorer.js";
import { MailboxService } from "../integrations/mailbox-service.js";
import { MessageService } from "../messages/message-service.js";
import { ProjectService } from "../projects/project-service.js";
import { StreamService } from "../streams/stream-service.js";
import type { MailSourceFactory } from "../sync/scheduler.js";
import type { LeasePolicy } from "../sync/leases.js";
import type { SyncControl } from "../sync/sync-control.js";
import type { Deps } from "./deps.js";
import type { NotificationService } from "../notifications/notification-service.js";

export interface Services {
  projects: ProjectService;
  tokens: TokenService;
  buckets: BucketService;
  integrations: IntegrationService;
  mailboxes: MailboxService;
  explorer: MailboxExplorer;
  messages: MessageService;
  streams: StreamService;
  audit: AuditService;
  /** Which process holds each mailbox (several processes on PostgreSQL). */
  leaseHolders: LeaseHolders;
  /** Live events (the bus itself: the WebSocket endpoint watches revocations on it). */
  events: Deps["events"];
  /** Live subscriptions' rules. */
  subscriptions: SubscriptionService;
  /** Change notifications (push): subscriptions, their state per mailbox, counters. */
  notifications: NotificationService;
}

export function createServices(
  deps: Deps,
  checker: CredentialChecker,
  sync: SyncControl,
  sources: MailSourceFactory,
  leases: Pick<LeasePolicy, "owner">,
  notifications: NotificationService,
): Services {
  const integrations = new IntegrationService(deps, checker, sync);
  const core = {
    projects: new ProjectService(deps),
    tokens: new TokenService(deps),
    buckets: new BucketService(deps),
    integrations,
    mailboxes: new MailboxService(deps, sync),
    messages: new MessageService(deps),
    streams: new StreamService(deps),
  };
  return {
    ...core,
    explorer: new MailboxExplorer(deps, integrations, sources),
    audit: new AuditService(deps),
    leaseHolders: new LeaseHolders(deps, leases.owner !== null),
    events: deps.events,
    subscriptions: new SubscriptionService({ ...core, events: deps.events }),
    notifications,
  };
}
