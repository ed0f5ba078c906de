import { createPubSub } from "@graphql-yoga/subscription";

/** Everything published live; each event names its project so subscribers are filtered by it. */
export interface IntegrationEventPayload {
  kind: string;
  integrationId: string;
  projectId: string;
  projectName: string;
  at: Date;
}

export interface SyncProgressPayload {
  mailboxId: string;
  integrationId: string;
  projectId: string;
  projectName: string;
  at: Date;
}

export interface MessageAddedPayload {
  messageId: string;
  bucketId: string;
  projectId: string;
  projectName: string;
  sequenceId: string;
}

export type EventChannels = {
  integrationEvents: [IntegrationEventPayload];
  syncProgress: [SyncProgressPayload];
  messageAdded: [MessageAddedPayload];
};

/**
 * Publish/subscribe behind one interface: in-process now (graphql-yoga's pub/sub), Redis for
 * scale-out later. Events are published after the transaction that caused them commits.
 */
export type EventBus = ReturnType<typeof createInProcessEventBus>;

export const createInProcessEventBus = () => createPubSub<EventChannels>();
