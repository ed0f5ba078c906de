import { domainToASCII, domainToUnicode } from "node:url";
import { badInput } from "./errors.js";
import { quoted } from "./message-text.js";

/** RFC 1035: a label holds at most 63 octets, a name at most 253 in its dotted text form. */
export const DOMAIN_LABEL_MAX_LENGTH = 63;
export const DOMAIN_MAX_LENGTH = 253;

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export type DomainCheck = { ok: true; ascii: string } | { ok: false; reason: string };

/**
 * Rule "domain name syntax": a host name of at least two labels (mail domains always have a dot),
 * letters/digits/hyphens per label (no leading or trailing hyphen), labels ≤ 63 and the name ≤ 253
 * characters, not an IP address. Unicode (IDN) names are accepted and converted to their ASCII
 * (punycode) form with WHATWG/UTS-46 rules, which also lower-cases and maps full-width characters,
 * so one domain has one spelling whichever way it was typed.
 */
export function checkDomainName(value: string): DomainCheck {
  const text = value.trim();
  if (text === "") return { ok: false, reason: "is empty" };
  if (/\s/.test(text)) return { ok: false, reason: "contains whitespace" };
  const badAscii = [...text].find((ch) => /\p{ASCII}/u.test(ch) && !/[A-Za-z0-9.-]/.test(ch));
  if (badAscii !== undefined) {
    return {
      ok: false,
      reason: `contains "${badAscii}"; a domain holds only letters, digits, "-" and "." between labels`,
    };
  }
  const ascii = domainToASCII(text);
  if (ascii === "" || !ascii.split(".").every(isDecodableLabel)) {
    return { ok: false, reason: "is not a valid internationalized domain name" };
  }
  const labels = ascii.split(".");
  if (labels.some((label) => label === "")) {
    return { ok: false, reason: "has an empty label (a leading, trailing or doubled dot)" };
  }
  if (labels.length < 2) {
    return { ok: false, reason: "needs at least two labels, like example.com" };
  }
  if (ascii.length > DOMAIN_MAX_LENGTH) {
    return { ok: false, reason: `is longer than ${DOMAIN_MAX_LENGTH} characters` };
  }
  for (const label of labels) {
    if (label.length > DOMAIN_LABEL_MAX_LENGTH) {
      return {
        ok: false,
        reason: `has a label longer than ${DOMAIN_LABEL_MAX_LENGTH} characters`,
      };
    }
    if (!LDH_LABEL.test(label)) {
      const why = /^-|-$/.test(label)
        ? 'starts or ends with "-"'
        : 'holds characters other than letters, digits and "-"';
      return { ok: false, reason: `has a label ${quoted(label)} that ${why}` };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) {
    return { ok: false, reason: "ends in a numeric label; IP addresses are not accepted" };
  }
  return { ok: true, ascii };
}

/**
 * An `xn--` (punycode) label must decode, and to a name whose ASCII form is that label. Node 20's
 * `domainToASCII` refused undecodable ones (`""`); Node 24's (Ada 4) passes them through unchanged,
 * and its `domainToUnicode` returns such a label as it is.
 */
function isDecodableLabel(label: string): boolean {
  if (!label.startsWith("xn--")) return true;
  const unicode = domainToUnicode(label);
  return unicode !== label && domainToASCII(unicode) === label;
}

/** Throwing form of {@link checkDomainName} ("domain name syntax"); returns the ASCII form. */
export function validateDomainName(field: string, value: string): string {
  const check = checkDomainName(value);
  if (!check.ok) throw badInput(field, `Domain ${quoted(value.trim())} ${check.reason}.`);
  return check.ascii;
}

/**
 * The form a domain taken from live data (a participant's address) is compared in: lower-case
 * ASCII, without the root dot of a fully qualified `example.com.`. Not validated: messages carry
 * whatever their senders wrote, and a malformed domain should simply match no filter entry rather
 * than fail the sync.
 */
export function domainKey(domain: string): string {
  const lower = domain.endsWith(".") ? domain.slice(0, -1).toLowerCase() : domain.toLowerCase();
  if (!/\P{ASCII}/u.test(lower)) return lower;
  return domainToASCII(lower) || lower;
}
