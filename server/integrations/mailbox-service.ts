import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import { type Viewer, canSeeProject, requirePermission } from "../auth/viewer.js";
import { badInput, conflict } from "../domain/errors.js";
import { emailKey } from "../domain/email-address.js";
import {
  autoBucketName,
  validateMailboxInput,
  validateMailboxUpdate,
  type MailboxInputValues,
  type MailboxUpdateValues,
  type ValidMailbox,
} from "../domain/mailbox-rules.js";
import { initialState, setEnabledByUser } from "../domain/integration-state.js";
import { validatePageArgs } from "../domain/page-args.js";
import { createBucketIn } from "../buckets/bucket-service.js";
import { bucketById, bucketNamesOf, insertBucket } from "../storage/bucket-store.js";
import type {
  BucketRow,
  FolderCheckpointRow,
  IntegrationRow,
  MailboxRow,
  MailboxSyncRow,
  ProjectRow,
  SkippedMessageRow,
} from "../storage/entities/index.js";
import {
  deleteMailboxRow,
  insertMailbox,
  integrationMailboxes,
  mailboxCheckpoints,
  mailboxEmailTaken,
  mailboxSyncState,
  requireMailbox,
  saveMailbox,
  visibleMailbox,
} from "../storage/mailbox-store.js";
import { projectByIdOrFail } from "../storage/project-store.js";
import { newId } from "../storage/ids.js";
import { countSkipped, listSkipped, makeSkippedDue } from "../storage/skipped-messages.js";
import type { SyncControl } from "../sync/sync-control.js";
import { requireIntegration } from "../storage/integration-store.js";
import { audited } from "../audit/audit-trail.js";

/** Most skipped messages one page lists. */
const MAX_SKIPPED_PAGE = 500;

export class MailboxService {
  constructor(
    private readonly deps: Deps,
    private readonly sync: SyncControl,
  ) {}

  async findById(viewer: Viewer, id: string): Promise<MailboxRow | null> {
    const pair = await this.deps.db.read((m) => visibleMailbox(m, viewer, id, "integrations-read"));
    return pair?.mailbox ?? null;
  }

  async listForIntegration(integrationId: string): Promise<MailboxRow[]> {
    return this.deps.db.read((m) => integrationMailboxes(m, integrationId));
  }

  async checkpoints(mailboxId: string): Promise<FolderCheckpointRow[]> {
    return this.deps.db.read((m) => mailboxCheckpoints(m, mailboxId));
  }

  skippedMessages(mailboxId: string, first: number): Promise<SkippedMessageRow[]> {
    validatePageArgs({ first }, { max: MAX_SKIPPED_PAGE });
    return this.deps.db.read((m) => listSkipped(m, mailboxId, first));
  }

  skippedMessageCount(mailboxId: string): Promise<number> {
    return this.deps.db.read((m) => countSkipped(m, mailboxId));
  }

  async syncState(mailboxId: string): Promise<MailboxSyncRow | null> {
    return this.deps.db.read((m) => mailboxSyncState(m, mailboxId));
  }

  add(viewer: Viewer, integrationId: string, input: MailboxInputValues): Promise<MailboxRow> {
    const target = { type: "Mailbox", name: input.email };
    return audited(this.deps, viewer, "addMailbox", target, async (trail) => {
      trail.note({ integration: integrationId });
      const valid = validateMailboxInput(input, "input");
      return trail.transaction(async (m) => {
        const integration = await requireIntegration(
          m,
          viewer,
          integrationId,
          "integrations-write",
        );
        trail.about({ projectId: integration.projectId });
        const project = await projectByIdOrFail(m, integration.projectId);
        const mailbox = await createMailboxIn(
          m,
          viewer,
          integration,
          project,
          valid,
          "input",
          this.deps.now(),
        );
        trail.about({ id: mailbox.id, name: mailbox.email, projectName: project.name });
        return mailbox;
      });
    });
  }

  /**
   * Time filter, filters, attachments and the mailbox's own toggle. Nothing already synced is
   * deleted by a change ("already synced data will not be impacted").
   */
  update(viewer: Viewer, id: string, input: MailboxUpdateValues): Promise<MailboxRow> {
    return audited(this.deps, viewer, "updateMailbox", { type: "Mailbox", id }, async (trail) => {
      const changed = Object.entries(input).filter(([, value]) => value !== undefined);
      trail.note({ changed: changed.map(([name]) => name).join(" ") });
      const updated = await trail.transaction(async (m) => {
        const { mailbox, integration } = await requireMailbox(m, viewer, id, "integrations-write");
        trail.about({ name: mailbox.email, projectId: integration.projectId });
        const next = validateMailboxUpdate(
          {
            syncFrom: mailbox.syncFrom,
            allTime: mailbox.allTime,
            filters: mailbox.filters,
            syncAttachments: mailbox.syncAttachments,
          },
          input,
          "input",
        );
        mailbox.syncFrom = next.syncFrom;
        mailbox.allTime = next.allTime;
        mailbox.filters = next.filters;
        mailbox.syncAttachments = next.syncAttachments;
        if (input.enabled !== undefined && input.enabled !== null)
          Object.assign(mailbox, setEnabledByUser(mailbox, input.enabled));
        mailbox.updatedAt = this.deps.now();
        return saveMailbox(m, mailbox);
      });
      // New settings take effect in a round that starts now (a round in flight used the old ones).
      if (updated.enabled) await this.sync.request(id);
      else await this.sync.abort(id);
      return updated;
    });
  }

