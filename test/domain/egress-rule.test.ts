import { describe, expect, it } from "vitest";
import {
  addressCategory,
  describeEgressRefusal,
  effectiveAddress,
  egressRefusal,
  ipv6Bytes,
  parseAllowedHosts,
} from "../../server/domain/egress-rule.js";
import { ConfigError, loadConfig } from "../../server/config/config.js";

/** Rule "integrations reach public addresses only" (DOMAIN.md, Outbound connections). */

describe("addressCategory", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fec0::1", "private"],
    ["100.64.0.1", "shared (CGNAT)"],
    ["100.127.255.255", "shared (CGNAT)"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.1", "documentation"],
    ["203.0.113.1", "documentation"],
    ["2001:db8::1", "documentation"],
    ["192.0.0.8", "reserved"],
    ["198.18.0.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::7f00:1", "reserved"],
    ["100::1", "reserved"],
    ["2001::1", "reserved"],
    ["64:ff9b:1::1", "reserved"],
  ])("%s is %s", (address, category) => {
    expect(addressCategory(address)).toBe(category);
  });

  it.each([
    "8.8.8.8",
    "20.190.151.7",
    "40.126.0.1",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "169.253.255.255",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "223.255.255.255",
    "2603:1036::1",
    "2606:4700:4700::1111",
    "fbff::1",
    "fe7f::1",
  ])("%s is public", (address) => {
    expect(addressCategory(address)).toBe("public");
  });

  it("judges an IPv4 address written as IPv6 as that IPv4 address", () => {
    for (const mapped of [
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "0:0:0:0:0:ffff:7f00:0001",
      "::FFFF:127.0.0.1",
      "[::ffff:127.0.0.1]",
      "64:ff9b::127.0.0.1",
      "64:ff9b::7f00:1",
      "2002:7f00:1::",
      "2002:7f00:0001:1234::5",
    ]) {
      expect(addressCategory(mapped), mapped).toBe("loopback");
    }
    expect(addressCategory("::ffff:10.1.2.3")).toBe("private");
    expect(addressCategory("::ffff:169.254.169.254")).toBe("link-local");
    expect(addressCategory("::ffff:8.8.8.8")).toBe("public");
    expect(addressCategory("64:ff9b::808:808")).toBe("public");
  });

  it("refuses to judge what is not an address", () => {
    expect(() => addressCategory("localhost")).toThrow(/not an IP address/);
    expect(() => addressCategory("1.2.3")).toThrow();
    expect(() => addressCategory("::g")).toThrow();
  });
});

describe("IPv6 parsing", () => {
  it("expands every way of writing an address to its 16 bytes", () => {
    const bytes = (hex: string) => hex.match(/../g)!.map((b) => parseInt(b, 16));
    expect(ipv6Bytes("::")).toEqual(Array(16).fill(0));
    expect(ipv6Bytes("::1")).toEqual([...Array(15).fill(0), 1]);
    expect(ipv6Bytes("1::")).toEqual([0, 1, ...Array(14).fill(0)]);
    expect(ipv6Bytes("1:2:3:4:5:6:7:8")).toEqual(bytes("00010002000300040005000600070008"));
    expect(ipv6Bytes("fe80::1:2%eth0")).toEqual(bytes("fe800000000000000000000000010002"));
    expect(ipv6Bytes("::ffff:1.2.3.4")).toEqual(bytes("00000000000000000000ffff01020304"));
    expect(ipv6Bytes("1.2.3.4")).toBeNull();
    expect(ipv6Bytes("1:2:3:4:5:6:7:8:9")).toBeNull();
  });

  it("unwraps carried IPv4 addresses and leaves others as written", () => {
    expect(effectiveAddress("::ffff:1.2.3.4")).toEqual({ address: "1.2.3.4", family: "ipv4" });
    expect(effectiveAddress("2002:0102:0304::")).toEqual({ address: "1.2.3.4", family: "ipv4" });
    expect(effectiveAddress("fe80::1%lo")).toEqual({ address: "fe80::1", family: "ipv6" });
    expect(effectiveAddress(" 10.0.0.1 ")).toEqual({ address: "10.0.0.1", family: "ipv4" });
    expect(effectiveAddress("example.com")).toBeNull();
  });
});

