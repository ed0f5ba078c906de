import { badInput } from "./errors.js";
import { fieldPath } from "./field-path.js";
import { API_NAME_MAX_LENGTH, validateApiName } from "./names.js";

/** A user-defined new bucket: the project (API name) it goes in, its API name and title. */
export interface NewBucketInput {
  project: string;
  name: string;
  title?: string | null;
}

/** How a mailbox input chooses its bucket; giving neither means "create one automatically". */
export interface BucketChoiceInput {
  existingBucketId?: string | null;
  newBucket?: NewBucketInput | null;
}

export type BucketChoice =
  | { kind: "auto" }
  | { kind: "existing"; existingBucketId: string }
  | { kind: "new"; newBucket: { project: string; name: string; title: string | null } };

/**
 * Rule "bucket choice" (DOMAIN.md Mailboxes): exactly one of create automatically (neither field
 * given), a user-defined new bucket, or an existing bucket. Giving both is refused rather than
 * preferring one, since either reading could silently put mail in the wrong bucket. A blank title
 * comes back null so the caller can default it. Whether the
 * caller may write the existing bucket's project is checked by the service, not here.
 */
export function validateBucketChoice(
  input: BucketChoiceInput | null | undefined,
  fieldPrefix: string,
): BucketChoice {
  const existing = input?.existingBucketId ?? null;
  const created = input?.newBucket ?? null;
  if (existing !== null && created !== null) {
    throw badInput(
      fieldPath(fieldPrefix, "newBucket"),
      "Bucket choice: give existingBucketId or newBucket, not both (give neither to create a bucket automatically).",
    );
  }
  if (existing !== null) {
    const bucketId = existing.trim();
    if (bucketId === "") {
      throw badInput(
        fieldPath(fieldPrefix, "existingBucketId"),
        "Bucket choice: existingBucketId is empty; give a bucket's id, or leave it out to create a bucket automatically.",
      );
    }
    return { kind: "existing", existingBucketId: bucketId };
  }
  if (created !== null) {
    const newField = fieldPath(fieldPrefix, "newBucket");
    const title = created.title?.trim() ?? "";
    return {
      kind: "new",
      newBucket: {
        project: validateApiName(fieldPath(newField, "project"), created.project),
        name: validateApiName(fieldPath(newField, "name"), created.name),
        title: title === "" ? null : title,
      },
    };
  }
  return { kind: "auto" };
}

/**
 * Rule "bucket choice: create automatically — name derived from the integration and mailbox, made
 * unique" (DOMAIN.md Mailboxes). `sales` + `Orders@Example.com` → `sales_orders-example-com`;
 * characters outside the API name pattern become `-` (accents are stripped first, so `josé`
 * gives `jose`); if taken, `-2`, `-3`, … is appended, the base cut so the result stays within 256
 * characters. `taken` is compared case-insensitively so the name is free whichever way the store
 * compares names.
 */
export function autoBucketName(
  integrationName: string,
  email: string,
  taken: ReadonlySet<string>,
): string {
  const base = `${sanitize(integrationName) || "mailbox"}_${sanitize(email) || "mailbox"}`;
  const takenKeys = new Set([...taken].map((name) => name.toLowerCase()));
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : `-${n}`;
    const candidate = `${trimDashes(base.slice(0, API_NAME_MAX_LENGTH - suffix.length))}${suffix}`;
    if (!takenKeys.has(candidate.toLowerCase())) return candidate;
  }
}

function sanitize(text: string): string {
  const plain = text.trim().toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
  return trimDashes(plain.replace(/[^a-z0-9_-]+/g, "-"));
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, "");
}
