import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import type { IntegrationRow, MailboxRow, ProjectRow } from "../../storage/entities/index.js";
import type { GraphQLContext } from "../context.js";
import {
  ConnectionInput,
  CreateIntegrationInput,
  MailboxInput,
  UpdateIntegrationInput,
} from "../types/inputs.js";
import {
  CredentialCheckType,
  IntegrationType,
  MailboxType,
  ProjectType,
  VolumeEstimateType,
} from "../types/objects.js";

@Resolver(() => IntegrationType)
export class IntegrationResolver {
  @Query(() => IntegrationType, { nullable: true })
  integration(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IntegrationRow | null> {
    return ctx.services.integrations.findById(requireViewer(ctx), id);
  }

  @Query(() => VolumeEstimateType)
  estimateVolume(
    @Arg("integrationId", () => ID) integrationId: string,
    @Arg("mailbox", () => MailboxInput) mailbox: MailboxInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.explorer.estimate(requireViewer(ctx), integrationId, mailbox);
  }

  @Query(() => [String], {
    description: "The live folder tree of a mailbox, as folder filter paths.",
  })
  mailboxFolders(
    @Arg("integrationId", () => ID) integrationId: string,
    @Arg("email", () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.explorer.folders(requireViewer(ctx), integrationId, email);
  }

  @Mutation(() => CredentialCheckType)
  async validateCredentials(
    @Arg("connection", () => ConnectionInput) connection: ConnectionInput,
    @Arg("mailboxes", () => [String], { nullable: true }) mailboxes: string[] | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CredentialCheckType> {
    const check = await ctx.services.integrations.validateAdHoc(
      requireViewer(ctx),
      connection,
      mailboxes ?? [],
    );
    return {
      status: check.status,
      checkedAt: check.checkedAt,
      error: check.error,
      mailboxes: check.mailboxes,
    };
  }

  @Mutation(() => IntegrationType)
  createIntegration(
    @Arg("input", () => CreateIntegrationInput) input: CreateIntegrationInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.integrations.create(requireViewer(ctx), input);
  }

  @Mutation(() => IntegrationType)
  updateIntegration(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateIntegrationInput) input: UpdateIntegrationInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.integrations.update(requireViewer(ctx), id, input);
  }

  @Mutation(() => IntegrationType)
  updateIntegrationConnection(
    @Arg("id", () => ID) id: string,
    @Arg("connection", () => ConnectionInput) connection: ConnectionInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.integrations.updateConnection(requireViewer(ctx), id, connection);
  }

  @Mutation(() => CredentialCheckType)
  async validateIntegrationCredentials(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    const row = await ctx.services.integrations.validateById(requireViewer(ctx), id);
    return credentialsOf(row);
  }

  @Mutation(() => IntegrationType)
  setIntegrationEnabled(
    @Arg("id", () => ID) id: string,
    @Arg("enabled", () => Boolean) enabled: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.integrations.setEnabled(requireViewer(ctx), id, enabled);
  }

  @Mutation(() => Boolean)
  deleteIntegration(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.integrations.delete(requireViewer(ctx), id);
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() row: IntegrationRow, @Ctx() ctx: GraphQLContext): Promise<ProjectRow> {
    return (await ctx.services.projects.findById(requireViewer(ctx), row.projectId))!;
  }

  @FieldResolver(() => Boolean)
  hasSecret(@Root() row: IntegrationRow): boolean {
    return row.secretEnvelope !== null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Set when the recorded secret expiry is within 30 days or past: what to do (create a new secret and save it on the connection).",
  })
  secretExpiryWarning(@Root() row: IntegrationRow, @Ctx() ctx: GraphQLContext): string | null {
    return ctx.services.integrations.secretExpiryWarning(row);
  }

  @FieldResolver(() => CredentialCheckType)
  credentials(@Root() row: IntegrationRow): CredentialCheckType {
    return credentialsOf(row);
  }

  @FieldResolver(() => [MailboxType])
  mailboxes(@Root() row: IntegrationRow, @Ctx() ctx: GraphQLContext): Promise<MailboxRow[]> {
    return ctx.services.mailboxes.listForIntegration(row.id);
  }
}

function credentialsOf(row: IntegrationRow): CredentialCheckType {
  return {
    status: row.credentialStatus,
    checkedAt: row.credentialCheckedAt,
    error: row.credentialError,
    mailboxes: row.credentialMailboxes,
  };
}
