import { BlockList, isIP, isIPv4 } from "node:net";

/**
 * Rule "integrations reach public addresses only" (DOMAIN.md, Outbound connections): the server
 * connects to the hosts an integration names, and refuses an address that is loopback, private,
 * shared (CGNAT), link-local, unique-local, unspecified or otherwise not globally reachable —
 * unless the operator allowed it in MAILSTREAM_ALLOWED_HOSTS, by host name, by address or by
 * network. The rule is applied to the address actually connected to (after DNS), so a public name
 * that resolves to 127.0.0.1 is refused like 127.0.0.1 itself.
 *
 * IPv4 addresses written as IPv6 (`::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`, 6to4
 * `2002:7f00:1::`) are judged as the IPv4 address they carry.
 */
const ALLOWED_HOSTS_SETTING = "MAILSTREAM_ALLOWED_HOSTS";

export type AddressCategory =
  | "public"
  | "loopback"
  | "private"
  | "shared (CGNAT)"
  | "link-local"
  | "unique-local"
  | "unspecified"
  | "multicast"
  | "documentation"
  | "reserved";

const RANGES: readonly [AddressCategory, "ipv4" | "ipv6", string, number][] = [
  ["unspecified", "ipv4", "0.0.0.0", 8],
  ["private", "ipv4", "10.0.0.0", 8],
  ["shared (CGNAT)", "ipv4", "100.64.0.0", 10],
  ["loopback", "ipv4", "127.0.0.0", 8],
  ["link-local", "ipv4", "169.254.0.0", 16],
  ["private", "ipv4", "172.16.0.0", 12],
  ["reserved", "ipv4", "192.0.0.0", 24],
  ["documentation", "ipv4", "192.0.2.0", 24],
  ["private", "ipv4", "192.168.0.0", 16],
  ["reserved", "ipv4", "198.18.0.0", 15],
  ["documentation", "ipv4", "198.51.100.0", 24],
  ["documentation", "ipv4", "203.0.113.0", 24],
  ["multicast", "ipv4", "224.0.0.0", 4],
  ["reserved", "ipv4", "240.0.0.0", 4],
  ["unspecified", "ipv6", "::", 128],
  ["loopback", "ipv6", "::1", 128],
  // IPv4-compatible (deprecated) and the rest of ::/96 besides the two above.
  ["reserved", "ipv6", "::", 96],
  ["reserved", "ipv6", "64:ff9b:1::", 48],
  ["reserved", "ipv6", "100::", 64],
  // IETF protocol assignments (Teredo, ORCHID…): not destinations of an integration.
  ["reserved", "ipv6", "2001::", 23],
  ["documentation", "ipv6", "2001:db8::", 32],
  ["documentation", "ipv6", "3fff::", 20],
  ["unique-local", "ipv6", "fc00::", 7],
  ["link-local", "ipv6", "fe80::", 10],
  ["private", "ipv6", "fec0::", 10],
  ["multicast", "ipv6", "ff00::", 8],
];

const LISTS: readonly { category: AddressCategory; list: BlockList }[] = (() => {
  // One BlockList per range, most specific first, so ::1 is "loopback" rather than "reserved".
  const sorted = [...RANGES].sort((a, b) => b[3] - a[3]);
  return sorted.map(([category, family, network, prefix]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { category, list };
  });
})();

/** The 16 bytes of an IPv6 address (zone id ignored), or null when it is not one. */
export function ipv6Bytes(address: string): number[] | null {
  const plain = address.replace(/%.*$/, "");
  if (isIP(plain) !== 6) return null;
  let text = plain;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    tail = dotted[1]!.split(".").map(Number);
    text = text.slice(0, -dotted[1]!.length) + "0:0";
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const words = (s: string | undefined) => (s ? s.split(":").filter(Boolean) : []);
  const left = words(head);
  const right = words(rest);
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<string>(zeros).fill("0"), ...right].map((w) => parseInt(w, 16));
  const bytes = all.flatMap((w) => [w >> 8, w & 0xff]);
  if (dotted) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * The address to judge: an IPv4 address as such; an IPv6 one that carries an IPv4 address
 * (mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) as that IPv4 address; any other
 * IPv6 address as itself (without zone id). Null when `address` is no IP address.
 */
export function effectiveAddress(
  address: string,
): { address: string; family: "ipv4" | "ipv6" } | null {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIPv4(trimmed)) return { address: trimmed, family: "ipv4" };
  const bytes = ipv6Bytes(trimmed);
  if (!bytes) return null;
  const v4 = (at: number) => bytes.slice(at, at + 4).join(".");
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { address: v4(12), family: "ipv4" };
  }
  if (
    bytes[0] === 0x00 &&
    bytes[1] === 0x64 &&
    bytes[2] === 0xff &&
    bytes[3] === 0x9b &&
    zero(4, 12)
  ) {
    return { address: v4(12), family: "ipv4" };
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { address: v4(2), family: "ipv4" };
  return { address: trimmed.replace(/%.*$/, ""), family: "ipv6" };
}

