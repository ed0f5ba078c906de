import { compileDomainPatterns, parseDomainPattern } from "./domain-pattern.js";
import { emailKey } from "./email-address.js";
import { foldFolderName, parseFolderPath } from "./folder-path.js";
import type { MailboxSyncSettings } from "./mailbox-rules.js";

/**
 * Rule "moving syncFrom earlier backfills; a filter change that widens what is allowed backfills
 * what the old filter left out" (DOMAIN.md Mailboxes): whether `after` may select a message that
 * `before` did not, so the sync must revisit already-walked folders instead of only continuing
 * from its checkpoints. Conservative: it may answer true for a change that in fact admits nothing
 * new (a rescan is idempotent, messages are keyed by Message-ID and charged once), but never
 * false for one that does. Narrowing never deletes anything, so it needs no action.
 * `syncAttachments` is not part of it: it changes what is stored per message, not which messages.
 * Turned on later it applies to mail synced from then on; a resync fetches the contents of mail
 * already stored (storage/message-store.ts, addMissingContents).
 */
export function syncSelectionWidened(
  before: MailboxSyncSettings,
  after: MailboxSyncSettings,
): boolean {
  return (
    timeWidened(before, after) ||
    foldersWidened(before, after) ||
    participantsWidened(before, after)
  );
}

function timeWidened(before: MailboxSyncSettings, after: MailboxSyncSettings): boolean {
  if (before.allTime) return false;
  if (after.allTime) return true;
  return (
    after.syncFrom !== null &&
    before.syncFrom !== null &&
    after.syncFrom.getTime() < before.syncFrom.getTime()
  );
}

type Folder = string[];

function foldersWidened(before: MailboxSyncSettings, after: MailboxSyncSettings): boolean {
  const parse = (list: readonly string[]): Folder[] =>
    list.map((text) => parseFolderPath(text).map(foldFolderName));
  const [allowedBefore, deniedBefore] = [
    parse(before.filters.allowedFolders),
    parse(before.filters.deniedFolders),
  ];
  const [allowedAfter, deniedAfter] = [
    parse(after.filters.allowedFolders),
    parse(after.filters.deniedFolders),
  ];
  if (allowedBefore.length > 0) {
    if (allowedAfter.length === 0) return true;
    // A newly allowed area must lie inside one allowed before.
    if (allowedAfter.some((a) => !allowedBefore.some((b) => within(a, b)))) return true;
  }
  // Each area denied before must still be denied, or lie outside everything allowed now.
  return deniedBefore.some((d) => {
    if (deniedAfter.some((d2) => within(d, d2))) return false;
    if (allowedAfter.length === 0) return true;
    return allowedAfter.some((a) => within(a, d) || within(d, a));
  });
}

function participantsWidened(before: MailboxSyncSettings, after: MailboxSyncSettings): boolean {
  const b = before.filters;
  const a = after.filters;
  const allowListBefore = b.allowedParticipants.length > 0 || b.allowedDomains.length > 0;
  const allowListAfter = a.allowedParticipants.length > 0 || a.allowedDomains.length > 0;
  if (allowListBefore) {
    if (!allowListAfter) return true;
    const allowedBefore = new Set(b.allowedParticipants.map(emailKey));
    const domainAllowedBefore = compileDomainPatterns(b.allowedDomains);
    const newAddress = a.allowedParticipants.some((address) => {
      const key = emailKey(address);
      return !allowedBefore.has(key) && !domainAllowedBefore(key.slice(key.lastIndexOf("@") + 1));
    });
    if (newAddress || domainEntriesAdded(b.allowedDomains, a.allowedDomains)) return true;
  }
  const deniedAfter = new Set(a.deniedParticipants.map(emailKey));
  const domainDeniedAfter = compileDomainPatterns(a.deniedDomains);
  const undenied = b.deniedParticipants.some((address) => {
    const key = emailKey(address);
    return !deniedAfter.has(key) && !domainDeniedAfter(key.slice(key.lastIndexOf("@") + 1));
  });
  return undenied || domainEntriesAdded(a.deniedDomains, b.deniedDomains);
}

/** Whether `to` holds a domain entry that `from` does not cover (an exact domain can be covered by a wildcard). */
function domainEntriesAdded(from: readonly string[], to: readonly string[]): boolean {
  const covered = compileDomainPatterns(from);
  const fromSet = new Set(from);
  return to.some((entry) => {
    if (fromSet.has(entry)) return false;
    const pattern = parseDomainPattern("domain", entry);
    return pattern.kind === "anySuffix" || !covered(pattern.domain);
  });
}

function within(folder: Folder, ancestor: Folder): boolean {
  return ancestor.length <= folder.length && ancestor.every((name, i) => name === folder[i]);
}
