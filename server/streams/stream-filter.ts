import { compileDomainPatterns } from "../domain/domain-pattern.js";
import { isSameOrBelow, parseFolderPath } from "../domain/folder-path.js";
import type { StoredStreamFilter } from "../storage/entities/index.js";
import type { MessageHead } from "../storage/message-queries.js";

/** True when the filter lets every message through. */
export const isEmptyStreamFilter = (filter: StoredStreamFilter): boolean =>
  !filter.receivedFrom &&
  !filter.receivedTo &&
  filter.folders.length === 0 &&
  filter.participants.length === 0 &&
  filter.domains.length === 0;

/**
 * A stream's optional filter (DOMAIN.md, Streams): received-at range, folders (a folder and the
 * folders below it), participants (any participant on the list) and domains (any participant's
 * domain matching an entry, with the same `name.*` wildcard as mailbox domain filters).
 */
export function compileStreamFilter(
  filter: StoredStreamFilter,
): (message: Pick<MessageHead, "receivedAt" | "folder" | "participantAddresses">) => boolean {
  const from = filter.receivedFrom ? new Date(filter.receivedFrom).getTime() : null;
  const to = filter.receivedTo ? new Date(filter.receivedTo).getTime() : null;
  const folders = filter.folders.map((f) => parseFolderPath(f));
  const participants = new Set(filter.participants.map((p) => p.toLowerCase()));
  const domains = filter.domains.length > 0 ? compileDomainPatterns(filter.domains) : null;
  return (message) => {
    const received = message.receivedAt.getTime();
    if (from !== null && received < from) return false;
    if (to !== null && received >= to) return false;
    if (folders.length > 0) {
      const segments = storedFolder(message.folder);
      if (!segments || !folders.some((f) => isSameOrBelow(segments, f))) return false;
    }
    const addresses = message.participantAddresses.split(" ").filter(Boolean);
    if (participants.size > 0 && !addresses.some((a) => participants.has(a))) return false;
    if (domains && !addresses.some((a) => domains(a.slice(a.lastIndexOf("@") + 1)))) return false;
    return true;
  };
}

/** A stored folder path as names; null for one that is not a valid path (it matches no filter). */
function storedFolder(path: string): string[] | null {
  try {
    return parseFolderPath(path);
  } catch {
    return null;
  }
}
