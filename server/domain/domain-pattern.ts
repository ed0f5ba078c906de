import { parse } from "tldts";
import { checkDomainName, domainKey } from "./domain-name.js";
import { badInput } from "./errors.js";
import { fieldPath } from "./field-path.js";
import { quoted } from "./message-text.js";

/**
 * A domain filter entry, parsed: an exact domain, or `name.*` (a registrable name under any public
 * suffix). Both hold the ASCII (punycode) lower-case form.
 */
export type DomainPattern = { kind: "exact"; domain: string } | { kind: "anySuffix"; name: string };

export type DomainMatcher = (domain: string) => boolean;

const WILDCARD_HELP =
  'the only wildcard allowed is a whole public suffix after a name, written like "reinfer.*"';

// Only the ICANN section of the Public Suffix List counts. With private suffixes on, hosting
// platforms (github.io, blogspot.com, s3.amazonaws.com) would become suffixes and `reinfer.*`
// would match `reinfer.github.io` — a tenant of someone else's platform, not the organisation the
// user meant. Mail domains are registered under ICANN suffixes.
// `extractHostname: false` because we always pass a bare host name, never a URL.
const PSL_OPTIONS = { allowPrivateDomains: false, extractHostname: false } as const;

/**
 * Rule "domain filter entry" (DOMAIN.md Domain filters): an entry is an exact domain
 * (`example.com`) or `name.*` where `name` is a single label. Every other use of `*` is refused.
 * Case-insensitive and trimmed; Unicode names are stored in ASCII (punycode) form.
 */
export function parseDomainPattern(field: string, entry: string): DomainPattern {
  const text = entry.trim();
  if (text.includes("*")) {
    const match = /^([^.*]+)\.\*$/.exec(text);
    if (match === null) {
      throw badInput(field, `Domain filter ${quoted(text)} is not accepted: ${WILDCARD_HELP}.`);
    }
    return { kind: "anySuffix", name: validateNameLabel(field, text, match[1] ?? "") };
  }
  const check = checkDomainName(text);
  if (!check.ok) throw badInput(field, `Domain filter ${quoted(text)} ${check.reason}.`);
  return { kind: "exact", domain: check.ascii };
}

function validateNameLabel(field: string, entry: string, label: string): string {
  // Checked as `label.example` so the one set of label rules (LDH, IDN, length) applies.
  const check = checkDomainName(`${label}.example`);
  const ascii = check.ok ? check.ascii.slice(0, -".example".length) : "";
  if (!check.ok || ascii.includes(".")) {
    const reason = check.ok ? "is not a single domain label" : check.reason;
    throw badInput(field, `Domain filter ${quoted(entry)}: the name before ".*" ${reason}.`);
  }
  return ascii;
}

/** The canonical text of a parsed entry, as stored and shown back. */
export function formatDomainPattern(pattern: DomainPattern): string {
  return pattern.kind === "exact" ? pattern.domain : `${pattern.name}.*`;
}

/**
 * Rule "domain filter entry" over a list: each entry parsed ({@link parseDomainPattern}), written
 * canonically, duplicates dropped. `field` is the list's path; entries are reported as `field.i`.
 */
export function validateDomainPatterns(field: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  entries.forEach((entry, i) => {
    const text = formatDomainPattern(parseDomainPattern(fieldPath(field, i), entry));
    if (!seen.has(text)) {
      seen.add(text);
      result.push(text);
    }
  });
  return result;
}

/**
 * Rule "domain filters match each participant's domain" for one entry. `example.com` matches only
 * `example.com` (not `mail.example.com`). `reinfer.*` matches a domain whose registrable part is
 * `reinfer` plus its public suffix with no subdomain: `reinfer.com`, `reinfer.co.uk`, but not
 * `mail.reinfer.com` nor `reinfer.example.com` (there the registrable name is `example`).
 *
 * Unknown suffixes follow the PSL algorithm's default rule "*": the last label is the suffix, so
 * `reinfer.corp` (an internal Exchange domain) or a TLD newer than the bundled list matches
 * `reinfer.*`. A domain that is itself a public suffix (`co.uk`) or an IP has no registrable
 * name and matches no wildcard.
 */
export function compileDomainPattern(entry: string | DomainPattern): DomainMatcher {
  const pattern = typeof entry === "string" ? parseDomainPattern("domain", entry) : entry;
  if (pattern.kind === "exact") {
    const exact = pattern.domain;
    return (domain) => domainKey(domain) === exact;
  }
  const name = pattern.name;
  return (domain) => registrableName(domainKey(domain)) === name;
}

/**
 * Compiles a whole list once (exact entries into a set, wildcard names into another) so a
 * participant costs one set lookup plus at most one PSL parse however long the list is.
 */
export function compileDomainPatterns(entries: readonly (string | DomainPattern)[]): DomainMatcher {
  const exact = new Set<string>();
  const names = new Set<string>();
  for (const entry of entries) {
    const pattern = typeof entry === "string" ? parseDomainPattern("domain", entry) : entry;
    if (pattern.kind === "exact") exact.add(pattern.domain);
    else names.add(pattern.name);
  }
  if (exact.size === 0 && names.size === 0) return () => false;
  return (domain) => {
    const key = domainKey(domain);
    if (exact.has(key)) return true;
    if (names.size === 0) return false;
    const name = registrableName(key);
    return name !== null && names.has(name);
  };
}

/**
 * The registrable name (`reinfer` of `reinfer.co.uk`) when the domain has no subdomain, else null.
 * Takes a key from {@link domainKey} (lower-case ASCII).
 */
function registrableName(domainKeyValue: string): string | null {
  const parsed = parse(domainKeyValue, PSL_OPTIONS);
  if (parsed.isIp || parsed.subdomain !== "") return null;
  return parsed.domainWithoutSuffix;
}
