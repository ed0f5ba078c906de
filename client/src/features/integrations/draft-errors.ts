/**
 * Refusals belong to what the user had typed when they came back: once a field changes, its
 * error is stale and goes (correcting `carol@` to `carol@contoso.com` clears the email's error,
 * removing the chips of a refused allow-inside-deny pair clears the pair's error). Free of
 * imports, so test/client can check it under Node: the draft is mailbox-draft.ts's MailboxDraft.
 */
interface FormErrors {
  fields: Record<string, string>;
  general: string[];
}
type Draft = object;

const LISTS = [
  "allowedFolders",
  "deniedFolders",
  "allowedParticipants",
  "deniedParticipants",
  "allowedDomains",
  "deniedDomains",
] as const;

/** The draft fields an error at `path` (relative to the mailbox input) is about. */
export function draftKeysFor(path: string): string[] {
  const [head, sub] = path.split(".");
  switch (head) {
    case "email":
      return ["email"];
    case "bucket":
      return [
        "bucketMode",
        "newBucketProject",
        "newBucketName",
        "newBucketTitle",
        "existingBucketId",
      ];
    case "syncFrom":
    case "allTime":
      return ["timeMode", "syncFrom"];
    case "syncAttachments":
      return ["syncAttachments"];
    case "filters":
      // A rule about two lists (allow inside deny) names one of them: either list changing clears it.
      if (sub?.endsWith("Folders")) return ["allowedFolders", "deniedFolders"];
      if (sub?.endsWith("Participants")) return ["allowedParticipants", "deniedParticipants"];
      if (sub?.endsWith("Domains")) return ["allowedDomains", "deniedDomains"];
      return [...LISTS];
    default:
      return [];
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The errors still standing for `now`, given they were returned for `then`: a field error goes
 * when a field it is about changed; an error the form cannot place goes when anything changed.
 */
export function standingErrors<E extends FormErrors>(errors: E, then: Draft, now: Draft): E {
  if (then === now) return errors;
  const a = then as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  const changed = (key: string) => !same(a[key], b[key]);
  const anyChange = Object.keys(b).some(changed);
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors.fields)) {
    const keys = draftKeysFor(path);
    const stale = keys.length > 0 ? keys.some(changed) : anyChange;
    if (!stale) fields[path] = message;
  }
  return { ...errors, fields, general: anyChange ? [] : errors.general };
}
