/**
 * Inline checks for the mailbox filters, so a mistake shows while typing. They mirror the
 * server's rules (server/domain/*) loosely; the server stays the judge, and its refusals are
 * shown next to the same fields. Kept free of imports so test/client can check it under Node.
 */

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const WILDCARD_SUFFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.\*$/i;

export function emailProblem(value: string): string | null {
  const v = value.trim();
  if (v === "") return "Enter an email address.";
  if (!EMAIL.test(v)) return `"${v}" is not an email address; write it like name@example.com.`;
  return null;
}

/** Rule "domain filters": a domain, or a registrable name with a wildcard public suffix (`reinfer.*`). */
export function domainProblem(value: string): string | null {
  const v = value.trim();
  if (v === "") return "Enter a domain.";
  if (v.includes("@"))
    return `"${v}" is an address; enter only its domain, e.g. ${v.split("@").pop() || "example.com"}.`;
  if (v.includes("*")) {
    if (WILDCARD_SUFFIX.test(v)) return null;
    return `"${v}": only the top-level domain can be a wildcard, as in reinfer.* (matching reinfer.com and reinfer.dev).`;
  }
  if (!DOMAIN.test(v)) return `"${v}" is not a domain name; write it like example.com.`;
  return null;
}

/** Rule "folder path syntax": from the mailbox root, `/` between names, `\/` inside a name. */
export function folderProblem(value: string): string | null {
  const v = value.trim();
  if (v === "") return "Enter a folder path.";
  if (v.startsWith("/"))
    return `Start from the mailbox root without a leading "/", e.g. Root/Top of Information Store/Inbox.`;
  if (/(^|[^\\])\/\//.test(v)) return `"${v}" has an empty folder name ("//").`;
  if (/\\(?![/\\])/.test(v))
    return `"${v}" has a "\\" that escapes nothing; write "\\/" for a "/" inside a folder name.`;
  return null;
}

function folderKey(path: string): string {
  return path.trim().replace(/\/+$/, "").normalize("NFC").toUpperCase().toLowerCase();
}

/** True when `folder` is `parent` or below it (case-insensitive, trailing `/` ignored). */
export function isWithin(folder: string, parent: string): boolean {
  const f = folderKey(folder);
  const p = folderKey(parent);
  return f === p || f.startsWith(`${p}/`);
}

/** Rule "you cannot allow a folder within a denied folder": the first conflict, named. */
export function folderConflict(
  allowed: readonly string[],
  denied: readonly string[],
): string | null {
  for (const a of allowed) {
    const d = denied.find((entry) => isWithin(a, entry));
    if (d !== undefined) {
      const how = folderKey(a) === folderKey(d) ? "is also" : "is inside";
      return `Allowed folder "${a}" ${how} denied folder "${d}": a folder inside a denied folder never syncs.`;
    }
  }
  return null;
}

/** Rule "API names": letters, digits, `-` and `_`, at most 256. */
export function apiNameProblem(value: string): string | null {
  if (value === "") return "Enter an API name.";
  if (value.length > 256) return "At most 256 characters.";
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return "Use only letters, digits, - and _ (no spaces).";
  return null;
}
