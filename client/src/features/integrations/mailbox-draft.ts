import type { MailboxFieldsFragment, MailboxInput, UpdateMailboxInput } from "../../gql/graphql";
import { fromDateInput, toDateInput } from "../../ui/format";

export type BucketMode = "AUTO" | "NEW" | "EXISTING";
export type TimeMode = "FROM" | "ALL";

/** The mailbox form's state, kept as the user typed it until it is turned into input. */
export interface MailboxDraft {
  email: string;
  bucketMode: BucketMode;
  newBucketProject: string;
  newBucketName: string;
  newBucketTitle: string;
  existingBucketId: string;
  timeMode: TimeMode;
  /** yyyy-mm-dd from <input type="date">. */
  syncFrom: string;
  allowedFolders: string[];
  deniedFolders: string[];
  allowedParticipants: string[];
  deniedParticipants: string[];
  allowedDomains: string[];
  deniedDomains: string[];
  syncAttachments: boolean;
}

/** The guide recommends syncing 6 to 12 months; the form starts at 12. */
export function defaultSyncFrom(now = new Date()): string {
  const d = new Date(now);
  d.setFullYear(d.getFullYear() - 1);
  return toDateInput(d.toISOString());
}

export function emptyDraft(project: string): MailboxDraft {
  return {
    email: "",
    bucketMode: "AUTO",
    newBucketProject: project,
    newBucketName: "",
    newBucketTitle: "",
    existingBucketId: "",
    timeMode: "FROM",
    syncFrom: defaultSyncFrom(),
    allowedFolders: [],
    deniedFolders: [],
    allowedParticipants: [],
    deniedParticipants: [],
    allowedDomains: [],
    deniedDomains: [],
    syncAttachments: false,
  };
}

export function draftFromMailbox(mailbox: MailboxFieldsFragment, project: string): MailboxDraft {
  return {
    ...emptyDraft(project),
    email: mailbox.email,
    bucketMode: "EXISTING",
    existingBucketId: mailbox.bucket.id,
    timeMode: mailbox.allTime ? "ALL" : "FROM",
    syncFrom: mailbox.syncFrom ? toDateInput(mailbox.syncFrom) : defaultSyncFrom(),
    ...mailbox.filters,
    syncAttachments: mailbox.syncAttachments,
  };
}

function filtersOf(draft: MailboxDraft) {
  return {
    allowedFolders: draft.allowedFolders,
    deniedFolders: draft.deniedFolders,
    allowedParticipants: draft.allowedParticipants,
    deniedParticipants: draft.deniedParticipants,
    allowedDomains: draft.allowedDomains,
    deniedDomains: draft.deniedDomains,
  };
}

function timeOf(draft: MailboxDraft): { syncFrom?: string | null; allTime?: boolean } {
  return draft.timeMode === "ALL"
    ? { allTime: true }
    : { syncFrom: fromDateInput(draft.syncFrom), allTime: false };
}

export function toMailboxInput(draft: MailboxDraft): MailboxInput {
  const bucket =
    draft.bucketMode === "NEW"
      ? {
          newBucket: {
            project: draft.newBucketProject,
            name: draft.newBucketName.trim(),
            title: draft.newBucketTitle.trim() || null,
          },
        }
      : draft.bucketMode === "EXISTING"
        ? { existingBucketId: draft.existingBucketId }
        : null;
  return {
    email: draft.email.trim(),
    bucket,
    ...timeOf(draft),
    filters: filtersOf(draft),
    syncAttachments: draft.syncAttachments,
  };
}

export function toUpdateInput(draft: MailboxDraft): UpdateMailboxInput {
  return { ...timeOf(draft), filters: filtersOf(draft), syncAttachments: draft.syncAttachments };
}
