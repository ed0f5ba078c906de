import { parse } from "tldts";
import type { TruthMessage } from "../../simulator/index.js";

/**
 * What a correct sync must store, computed from the simulator's ground truth with a plain,
 * separate reading of DOMAIN.md — deliberately not the product's compiled filter code.
 */
export interface ExpectedRules {
  mailbox: string;
  /** null: all time. */
  syncFrom: Date | null;
  allowedFolders?: string[];
  deniedFolders?: string[];
  allowedParticipants?: string[];
  deniedParticipants?: string[];
  allowedDomains?: string[];
  deniedDomains?: string[];
}

const pathText = (segments: readonly string[]): string =>
  segments.map((s) => s.replace(/\\/g, "\\\\").replace(/\//g, "\\/")).join("/");

function folderMatches(folder: string, entry: string): boolean {
  const f = folder.toLowerCase();
  const e = entry.replace(/\/+$/, "").toLowerCase();
  return f === e || f.startsWith(`${e}/`);
}

function domainMatches(domain: string, entry: string): boolean {
  const d = domain.toLowerCase();
  const e = entry.toLowerCase();
  if (!e.endsWith(".*")) return d === e;
  const parsed = parse(d, { allowPrivateDomains: false });
  return (
    parsed.isIcann === true &&
    parsed.subdomain === "" &&
    parsed.domainWithoutSuffix === e.slice(0, -2)
  );
}

export function expectedMessages(
  truth: Iterable<TruthMessage>,
  rules: ExpectedRules,
): TruthMessage[] {
  const me = rules.mailbox.toLowerCase();
  const allowedP = (rules.allowedParticipants ?? []).map((a) => a.toLowerCase());
  const deniedP = (rules.deniedParticipants ?? []).map((a) => a.toLowerCase());
  const allowedD = rules.allowedDomains ?? [];
  const deniedD = rules.deniedDomains ?? [];
  const anyAllow = allowedP.length > 0 || allowedD.length > 0;
  const denied = (address: string): boolean => {
    const domain = address.slice(address.lastIndexOf("@") + 1);
    if (deniedP.includes(address) || deniedD.some((e) => domainMatches(domain, e))) return true;
    if (!anyAllow) return false;
    return !(allowedP.includes(address) || allowedD.some((e) => domainMatches(domain, e)));
  };
  const out: TruthMessage[] = [];
  for (const message of truth) {
    if (rules.syncFrom && new Date(message.receivedDateTime) < rules.syncFrom) continue;
    const folder = pathText(message.folderPath);
    if (rules.allowedFolders?.length && !rules.allowedFolders.some((e) => folderMatches(folder, e)))
      continue;
    if (rules.deniedFolders?.some((e) => folderMatches(folder, e))) continue;
    const participants = [
      message.from,
      message.sender,
      ...message.toRecipients,
      ...message.ccRecipients,
      ...message.bccRecipients,
    ]
      .map((p) => p.address.toLowerCase())
      .filter((a) => a !== "" && a !== me);
    if (participants.some(denied)) continue;
    out.push(message);
  }
  return out;
}

export const folderText = pathText;
