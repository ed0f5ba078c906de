/** What a summary may say about a mutation: named scalar fields, never an input object. */
export type AuditDetails = Record<string, string | number | boolean | null | undefined>;

/** Longest summary kept, and longest value within it. */
export const MAX_AUDIT_SUMMARY = 500;
const MAX_AUDIT_VALUE = 100;

/**
 * Rule "the audit log never holds a secret": a field whose name says secret, password, private
 * key or token is dropped whatever it holds (a second line of defence: services name only
 * non-secret fields), and every value is cut short, so a summary stays a summary.
 */
const SECRET_NAME = /secret|password|private|token|key|credential/i;

export function auditSummary(details: AuditDetails): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(details)) {
    if (value === undefined || SECRET_NAME.test(name)) continue;
    const text = String(value);
    parts.push(
      `${name}=${text.length > MAX_AUDIT_VALUE ? `${text.slice(0, MAX_AUDIT_VALUE)}…` : text}`,
    );
  }
  const summary = parts.join(", ");
  return summary.length > MAX_AUDIT_SUMMARY ? `${summary.slice(0, MAX_AUDIT_SUMMARY)}…` : summary;
}
