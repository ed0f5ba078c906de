import { compileDomainPatterns } from "./domain-pattern.js";
import { emailKey, validateEmailAddress } from "./email-address.js";
import { fieldPath } from "./field-path.js";

/** A mailbox's participant and domain filters, as validated lists. */
export interface ParticipantFilterLists {
  allowedParticipants: readonly string[];
  deniedParticipants: readonly string[];
  allowedDomains: readonly string[];
  deniedDomains: readonly string[];
}

/** One address of a message: from, sender, to, cc or bcc. */
export interface Participant {
  address: string;
}

export interface ParticipantFilter {
  /** Rule "participant filters": whether the message syncs. */
  passes(mailboxAddress: string, participants: readonly Participant[]): boolean;
  /** The first participant (as written in the message) that keeps the message out, or null. */
  deniedParticipant(mailboxAddress: string, participants: readonly Participant[]): string | null;
}

/**
 * Rule "participant filters" list validation: each entry a valid address (normalized, i.e. trimmed
 * and lower-cased), duplicates dropped. Entries are reported as `field.i`.
 */
export function validateParticipantList(field: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  entries.forEach((entry, i) => {
    const address = validateEmailAddress(fieldPath(field, i), entry);
    const key = emailKey(address);
    if (!seen.has(key)) {
      seen.add(key);
      result.push(address);
    }
  });
  return result;
}

/**
 * Rule "participant filters" with "domain filters" (DOMAIN.md): a message's participants are its
 * from, sender, to, cc and bcc addresses except the mailbox's own (case-insensitive). A participant
 * is denied if its address is on the denied participants or its domain matches a denied domain;
 * otherwise, when any allowed list (participants or domains) is set, it is denied unless its
 * address is allowed or its domain matches an allowed domain. Deny wins. A message with any
 * denied participant does not sync; one whose only participant is the mailbox itself does.
 *
 * Compiled once per mailbox (sets and PSL-aware matchers) because it runs for every message.
 * Blank addresses (a recipient group such as "undisclosed-recipients:;" carries a name but no
 * address) name nobody, so they are skipped rather than denied.
 */
export function compileParticipantFilter(lists: ParticipantFilterLists): ParticipantFilter {
  const allowedAddresses = new Set(lists.allowedParticipants.map(emailKey));
  const deniedAddresses = new Set(lists.deniedParticipants.map(emailKey));
  const allowedDomain = compileDomainPatterns(lists.allowedDomains);
  const deniedDomain = compileDomainPatterns(lists.deniedDomains);
  const allowListSet = allowedAddresses.size > 0 || lists.allowedDomains.length > 0;
  const noFilters = !allowListSet && deniedAddresses.size === 0 && lists.deniedDomains.length === 0;

  // Takes an emailKey, whose domain part is already in the form domain matchers compare.
  const isDenied = (key: string): boolean => {
    const at = key.lastIndexOf("@");
    const domain = at < 0 || at === key.length - 1 ? null : key.slice(at + 1);
    if (deniedAddresses.has(key) || (domain !== null && deniedDomain(domain))) return true;
    if (!allowListSet) return false;
    return !(allowedAddresses.has(key) || (domain !== null && allowedDomain(domain)));
  };

  const deniedParticipant = (
    mailboxAddress: string,
    participants: readonly Participant[],
  ): string | null => {
    if (noFilters) return null;
    const self = emailKey(mailboxAddress);
    for (const { address } of participants) {
      if (address.trim() === "") continue;
      const key = emailKey(address);
      if (key !== self && isDenied(key)) return address;
    }
    return null;
  };

  return {
    deniedParticipant,
    passes: (mailboxAddress, participants) =>
      deniedParticipant(mailboxAddress, participants) === null,
  };
}
