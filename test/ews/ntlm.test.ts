import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  authenticateMessage,
  computeResponses,
  fileTime,
  negotiateMessage,
  ntlmTokenOf,
  ntowfv2,
  parseChallenge,
  splitUsername,
} from "../../server/exchange/ews/ntlm.js";

/**
 * MS-NLMP 4.2.4 ("NTLMv2 Authentication") test vectors: user "User", domain "Domain", password
 * "Password", server challenge 0123456789abcdef, client challenge aa×8, time 0, and the
 * CHALLENGE_MESSAGE of 4.2.4.3 (target "Server", AV pairs NbDomainName "Domain", NbComputerName
 * "Server").
 */
const SPEC_CHALLENGE = Buffer.from(
  "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef" +
    "00000000000000002400240044000000060070170000000f5300650072007600" +
    "6500720002000c0044006f006d00610069006e0001000c005300650072007600" +
    "6500720000000000",
  "hex",
).toString("base64");
const CLIENT_CHALLENGE = Buffer.alloc(8, 0xaa);

const hex = (b: Buffer): string => b.toString("hex");

describe("NTLMv2 (MS-NLMP 4.2.4 vectors)", () => {
  it("NTOWFv2 of User/Domain/Password", () => {
    expect(hex(ntowfv2("Password", "User", "Domain"))).toBe("0c868a403bfd7a93a3001ef22ef02e3f");
  });

  it("parses the spec's CHALLENGE message", () => {
    const challenge = parseChallenge(SPEC_CHALLENGE);
    expect(hex(challenge.serverChallenge)).toBe("0123456789abcdef");
    expect(challenge.targetName).toBe("Server");
    expect(challenge.targetInfo.length).toBe(0x24);
    expect(challenge.timestamp).toBeNull();
  });

  it("LMv2 response, NTProofStr and session base key", () => {
    const key = ntowfv2("Password", "User", "Domain");
    const r = computeResponses(
      key,
      parseChallenge(SPEC_CHALLENGE),
      CLIENT_CHALLENGE,
      Buffer.alloc(8),
    );
    expect(hex(r.lmChallengeResponse)).toBe("86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
    expect(hex(r.ntChallengeResponse.subarray(0, 16))).toBe("68cd0ab851e51c96aabc927bebef6a1c");
    expect(hex(r.sessionBaseKey)).toBe("8de40ccadbc14a82f15cb0ad0de95ca3");
  });

  it("an AUTHENTICATE message a server can verify: user, domain and NTProofStr in place", () => {
    const type3 = Buffer.from(
      authenticateMessage(
        { username: "Domain\\User", password: "Password", workstation: "COMPUTER" },
        SPEC_CHALLENGE,
        { clientChallenge: CLIENT_CHALLENGE, now: Date.UTC(2026, 0, 1) },
      ),
      "base64",
    );
    expect(type3.subarray(0, 8).toString("latin1")).toBe("NTLMSSP\0");
    expect(type3.readUInt32LE(8)).toBe(3);
    const field = (at: number) =>
      type3.subarray(
        type3.readUInt32LE(at + 4),
        type3.readUInt32LE(at + 4) + type3.readUInt16LE(at),
      );
    expect(field(28).toString("utf16le")).toBe("Domain");
    expect(field(36).toString("utf16le")).toBe("User");
    expect(field(44).toString("utf16le")).toBe("COMPUTER");
    // The server's check: NTProofStr = HMAC(NTOWFv2, serverChallenge ‖ temp).
    const nt = field(20);
    const temp = nt.subarray(16);
    expect(temp.subarray(8, 16)).toEqual(fileTime(Date.UTC(2026, 0, 1)));
    const proof = createHmac("md5", ntowfv2("Password", "User", "Domain"))
      .update(Buffer.from("0123456789abcdef", "hex"))
      .update(temp)
      .digest();
    expect(hex(nt.subarray(0, 16))).toBe(hex(proof));
  });

  it("uses the server's MsvAvTimestamp and then sends Z(24) as LMv2", () => {
    const info = Buffer.concat([
      Buffer.from([7, 0, 8, 0]),
      Buffer.from("0102030405060708", "hex"),
      Buffer.from([0, 0, 0, 0]),
    ]);
    const m = Buffer.alloc(48);
    m.write("NTLMSSP\0", 0, "latin1");
    m.writeUInt32LE(2, 8);
    m.writeUInt32LE(0x00800201, 20);
    m.writeUInt16LE(info.length, 40);
    m.writeUInt32LE(48, 44);
    const challenge = Buffer.concat([m, info]).toString("base64");
    expect(hex(parseChallenge(challenge).timestamp!)).toBe("0102030405060708");
    const type3 = Buffer.from(
      authenticateMessage({ username: "u@contoso.com", password: "p" }, challenge),
      "base64",
    );
    const lm = type3.subarray(
      type3.readUInt32LE(16),
      type3.readUInt32LE(16) + type3.readUInt16LE(12),
    );
    expect(lm).toEqual(Buffer.alloc(24));
    const nt = type3.subarray(
      type3.readUInt32LE(24),
      type3.readUInt32LE(24) + type3.readUInt16LE(20),
    );
    expect(hex(nt.subarray(24, 32))).toBe("0102030405060708");
  });

  it("splits DOMAIN\\user and keeps a UPN whole", () => {
    expect(splitUsername("CONTOSO\\svc")).toEqual({ domain: "CONTOSO", user: "svc" });
    expect(splitUsername("svc@contoso.com")).toEqual({ domain: "", user: "svc@contoso.com" });
  });

  it("a NEGOTIATE message and the challenge token of a WWW-Authenticate header", () => {
    const type1 = Buffer.from(negotiateMessage(), "base64");
    expect(type1.subarray(0, 8).toString("latin1")).toBe("NTLMSSP\0");
    expect(type1.readUInt32LE(8)).toBe(1);
    expect(ntlmTokenOf("NTLM abc=")).toBe("abc=");
    expect(ntlmTokenOf(["Negotiate", "NTLM TlRMTVNTUAAC"])).toBe("TlRMTVNTUAAC");
    expect(ntlmTokenOf("NTLM")).toBeNull();
    expect(() => parseChallenge(Buffer.from("nope").toString("base64"))).toThrow();
  });
});
