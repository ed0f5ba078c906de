import type { Deps } from "../app/deps.js";
import { type Viewer, hasPermission } from "../auth/viewer.js";
import { badInput, conflict, forbidden, unavailable } from "../domain/errors.js";
import { emailKey, validateEmailAddress } from "../domain/email-address.js";
import { compileFolderFilters } from "../domain/folder-filter.js";
import { formatFolderPath } from "../domain/folder-path.js";
import { type MailboxInputValues, validateMailboxInput } from "../domain/mailbox-rules.js";
import type { IntegrationRow } from "../storage/entities/index.js";
import { integrationMailboxes } from "../storage/mailbox-store.js";
import type { MailSource, RemoteFolder } from "../sync/mail-source.js";
import type { MailSourceFactory } from "../sync/scheduler.js";
import { classified } from "../sync/sync-errors.js";
import { requireIntegration } from "../storage/integration-store.js";
import type { IntegrationService } from "./integration-service.js";

export interface FolderVolume {
  folder: string;
  messages: number;
  included: boolean;
}

export interface VolumeEstimate {
  folders: FolderVolume[];
  messages: number;
  units: number;
  note: string;
}

/** Graph counts messages per folder, not per participant: those filters cannot be estimated. */
export const VOLUME_NOTE =
  "Counts the messages of the included folders in the time range. Participant and domain filters are not counted (only reading each message would tell), so with such filters fewer messages (and units) may sync.";

/**
 * Looks into a live mailbox through an integration's credentials: the folder tree for the
 * folder picker, and the volume a mailbox configuration would sync so a user can gauge an
 * all-time sync before paying for it.
 */
export class MailboxExplorer {
  constructor(
    private readonly deps: Deps,
    private readonly integrations: IntegrationService,
    private readonly sourceFactory: MailSourceFactory,
  ) {}

  /** Every folder (search folders left out) as a filter path, in tree order. */
  async folders(viewer: Viewer, integrationId: string, email: string): Promise<string[]> {
    const address = validateEmailAddress("email", email);
    const { source } = await this.open(viewer, integrationId, address);
    const folders = await this.walk(source, address, "email");
    return folders.map((f) => formatFolderPath(f.path));
  }

  /**
   * Folder item counts from Graph; under a time filter, each included folder is counted exactly
   * with `$count` over its received range. Units assume every counted message syncs (participant
   * filters are applied only when messages are read), so they are an upper bound.
   */
  async estimate(
    viewer: Viewer,
    integrationId: string,
    input: MailboxInputValues,
  ): Promise<VolumeEstimate> {
    const mailbox = validateMailboxInput(input, "mailbox");
    const { source } = await this.open(viewer, integrationId, mailbox.email);
    const folders = await this.walk(source, mailbox.email, "mailbox.email");
    const filters = compileFolderFilters({
      allowed: mailbox.filters.allowedFolders,
      denied: mailbox.filters.deniedFolders,
    });
    const syncFrom = mailbox.allTime ? null : mailbox.syncFrom;
    const volumes = await Promise.all(
      folders.map(async (folder): Promise<FolderVolume> => {
        const included = filters.selected(folder.path);
        const messages =
          included && syncFrom
            ? await this.guard(
                () => source.countMessages(mailbox.email, folder.id, syncFrom),
                "mailbox.email",
              )
            : folder.totalItemCount;
        return { folder: formatFolderPath(folder.path), messages, included };
      }),
    );
    const total = volumes.filter((v) => v.included).reduce((sum, v) => sum + v.messages, 0);
    return { folders: volumes, messages: total, units: total, note: VOLUME_NOTE };
  }

  /**
   * The integration's mail source for looking into `email`. Reading one of the integration's own
   * mailboxes needs `integrations-read`; any other mailbox of the tenant needs
   * `integrations-write` (adding a mailbox is a write; reading would otherwise reveal the folder
   * names and counts of every mailbox the app registration can reach).
   */
  private async open(
    viewer: Viewer,
    integrationId: string,
    email: string,
  ): Promise<{ integration: IntegrationRow; source: MailSource }> {
    const { integration, emails } = await this.deps.db.read(async (m) => {
      const integration = await requireIntegration(m, viewer, integrationId, "integrations-read");
      const rows = await integrationMailboxes(m, integration.id);
      return { integration, emails: rows.map((r) => emailKey(r.email)) };
    });
    if (
      !emails.includes(emailKey(email)) &&
      !hasPermission(viewer, integration.projectId, "integrations-write")
    ) {
      throw forbidden(
        `${email} is not one of the mailboxes of integration '${integration.name}': looking into another mailbox of the tenant needs the 'integrations-write' permission on the project (integrations-read covers the integration's own mailboxes).`,
      );
    }
    return {
      integration,
      source: this.sourceFactory(this.integrations.resolveConnection(integration)),
    };
  }

  private async walk(source: MailSource, email: string, field: string): Promise<RemoteFolder[]> {
    const folders = await this.guard(() => source.listFolders(email), field);
    return folders.filter((f) => !f.isSearchFolder);
  }

  /** Microsoft's refusals as errors a person can act on. */
  private async guard<T>(work: () => Promise<T>, field: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const kind = classified(error);
      if (!kind) throw error;
      switch (kind.kind) {
        case "not_found":
        case "permission":
          throw badInput(field, kind.message);
        case "credentials":
          throw conflict(
            `The integration's credentials were refused: ${kind.message} Fix them with updateIntegrationConnection.`,
          );
        case "temporary":
        case "sync_state_expired":
          throw unavailable(
            `Exchange did not answer in time (${kind.message}); try again shortly.`,
          );
      }
    }
  }
}
