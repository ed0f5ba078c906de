import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";

/**
 * NTLM messages as MS-NLMP defines them, server side: read a NEGOTIATE (Type 1), write a
 * CHALLENGE (Type 2) with a server challenge and target info (NetBIOS/DNS names and a timestamp),
 * read an AUTHENTICATE (Type 3) and verify its NTLMv2 response. Node's OpenSSL 3 has no MD4, so
 * the NT hash comes from js-md4; HMAC-MD5 is node:crypto's.
 *
 * The MIC and the session key are not checked (that needs RC4, which OpenSSL 3 lacks too); the
 * NTProofStr is, which is what proves the password.
 */
const require = createRequire(import.meta.url);
const md4 = require("js-md4") as { arrayBuffer: (data: Uint8Array) => ArrayBuffer };

const SIGNATURE = Buffer.from("NTLMSSP\0", "ascii");

export const NtlmFlags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

export interface NegotiateMessage {
  type: 1;
  flags: number;
}

export interface AuthenticateMessage {
  type: 3;
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
}

/**
 * The NTLMSSP message inside a Negotiate token: raw, or wrapped in SPNEGO (a GSS-API NegTokenInit
 * or a NegTokenResp, as Windows clients send it). Undefined for anything else (Kerberos).
 */
export function unwrapToken(base64: string): { ntlm: Buffer; spnego: boolean } | undefined {
  const buf = Buffer.from(base64, "base64");
  if (buf.subarray(0, 8).equals(SIGNATURE)) return { ntlm: buf, spnego: false };
  if (buf[0] !== 0x60 && buf[0] !== 0xa1) return undefined;
  const at = buf.indexOf(SIGNATURE);
  return at < 0 ? undefined : { ntlm: buf.subarray(at), spnego: true };
}

/** A SPNEGO NegTokenResp: accept-incomplete with the NTLM mechanism and a CHALLENGE. */
export function spnegoChallenge(challenge: Buffer): Buffer {
  const ntlmOid = Buffer.from([
    0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
  ]);
  const seq = Buffer.concat([
    Buffer.from([0xa0, 0x03, 0x0a, 0x01, 0x01]),
    der(0xa1, ntlmOid),
    der(0xa2, der(0x04, challenge)),
  ]);
  return der(0xa1, der(0x30, seq));
}

/** A SPNEGO NegTokenResp saying accept-completed. */
export const SPNEGO_ACCEPTED = Buffer.from([0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00]);

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

/** Decodes an NTLM message; undefined when it is not an NTLMSSP message of type 1 or 3. */
export function decodeNtlm(buf: Buffer): NegotiateMessage | AuthenticateMessage | undefined {
  if (buf.length < 12 || !buf.subarray(0, 8).equals(SIGNATURE)) return undefined;
  const type = buf.readUInt32LE(8);
  if (type === 1) return { type: 1, flags: buf.length >= 16 ? buf.readUInt32LE(12) : 0 };
  if (type !== 3 || buf.length < 52) return undefined;
  const flags = buf.length >= 64 ? buf.readUInt32LE(60) : 0;
  const field = (offset: number): Buffer | undefined => {
    const len = buf.readUInt16LE(offset);
    const at = buf.readUInt32LE(offset + 4);
    if (at + len > buf.length) return undefined;
    return buf.subarray(at, at + len);
  };
  const lm = field(12);
  const nt = field(20);
  const domain = field(28);
  const user = field(36);
  const workstation = field(44);
  if (!lm || !nt || !domain || !user || !workstation) return undefined;
  const decode = (b: Buffer): string =>
    flags & NtlmFlags.UNICODE ? b.toString("utf16le") : b.toString("latin1");
  return {
    type: 3,
    flags,
    lmResponse: Buffer.from(lm),
    ntResponse: Buffer.from(nt),
    domain: decode(domain),
    user: decode(user),
    workstation: decode(workstation),
  };
}

export interface ChallengeSpec {
  /** NetBIOS domain name, e.g. "CONTOSO". */
  netbiosDomain: string;
  netbiosComputer: string;
  dnsDomain: string;
  dnsComputer: string;
  now: number;
  /** The client's NEGOTIATE flags, answered in kind. */
  clientFlags: number;
}

export interface Challenge {
  serverChallenge: Buffer;
  message: Buffer;
}

