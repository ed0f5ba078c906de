import { checkDomainName, domainKey } from "./domain-name.js";
import { badInput } from "./errors.js";
import { quoted } from "./message-text.js";

/** RFC 5321 §4.5.3.1: local part ≤ 64 octets; a path ≤ 256 octets incl. "<>", so ≤ 254 here. */
export const EMAIL_LOCAL_MAX_OCTETS = 64;
export const EMAIL_MAX_OCTETS = 254;

// RFC 5322 atext plus "." (dot-atom). Quoted local parts ("a b"@x) are not accepted: Exchange
// cannot host such mailboxes and no filter entry needs one. Non-ASCII is allowed (RFC 6531).
const LOCAL_ASCII_CHAR = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]$/;

/**
 * Rule "addresses compare case-insensitively" (DOMAIN.md Mailboxes/Participant filters): the one
 * spelling an address is stored and compared in — trimmed and lower-cased (locale-independent).
 */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * The comparison key of an address: {@link normalizeEmail} with the domain in its ASCII (punycode)
 * form, so `a@bücher.de` and `a@xn--bcher-kva.de` are one participant. Tolerates malformed input
 * (live message data) by keying it as normalized text.
 */
export function emailKey(value: string): string {
  const address = normalizeEmail(value);
  const at = address.lastIndexOf("@");
  if (at < 0) return address;
  return `${address.slice(0, at)}@${domainKey(address.slice(at + 1))}`;
}

export type EmailCheck = { ok: true; address: string } | { ok: false; reason: string };

/**
 * Rule "validated address" (DOMAIN.md Mailboxes): `local@domain` where the local part is a
 * dot-atom (no spaces, no leading/trailing/doubled dot, ≤ 64 octets), the domain passes the domain
 * name rule (so it contains a dot; IDN allowed), and the whole address is ≤ 254 octets.
 */
export function checkEmailAddress(value: string): EmailCheck {
  const address = normalizeEmail(value);
  if (address === "") return { ok: false, reason: "is empty" };
  if (/\s/.test(address)) return { ok: false, reason: "contains whitespace" };
  const at = address.lastIndexOf("@");
  if (at < 0) return { ok: false, reason: "has no @; write it like name@example.com" };
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local === "") return { ok: false, reason: "has nothing before the @" };
  if (domain === "") return { ok: false, reason: "has nothing after the @" };
  if (local.includes("@")) return { ok: false, reason: "contains more than one @" };
  const bad = [...local].find((ch) => /\p{ASCII}/u.test(ch) && !LOCAL_ASCII_CHAR.test(ch));
  if (bad !== undefined) {
    return { ok: false, reason: `contains "${bad}", which an address cannot hold before the @` };
  }
  if (/^\.|\.$|\.\./.test(local)) {
    return { ok: false, reason: "has a leading, trailing or doubled dot before the @" };
  }
  if (utf8Length(local) > EMAIL_LOCAL_MAX_OCTETS) {
    return { ok: false, reason: `has more than ${EMAIL_LOCAL_MAX_OCTETS} characters before the @` };
  }
  const domainCheck = checkDomainName(domain);
  if (!domainCheck.ok) return { ok: false, reason: `has a domain that ${domainCheck.reason}` };
  if (utf8Length(local) + 1 + domainCheck.ascii.length > EMAIL_MAX_OCTETS) {
    return { ok: false, reason: `is longer than ${EMAIL_MAX_OCTETS} characters` };
  }
  return { ok: true, address };
}

/** Throwing form of {@link checkEmailAddress} ("validated address"); returns the normalized address. */
export function validateEmailAddress(field: string, value: string): string {
  const check = checkEmailAddress(value);
  if (!check.ok) throw badInput(field, `Email address ${quoted(value.trim())} ${check.reason}.`);
  return check.address;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
