import { Field, ID, InputType, Int } from "type-graphql";
import { AccessMode, AuthMethod, ExchangeApi, Permission } from "./enums.js";

@InputType("MessageFilter")
export class MessageFilterInput {
  @Field(() => Date, { nullable: true }) receivedFrom?: Date | null;
  @Field(() => Date, { nullable: true }) receivedTo?: Date | null;
  @Field(() => String, { nullable: true }) folder?: string | null;
  @Field(() => String, { nullable: true }) participant?: string | null;
  @Field(() => String, { nullable: true }) domain?: string | null;
  @Field(() => String, { nullable: true }) search?: string | null;
}

@InputType("CreateProjectInput")
export class CreateProjectInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Int, { nullable: true }) unitBudget?: number | null;
}

@InputType("UpdateProjectInput")
export class UpdateProjectInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Int, { nullable: true }) unitBudget?: number | null;
}

@InputType("ConnectionInput")
export class ConnectionInput {
  @Field(() => ExchangeApi) api!: ExchangeApi;
  @Field(() => AuthMethod) authMethod!: AuthMethod;
  @Field(() => AccessMode) access!: AccessMode;
  @Field(() => String, { nullable: true }) authorityUrl?: string | null;
  @Field(() => String, { nullable: true }) clientId?: string | null;
  @Field(() => String, { nullable: true }) clientSecret?: string | null;
  @Field(() => String, { nullable: true }) privateKey?: string | null;
  @Field(() => String, { nullable: true }) certificateThumbprint?: string | null;
  @Field(() => String, { nullable: true }) serviceUsername?: string | null;
  @Field(() => String, { nullable: true }) servicePassword?: string | null;
  @Field(() => String, { nullable: true }) graphEndpoint?: string | null;
  @Field(() => String, { nullable: true }) ewsUrl?: string | null;
  @Field(() => Date, {
    nullable: true,
    description:
      "When the client secret (or certificate) expires, as Azure shows it; recorded to warn 30 days before. Left out on an update: kept, unless a new secret or key is given (then unknown); null clears it.",
  })
  secretExpiresAt?: Date | null;
}

@InputType("NewBucketInput")
export class NewBucketInput {
  @Field(() => String) project!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) title?: string | null;
}

@InputType("BucketChoiceInput")
export class BucketChoiceInput {
  @Field(() => ID, { nullable: true }) existingBucketId?: string | null;
  @Field(() => NewBucketInput, { nullable: true }) newBucket?: NewBucketInput | null;
}

@InputType("MailboxFiltersInput")
export class MailboxFiltersInput {
  @Field(() => [String], { nullable: true }) allowedFolders?: string[] | null;
  @Field(() => [String], { nullable: true }) deniedFolders?: string[] | null;
  @Field(() => [String], { nullable: true }) allowedParticipants?: string[] | null;
  @Field(() => [String], { nullable: true }) deniedParticipants?: string[] | null;
  @Field(() => [String], { nullable: true }) allowedDomains?: string[] | null;
  @Field(() => [String], { nullable: true }) deniedDomains?: string[] | null;
}

@InputType("MailboxInput")
export class MailboxInput {
  @Field(() => String) email!: string;
  @Field(() => BucketChoiceInput, { nullable: true }) bucket?: BucketChoiceInput | null;
  @Field(() => Date, { nullable: true }) syncFrom?: Date | null;
  @Field(() => Boolean, { nullable: true }) allTime?: boolean | null;
  @Field(() => MailboxFiltersInput, { nullable: true }) filters?: MailboxFiltersInput | null;
  @Field(() => Boolean, { nullable: true }) syncAttachments?: boolean | null;
}

@InputType("UpdateMailboxInput")
export class UpdateMailboxInput {
  @Field(() => Date, { nullable: true }) syncFrom?: Date | null;
  @Field(() => Boolean, { nullable: true }) allTime?: boolean | null;
  @Field(() => MailboxFiltersInput, { nullable: true }) filters?: MailboxFiltersInput | null;
  @Field(() => Boolean, { nullable: true }) syncAttachments?: boolean | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType("CreateIntegrationInput")
export class CreateIntegrationInput {
  @Field(() => String) project!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => ConnectionInput) connection!: ConnectionInput;
  @Field(() => [MailboxInput], { nullable: true }) mailboxes?: MailboxInput[] | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType("UpdateIntegrationInput")
export class UpdateIntegrationInput {
  @Field(() => String, { nullable: true }) title?: string | null;
}

@InputType("StreamFilterInput")
export class StreamFilterInput {
  @Field(() => Date, { nullable: true }) receivedFrom?: Date | null;
  @Field(() => Date, { nullable: true }) receivedTo?: Date | null;
  @Field(() => [String], { nullable: true }) folders?: string[] | null;
  @Field(() => [String], { nullable: true }) participants?: string[] | null;
  @Field(() => [String], { nullable: true }) domains?: string[] | null;
}

@InputType("CreateStreamInput")
export class CreateStreamInput {
  @Field(() => String) project!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => [ID]) bucketIds!: string[];
  @Field(() => StreamFilterInput, { nullable: true }) filter?: StreamFilterInput | null;
  @Field(() => Date, { nullable: true }) startAt?: Date | null;
}

@InputType("GrantInput")
export class GrantInput {
  @Field(() => String) project!: string;
  @Field(() => [Permission]) permissions!: Permission[];
}

@InputType("CreateApiTokenInput")
export class CreateApiTokenInput {
  @Field(() => String) name!: string;
  @Field(() => Boolean, { nullable: true }) admin?: boolean | null;
  @Field(() => [GrantInput], { nullable: true }) grants?: GrantInput[] | null;
}
