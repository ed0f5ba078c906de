import { badInput } from "../domain/errors.js";
import { limitList } from "../domain/input-limits.js";
import { validateDomainPatterns } from "../domain/domain-pattern.js";
import { formatFolderPath, parseFolderPath } from "../domain/folder-path.js";
import { validateParticipantList } from "../domain/participant-filter.js";
import type { StoredStreamFilter } from "../storage/entities/index.js";

export interface StreamFilterInput {
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  folders?: string[] | null;
  participants?: string[] | null;
  domains?: string[] | null;
}

/** Validates a stream filter: a received range that is not inverted, folder paths, addresses, domains. */
export function validateStreamFilter(input: StreamFilterInput, field: string): StoredStreamFilter {
  limitList(`${field}.folders`, input.folders);
  limitList(`${field}.participants`, input.participants);
  limitList(`${field}.domains`, input.domains);
  if (input.receivedFrom && input.receivedTo && input.receivedFrom >= input.receivedTo) {
    throw badInput(`${field}.receivedTo`, "receivedTo must be after receivedFrom.");
  }
  return {
    receivedFrom: input.receivedFrom?.toISOString() ?? null,
    receivedTo: input.receivedTo?.toISOString() ?? null,
    folders: (input.folders ?? []).map((f, i) =>
      formatFolderPath(parseFolderPath(f, `${field}.folders.${i}`)),
    ),
    participants: validateParticipantList(`${field}.participants`, input.participants ?? []),
    domains: validateDomainPatterns(`${field}.domains`, input.domains ?? []),
  };
}