  /** Runs a sync round now (`syncMailbox`); refused while the mailbox or its integration is off. */
  syncNow(viewer: Viewer, id: string, resync: boolean): Promise<MailboxRow> {
    const action = resync ? "resyncMailbox" : "syncMailbox";
    return audited(this.deps, viewer, action, { type: "Mailbox", id }, async (trail) => {
      const { mailbox, integration } = await this.deps.db.read((m) =>
        requireMailbox(m, viewer, id, "integrations-write"),
      );
      trail.about({ name: mailbox.email, projectId: integration.projectId });
      if (!integration.enabled) {
        throw conflict(
          `Integration '${integration.name}' is disabled (${integration.disabledReason ?? "USER"}); enable it first.`,
        );
      }
      if (integration.credentialStatus !== "VALID") {
        throw conflict(
          `Integration '${integration.name}' has no valid credentials yet; validate them first.`,
        );
      }
      if (!mailbox.enabled)
        throw conflict(`Mailbox ${mailbox.email} is disabled; enable it first.`);
      // A plain sync request changes no row: its transaction holds only the entry.
      await trail.transaction((m) => (resync ? makeSkippedDue(m, id) : Promise.resolve()));
      if (resync) await this.sync.resync(id);
      else await this.sync.request(id);
      return mailbox;
    });
  }

  /** Removes the mailbox and its checkpoints; its bucket and messages stay. */
  remove(viewer: Viewer, id: string): Promise<boolean> {
    return audited(this.deps, viewer, "removeMailbox", { type: "Mailbox", id }, async (trail) => {
      await this.deps.db.read((m) => requireMailbox(m, viewer, id, "integrations-write"));
      await this.sync.abort(id);
      return trail.transaction(async (m) => {
        const { mailbox, integration } = await requireMailbox(m, viewer, id, "integrations-write");
        trail.about({ name: mailbox.email, projectId: integration.projectId });
        await deleteMailboxRow(m, id);
        return true;
      });
    });
  }
}

/** Creates a mailbox (and the bucket it asks for) inside the caller's transaction. */
export async function createMailboxIn(
  m: EntityManager,
  viewer: Viewer,
  integration: IntegrationRow,
  project: ProjectRow,
  valid: ValidMailbox,
  field: string,
  now: Date,
): Promise<MailboxRow> {
  const email = emailKey(valid.email);
  if (await mailboxEmailTaken(m, integration.id, email)) {
    throw conflict(`Integration '${integration.name}' already has mailbox ${email}.`);
  }
  const bucket = await chooseBucket(m, viewer, integration, project, valid, field, now);
  return insertMailbox(m, {
    id: newId(),
    integrationId: integration.id,
    email,
    bucketId: bucket.id,
    syncFrom: valid.syncFrom,
    allTime: valid.allTime,
    filters: valid.filters,
    syncAttachments: valid.syncAttachments,
    ...initialState(true),
    createdAt: now,
    updatedAt: now,
  });
}

/** The bucket choice rule: an existing bucket, a user-defined new one, or one made automatically. */
async function chooseBucket(
  m: EntityManager,
  viewer: Viewer,
  integration: IntegrationRow,
  project: ProjectRow,
  valid: ValidMailbox,
  field: string,
  now: Date,
): Promise<BucketRow> {
  const choice = valid.bucket;
  if (choice.kind === "existing") {
    const bucket = await bucketById(m, choice.existingBucketId);
    if (!bucket || !canSeeProject(viewer, bucket.projectId)) {
      throw badInput(
        `${field}.bucket.existingBucketId`,
        `Bucket '${choice.existingBucketId}' was not found.`,
      );
    }
    requirePermission(
      viewer,
      bucket.projectId,
      "buckets-write",
      `Bucket '${choice.existingBucketId}'`,
    );
    return bucket;
  }
  if (choice.kind === "new") {
    return createBucketIn(m, viewer, choice.newBucket, `${field}.bucket.newBucket`, now);
  }
  const name = autoBucketName(integration.name, valid.email, await bucketNamesOf(m, project.id));
  return insertBucket(m, {
    id: newId(),
    projectId: project.id,
    name,
    title: `${integration.title} – ${valid.email}`,
    createdAt: now,
  });
}