/** What kind of address this is; "public" when it is globally reachable. */
export function addressCategory(address: string): AddressCategory {
  const effective = effectiveAddress(address);
  if (!effective) throw new Error(`'${address}' is not an IP address`);
  for (const { category, list } of LISTS) {
    if (list.check(effective.address, effective.family)) return category;
  }
  return "public";
}

/** MAILSTREAM_ALLOWED_HOSTS, parsed: host names, and addresses or networks. */
export interface AllowedHosts {
  /** The entries as the operator wrote them (normalized), for messages. */
  readonly entries: readonly string[];
  /** Whether `host` (as named in a URL) or the address it resolved to is allowed. */
  allows(host: string, address: string): boolean;
}

export class AllowedHostsError extends Error {}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower case, no brackets, no trailing dot: how host names and entries are compared. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

/**
 * Parses MAILSTREAM_ALLOWED_HOSTS: comma-separated host names (`exchange.corp.example`,
 * `localhost`), IP addresses (`10.1.2.3`, `::1`, `[fd00::5]`) and CIDR networks (`10.0.0.0/8`,
 * `fd00::/8`). An entry that is none of these (a URL, a port, a bad prefix) is refused with a
 * message naming it, so a typo cannot silently allow nothing — or everything.
 */
export function parseAllowedHosts(raw: string | undefined): AllowedHosts {
  const names = new Set<string>();
  const networks = new BlockList();
  const entries: string[] = [];
  for (const part of (raw ?? "").split(",")) {
    const entry = normalizeHost(part);
    if (entry === "") continue;
    entries.push(entry);
    if (entry.includes("://")) {
      throw new AllowedHostsError(
        `${ALLOWED_HOSTS_SETTING}: '${part.trim()}' is a URL; list its host name only (e.g. exchange.corp.example)`,
      );
    }
    const slash = entry.indexOf("/");
    if (slash >= 0) {
      addNetwork(networks, entry.slice(0, slash), entry.slice(slash + 1), part.trim());
      continue;
    }
    const address = effectiveAddress(entry);
    if (address) {
      networks.addAddress(address.address, address.family);
      continue;
    }
    if (entry.length > 253 || !entry.split(".").every((label) => LABEL.test(label))) {
      throw new AllowedHostsError(
        `${ALLOWED_HOSTS_SETTING}: '${part.trim()}' is not a host name, an IP address or a CIDR network (no scheme, port or path)`,
      );
    }
    names.add(entry);
  }
  return {
    entries,
    allows(host: string, address: string): boolean {
      if (names.has(normalizeHost(host))) return true;
      const effective = effectiveAddress(address);
      return effective !== null && networks.check(effective.address, effective.family);
    },
  };
}

/**
 * `address/prefix` into the list. A mapped IPv6 network (`::ffff:10.0.0.0/104`) is stored as the
 * IPv4 network it carries, since connected addresses are judged that way too.
 */
function addNetwork(list: BlockList, address: string, prefixText: string, written: string): void {
  const family = isIPv4(address) ? "ipv4" : isIP(address) === 6 ? "ipv6" : null;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!family || !(prefix >= 0 && prefix <= (family === "ipv4" ? 32 : 128))) {
    throw new AllowedHostsError(
      `${ALLOWED_HOSTS_SETTING}: '${written}' is not a CIDR network (e.g. 10.0.0.0/8 or fd00::/8)`,
    );
  }
  const effective = effectiveAddress(address)!;
  const mapped = family === "ipv6" && effective.family === "ipv4" && /^::ffff:/.test(address);
  if (mapped && prefix < 96) {
    throw new AllowedHostsError(
      `${ALLOWED_HOSTS_SETTING}: '${written}' is wider than the IPv4 addresses it maps; write the IPv4 network instead`,
    );
  }
  if (mapped) list.addSubnet(effective.address, prefix - 96, "ipv4");
  else list.addSubnet(address, prefix, family);
}

export interface EgressRefusal {
  /** The host as the URL names it. */
  host: string;
  /** The address it resolved to (or the host itself when it is an address). */
  address: string;
  category: Exclude<AddressCategory, "public">;
}

/** Null when `host` may be reached at `address`; otherwise what is refused and why. */
export function egressRefusal(
  host: string,
  address: string,
  allowed: AllowedHosts,
): EgressRefusal | null {
  const category = addressCategory(address);
  if (category === "public" || allowed.allows(host, address)) return null;
  return { host: normalizeHost(host), address, category };
}

/** The refusal in words a person can act on: what, why, and the setting that allows it. */
export function describeEgressRefusal(refusal: EgressRefusal): string {
  const { host, address, category } = refusal;
  const literal = host === normalizeHost(address);
  const article = /^(?:[aeio]|un(?!i))/.test(category) ? "an" : "a";
  const what = literal
    ? `${host} is ${article} ${category} address`
    : `${host} resolves to ${address}, ${article} ${category} address`;
  const add = literal ? host : `${host} or ${address}`;
  return `${what}; integrations may not reach such addresses unless ${ALLOWED_HOSTS_SETTING} allows them (add ${add} to it).`;
}