describe("MAILSTREAM_ALLOWED_HOSTS", () => {
  it("allows nothing beyond public addresses when unset or empty", () => {
    for (const raw of [undefined, "", " , ,"]) {
      const allowed = parseAllowedHosts(raw);
      expect(allowed.entries).toEqual([]);
      expect(allowed.allows("localhost", "127.0.0.1")).toBe(false);
      expect(egressRefusal("localhost", "127.0.0.1", allowed)).toEqual({
        host: "localhost",
        address: "127.0.0.1",
        category: "loopback",
      });
      expect(egressRefusal("login.microsoftonline.com", "20.190.151.7", allowed)).toBeNull();
    }
  });

  it("allows a host by name, whatever it resolves to, and only that name", () => {
    const allowed = parseAllowedHosts("Exchange.Corp.Example., localhost");
    expect(allowed.entries).toEqual(["exchange.corp.example", "localhost"]);
    expect(egressRefusal("exchange.corp.example", "10.1.2.3", allowed)).toBeNull();
    expect(egressRefusal("EXCHANGE.corp.example.", "fd00::1", allowed)).toBeNull();
    expect(egressRefusal("localhost", "127.0.0.1", allowed)).toBeNull();
    // Another name resolving to the same address is not allowed by the name.
    expect(egressRefusal("evil.example", "127.0.0.1", allowed)?.category).toBe("loopback");
    expect(egressRefusal("mail.exchange.corp.example", "10.1.2.3", allowed)).not.toBeNull();
    // An address literal is not the name.
    expect(egressRefusal("127.0.0.1", "127.0.0.1", allowed)).not.toBeNull();
  });

  it("allows addresses and CIDR networks, IPv4 and IPv6, mapped or not", () => {
    const allowed = parseAllowedHosts(
      "10.20.0.0/16, 192.168.1.7, ::1, [fd00::5], fe80::/10, ::ffff:172.16.0.0/112, 127.0.0.1/32",
    );
    const ok = (address: string) => egressRefusal("any.example", address, allowed) === null;
    expect(ok("10.20.0.1")).toBe(true);
    expect(ok("10.20.255.255")).toBe(true);
    expect(ok("10.21.0.1")).toBe(false);
    expect(ok("::ffff:10.20.3.4")).toBe(true);
    expect(ok("192.168.1.7")).toBe(true);
    expect(ok("192.168.1.8")).toBe(false);
    expect(ok("::1")).toBe(true);
    expect(ok("fd00::5")).toBe(true);
    expect(ok("fd00::6")).toBe(false);
    expect(ok("fe80::abcd%eth0")).toBe(true);
    expect(ok("172.16.0.9")).toBe(true);
    expect(ok("172.17.0.9")).toBe(false);
    expect(ok("127.0.0.1")).toBe(true);
    expect(ok("::ffff:127.0.0.1")).toBe(true);
    expect(ok("127.0.0.2")).toBe(false);
    expect(ok("169.254.169.254")).toBe(false);
  });

  it("accepts the widest and narrowest prefixes", () => {
    expect(parseAllowedHosts("0.0.0.0/0").allows("x", "127.0.0.1")).toBe(true);
    expect(parseAllowedHosts("::/0").allows("x", "fe80::1")).toBe(true);
    expect(parseAllowedHosts("::1/128").allows("x", "::1")).toBe(true);
  });

  it.each([
    ["https://exchange.corp.example", /is a URL; list its host name only/],
    ["exchange.corp.example:443", /not a host name, an IP address or a CIDR network/],
    ["exchange.corp.example/owa", /not a CIDR network/],
    ["10.0.0.0/33", /not a CIDR network/],
    ["10.0.0.0/-1", /not a CIDR network/],
    ["10.0.0.0/", /not a CIDR network/],
    ["10.0.0/8", /not a CIDR network/],
    ["fe80::/129", /not a CIDR network/],
    ["::ffff:10.0.0.0/64", /wider than the IPv4 addresses it maps/],
    ["a..b", /not a host name/],
    ["-corp.example", /not a host name/],
    ["corp-.example", /not a host name/],
    ["*.corp.example", /not a host name/],
    ["user@host", /not a host name/],
    [`${"a".repeat(64)}.example`, /not a host name/],
  ])("refuses %s with a message naming the entry", (raw, message) => {
    expect(() => parseAllowedHosts(`localhost,${raw}`)).toThrow(message);
    expect(() => parseAllowedHosts(raw)).toThrow(/^MAILSTREAM_ALLOWED_HOSTS: '/);
  });
});

describe("the refusal's message", () => {
  it("names the host, the address, why, and the setting with what to add", () => {
    expect(
      describeEgressRefusal({ host: "localhost", address: "127.0.0.1", category: "loopback" }),
    ).toBe(
      "localhost resolves to 127.0.0.1, a loopback address; integrations may not reach such addresses unless MAILSTREAM_ALLOWED_HOSTS allows them (add localhost or 127.0.0.1 to it).",
    );
    expect(
      describeEgressRefusal({
        host: "169.254.169.254",
        address: "169.254.169.254",
        category: "link-local",
      }),
    ).toBe(
      "169.254.169.254 is a link-local address; integrations may not reach such addresses unless MAILSTREAM_ALLOWED_HOSTS allows them (add 169.254.169.254 to it).",
    );
    expect(
      describeEgressRefusal({ host: "fd00::1", address: "fd00::1", category: "unique-local" }),
    ).toMatch(/^fd00::1 is a unique-local address;/);
  });
});

describe("configuration", () => {
  it("parses MAILSTREAM_ALLOWED_HOSTS once at start-up and refuses a bad entry as a ConfigError", () => {
    expect(
      loadConfig({ MAILSTREAM_ALLOWED_HOSTS: "localhost,10.0.0.0/8" }).allowedHosts.entries,
    ).toEqual(["localhost", "10.0.0.0/8"]);
    expect(loadConfig({}).allowedHosts.entries).toEqual([]);
    expect(() => loadConfig({ MAILSTREAM_ALLOWED_HOSTS: "10.0.0.0/40" })).toThrow(ConfigError);
    expect(() => loadConfig({ MAILSTREAM_ALLOWED_HOSTS: "10.0.0.0/40" })).toThrow(
      "MAILSTREAM_ALLOWED_HOSTS: '10.0.0.0/40' is not a CIDR network",
    );
  });
});
