import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchema } from "type-graphql";
import type { EventBus } from "../events/event-bus.js";
import { AuditResolver } from "./resolvers/audit.resolver.js";
import { BucketResolver } from "./resolvers/bucket.resolver.js";
import { IntegrationResolver } from "./resolvers/integration.resolver.js";
import { MailboxResolver } from "./resolvers/mailbox.resolver.js";
import { MessageConnectionResolver, MessageResolver } from "./resolvers/message.resolver.js";
import { ProjectResolver } from "./resolvers/project.resolver.js";
import { StreamResolver } from "./resolvers/stream.resolver.js";
import {
  IntegrationEventResolver,
  MessageAddedEventResolver,
  SubscriptionResolver,
  SyncProgressEventResolver,
} from "./resolvers/subscription.resolver.js";
import { TokenResolver } from "./resolvers/token.resolver.js";
import { PushResolver } from "./resolvers/push.resolver.js";
import { refuseUnstorableArguments } from "./storable-arguments.js";

export const RESOLVERS = [
  ProjectResolver,
  IntegrationResolver,
  MailboxResolver,
  BucketResolver,
  MessageResolver,
  MessageConnectionResolver,
  StreamResolver,
  TokenResolver,
  AuditResolver,
  PushResolver,
  SubscriptionResolver,
  IntegrationEventResolver,
  SyncProgressEventResolver,
  MessageAddedEventResolver,
] as const;

/** Builds the executable schema; the contract's `DateTime` scalar is graphql-scalars' one. */
export function createSchema(events: EventBus): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    pubSub: events,
    validate: false,
    globalMiddlewares: [refuseUnstorableArguments],
    emitSchemaFile: false,
  });
}