/** Builds a CHALLENGE message the way Windows does (NTLMv2 with extended session security). */
export function createChallenge(spec: ChallengeSpec): Challenge {
  const unicode = (spec.clientFlags & NtlmFlags.UNICODE) !== 0 || spec.clientFlags === 0;
  let flags =
    (unicode ? NtlmFlags.UNICODE : NtlmFlags.OEM) |
    NtlmFlags.REQUEST_TARGET |
    NtlmFlags.NTLM |
    NtlmFlags.ALWAYS_SIGN |
    NtlmFlags.TARGET_TYPE_DOMAIN |
    NtlmFlags.EXTENDED_SESSIONSECURITY |
    NtlmFlags.TARGET_INFO |
    NtlmFlags.VERSION;
  for (const f of [NtlmFlags.N128, NtlmFlags.N56, NtlmFlags.KEY_EXCH])
    if (spec.clientFlags & f) flags |= f;
  flags >>>= 0;
  const str = (s: string): Buffer => Buffer.from(s, unicode ? "utf16le" : "latin1");
  const targetName = str(spec.netbiosDomain);
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64LE((BigInt(Math.floor(spec.now)) + 11_644_473_600_000n) * 10_000n);
  const targetInfo = Buffer.concat([
    avPair(2, Buffer.from(spec.netbiosDomain, "utf16le")),
    avPair(1, Buffer.from(spec.netbiosComputer, "utf16le")),
    avPair(4, Buffer.from(spec.dnsDomain, "utf16le")),
    avPair(3, Buffer.from(spec.dnsComputer, "utf16le")),
    avPair(5, Buffer.from(spec.dnsDomain, "utf16le")),
    avPair(7, timestamp),
    avPair(0, Buffer.alloc(0)),
  ]);
  const serverChallenge = randomBytes(8);
  const header = Buffer.alloc(56);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(flags, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  // Version: Windows Server 2019 (10.0.17763), NTLM revision 15.
  header.writeUInt8(10, 48);
  header.writeUInt8(0, 49);
  header.writeUInt16LE(17763, 50);
  header.writeUInt8(15, 55);
  return { serverChallenge, message: Buffer.concat([header, targetName, targetInfo]) };
}

function avPair(id: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

export function ntHash(password: string): Buffer {
  return Buffer.from(md4.arrayBuffer(Buffer.from(password, "utf16le")));
}

export type NtlmVerdict = "ok" | "wrongPassword" | "ntlmV1NotAccepted" | "malformed";

/**
 * Checks an AUTHENTICATE message's NTLMv2 response against the password: NTOWFv2 =
 * HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(upper(user) + domain)), NTProofStr =
 * HMAC-MD5(NTOWFv2, serverChallenge ‖ blob). The user and domain are the ones the client sent.
 */
export function verifyNtlmV2(
  message: AuthenticateMessage,
  serverChallenge: Buffer,
  password: string,
): NtlmVerdict {
  const nt = message.ntResponse;
  if (nt.length === 24) return "ntlmV1NotAccepted";
  if (nt.length < 48) return "malformed";
  const proof = nt.subarray(0, 16);
  const blob = nt.subarray(16);
  if (blob.readUInt8(0) !== 1 || blob.readUInt8(1) !== 1) return "malformed";
  const ntowf = createHmac("md5", ntHash(password))
    .update(Buffer.from(message.user.toUpperCase() + message.domain, "utf16le"))
    .digest();
  const expected = createHmac("md5", ntowf)
    .update(Buffer.concat([serverChallenge, blob]))
    .digest();
  return timingSafeEqual(expected, proof) ? "ok" : "wrongPassword";
}

/**
 * The client side, for tests that speak NTLM by hand: a NEGOTIATE message, and an AUTHENTICATE
 * message answering a CHALLENGE with an NTLMv2 response (as MS-NLMP 3.3.2 computes it).
 */
export function clientNegotiate(): string {
  const buf = Buffer.alloc(32);
  SIGNATURE.copy(buf, 0);
  buf.writeUInt32LE(1, 8);
  buf.writeUInt32LE(
    (NtlmFlags.UNICODE |
      NtlmFlags.OEM |
      NtlmFlags.REQUEST_TARGET |
      NtlmFlags.NTLM |
      NtlmFlags.ALWAYS_SIGN |
      NtlmFlags.EXTENDED_SESSIONSECURITY |
      NtlmFlags.N128 |
      NtlmFlags.N56) >>>
      0,
    12,
  );
  return buf.toString("base64");
}

export function clientAuthenticate(
  challengeBase64: string,
  creds: { user: string; domain: string; password: string; workstation?: string; v1?: boolean },
): string {
  const challenge = Buffer.from(challengeBase64, "base64");
  const serverChallenge = challenge.subarray(24, 32);
  const infoLen = challenge.readUInt16LE(40);
  const infoAt = challenge.readUInt32LE(44);
  const targetInfo = challenge.subarray(infoAt, infoAt + infoLen);
  let nt: Buffer;
  if (creds.v1) {
    nt = randomBytes(24);
  } else {
    const ntowf = createHmac("md5", ntHash(creds.password))
      .update(Buffer.from(creds.user.toUpperCase() + creds.domain, "utf16le"))
      .digest();
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
    const blob = Buffer.concat([
      Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
      stamp,
      randomBytes(8),
      Buffer.alloc(4),
      targetInfo,
      Buffer.alloc(4),
    ]);
    const proof = createHmac("md5", ntowf)
      .update(Buffer.concat([serverChallenge, blob]))
      .digest();
    nt = Buffer.concat([proof, blob]);
  }
  const lm = Buffer.alloc(24);
  const fields = [
    lm,
    nt,
    Buffer.from(creds.domain, "utf16le"),
    Buffer.from(creds.user, "utf16le"),
    Buffer.from(creds.workstation ?? "WS01", "utf16le"),
    Buffer.alloc(0),
  ];
  const header = Buffer.alloc(64);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let at = 64;
  fields.forEach((f, i) => {
    header.writeUInt16LE(f.length, 12 + i * 8);
    header.writeUInt16LE(f.length, 14 + i * 8);
    header.writeUInt32LE(at, 16 + i * 8);
    at += f.length;
  });
  header.writeUInt32LE(challenge.readUInt32LE(20), 60);
  return Buffer.concat([header, ...fields]).toString("base64");
}
