import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireViewer } from "../../auth/viewer.js";
import { syncEtaSeconds } from "../../domain/sync-eta.js";
import type { BucketRow, IntegrationRow, MailboxRow } from "../../storage/entities/index.js";
import type { GraphQLContext } from "../context.js";
import { PushState, SyncStatus } from "../types/enums.js";
import { MailboxInput, UpdateMailboxInput } from "../types/inputs.js";
import {
  BucketType,
  FolderCheckpointType,
  IntegrationType,
  MailboxType,
  SkippedMessageType,
  SyncStateType,
} from "../types/objects.js";
import { retryDueAt } from "../../storage/skipped-messages.js";

@Resolver(() => MailboxType)
export class MailboxResolver {
  @Query(() => MailboxType, { nullable: true })
  mailbox(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<MailboxRow | null> {
    return ctx.services.mailboxes.findById(requireViewer(ctx), id);
  }

  @Mutation(() => MailboxType)
  addMailbox(
    @Arg("integrationId", () => ID) integrationId: string,
    @Arg("input", () => MailboxInput) input: MailboxInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.mailboxes.add(requireViewer(ctx), integrationId, input);
  }

  @Mutation(() => MailboxType)
  updateMailbox(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateMailboxInput) input: UpdateMailboxInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.mailboxes.update(requireViewer(ctx), id, input);
  }

  @Mutation(() => Boolean)
  removeMailbox(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mailboxes.remove(requireViewer(ctx), id);
  }

  @Mutation(() => MailboxType)
  syncMailbox(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mailboxes.syncNow(requireViewer(ctx), id, false);
  }

  @Mutation(() => MailboxType)
  resyncMailbox(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mailboxes.syncNow(requireViewer(ctx), id, true);
  }

  @FieldResolver(() => IntegrationType)
  async integration(@Root() row: MailboxRow, @Ctx() ctx: GraphQLContext): Promise<IntegrationRow> {
    return (await ctx.services.integrations.findById(requireViewer(ctx), row.integrationId))!;
  }

  @FieldResolver(() => BucketType)
  bucket(@Root() row: MailboxRow, @Ctx() ctx: GraphQLContext): Promise<BucketRow> {
    return ctx.services.buckets.findById(requireViewer(ctx), row.bucketId, "integrations-read");
  }

  @FieldResolver(() => [FolderCheckpointType])
  async checkpoints(
    @Root() row: MailboxRow,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FolderCheckpointType[]> {
    const rows = await ctx.services.mailboxes.checkpoints(row.id);
    return rows.map((c) => ({
      folder: c.folderPath,
      status: c.status,
      coveredFrom: c.coveredFrom,
      hasDeltaLink: c.deltaLink !== null,
      messagesSeen: c.messagesSeen,
      updatedAt: c.updatedAt,
    }));
  }

  @FieldResolver(() => [SkippedMessageType], {
    description: "Messages that could not be stored, most recently tried first.",
  })
  async skippedMessages(
    @Root() row: MailboxRow,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SkippedMessageType[]> {
    const rows = await ctx.services.mailboxes.skippedMessages(row.id, first);
    return rows.map((s) => ({
      remoteId: s.remoteId,
      folder: s.folderPath,
      reason: s.reason,
      attempts: s.attempts,
      firstSkippedAt: s.firstSkippedAt,
      lastAttemptAt: s.lastAttemptAt,
      nextAttemptAt: retryDueAt(s),
    }));
  }

  @FieldResolver(() => Int)
  skippedMessageCount(@Root() row: MailboxRow, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.mailboxes.skippedMessageCount(row.id);
  }

  @FieldResolver(() => SyncStateType)
  async sync(@Root() row: MailboxRow, @Ctx() ctx: GraphQLContext): Promise<SyncStateType> {
    const [state, holder, push] = await Promise.all([
      ctx.services.mailboxes.syncState(row.id),
      ctx.services.leaseHolders.holderOf(row.id),
      ctx.services.notifications.status(row.id),
    ]);
    return {
      push: push.state as PushState,
      pushReason: push.reason,
      pushExpiresAt: push.expiresAt,
      status: (state?.status ?? SyncStatus.IDLE) as SyncStatus,
      phase: state?.phase ?? null,
      currentFolder: state?.currentFolder ?? null,
      foldersTotal: state?.foldersTotal ?? 0,
      foldersDone: state?.foldersDone ?? 0,
      messagesSeen: state?.messagesSeen ?? 0,
      messagesStored: state?.messagesStored ?? 0,
      messagesFiltered: state?.messagesFiltered ?? 0,
      attachmentsStored: state?.attachmentsStored ?? 0,
      messagesPerSecond: state?.messagesPerSecond ?? 0,
      messagesExpected: state?.messagesExpected || null,
      etaSeconds: state ? syncEtaSeconds(state) : null,
      startedAt: state?.startedAt ?? null,
      lastSyncedAt: state?.lastSyncedAt ?? null,
      lastError: state?.lastError ?? null,
      heldBy: holder && {
        name: holder.name,
        host: holder.host,
        pid: holder.pid,
        leaseExpiresAt: holder.expiresAt,
      },
    };
  }
}
