import { createHmac, randomBytes } from "node:crypto";
import md4 from "js-md4";

/**
 * NTLMv2 as MS-NLMP describes it (sections 2.2.1 and 3.3.2), client side, for HTTP: a Type 1
 * (NEGOTIATE) message, the server's Type 2 (CHALLENGE) parsed, and a Type 3 (AUTHENTICATE) computed
 * from it. No signing or sealing is negotiated: TLS protects the connection and HTTP needs neither,
 * so no session key is exchanged and no MIC is sent. NTLM authenticates the TCP connection, so the
 * transport (ews-connection.ts) sends Type 1 and Type 3 on the same one and keeps it.
 *
 * The Type 3 message proves knowledge of the password: it is never logged, nor kept after sending.
 */

const SIGNATURE = Buffer.from("NTLMSSP\0", "latin1");

/** NEGOTIATE flags (MS-NLMP 2.2.2.5). */
const FLAGS = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  N128: 0x20000000,
  N56: 0x80000000,
} as const;

const NEGOTIATE_FLAGS =
  (FLAGS.UNICODE |
    FLAGS.REQUEST_TARGET |
    FLAGS.NTLM |
    FLAGS.ALWAYS_SIGN |
    FLAGS.EXTENDED_SESSIONSECURITY |
    FLAGS.N128 |
    FLAGS.N56) >>>
  0;

/** AV_PAIR ids (MS-NLMP 2.2.2.1) the client reads. */
const AV_EOL = 0x0000;
const AV_TIMESTAMP = 0x0007;

export interface NtlmCredentials {
  /** As configured: `DOMAIN\user`, or a UPN `user@domain` (then the domain part stays empty). */
  username: string;
  password: string;
  /** Our machine name as sent in the Type 3 message (informational). */
  workstation?: string;
}

export interface NtlmChallenge {
  flags: number;
  serverChallenge: Buffer;
  /** The TargetInfo AV_PAIR list, byte for byte (it is part of the NTLMv2 response). */
  targetInfo: Buffer;
  targetName: string;
  /** MsvAvTimestamp when the server sent one (FILETIME, little-endian 8 bytes). */
  timestamp: Buffer | null;
}

/** `DOMAIN\user` → { domain, user }; a UPN is sent whole as the user name with no domain. */
export function splitUsername(username: string): { domain: string; user: string } {
  const slash = username.indexOf("\\");
  if (slash > 0) return { domain: username.slice(0, slash), user: username.slice(slash + 1) };
  return { domain: "", user: username };
}

const utf16 = (text: string): Buffer => Buffer.from(text, "utf16le");
const hmacMd5 = (key: Buffer, ...parts: Buffer[]): Buffer => {
  const h = createHmac("md5", key);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(MD4(UNICODE(password)), UNICODE(Uppercase(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = Buffer.from(md4.arrayBuffer(utf16(password)));
  return hmacMd5(ntHash, utf16(user.toUpperCase() + domain));
}

/** The Type 1 (NEGOTIATE) message, base64 as it goes into `Authorization: NTLM …`. */
export function negotiateMessage(): string {
  const message = Buffer.alloc(32);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(1, 8);
  message.writeUInt32LE(NEGOTIATE_FLAGS, 12);
  // Domain and workstation fields empty (len 0, offset 32).
  message.writeUInt32LE(32, 20);
  message.writeUInt32LE(32, 28);
  return message.toString("base64");
}

/** Parses a Type 2 (CHALLENGE) message; throws on anything that is not one. */
export function parseChallenge(base64: string): NtlmChallenge {
  const m = Buffer.from(base64, "base64");
  if (m.length < 32 || !m.subarray(0, 8).equals(SIGNATURE) || m.readUInt32LE(8) !== 2)
    throw new Error("The server's NTLM challenge is not a CHALLENGE message");
  const field = (at: number): Buffer => {
    const length = m.readUInt16LE(at);
    const offset = m.readUInt32LE(at + 4);
    if (offset + length > m.length) throw new Error("The server's NTLM challenge is truncated");
    return m.subarray(offset, offset + length);
  };
  const flags = m.readUInt32LE(20);
  const targetNameBytes = field(12);
  const targetInfo = m.length >= 48 && flags & FLAGS.TARGET_INFO ? field(40) : Buffer.alloc(0);
  let timestamp: Buffer | null = null;
  for (let at = 0; at + 4 <= targetInfo.length;) {
    const id = targetInfo.readUInt16LE(at);
    const length = targetInfo.readUInt16LE(at + 2);
    if (id === AV_EOL) break;
    if (id === AV_TIMESTAMP && length === 8) timestamp = targetInfo.subarray(at + 4, at + 12);
    at += 4 + length;
  }
  return {
    flags,
    serverChallenge: Buffer.from(m.subarray(24, 32)),
    targetInfo: Buffer.from(targetInfo),
    targetName:
      flags & FLAGS.UNICODE
        ? targetNameBytes.toString("utf16le")
        : targetNameBytes.toString("latin1"),
    timestamp,
  };
}

/** Now as a Windows FILETIME (100 ns since 1601-01-01), little-endian. */
export function fileTime(ms: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE((BigInt(ms) + 11_644_473_600_000n) * 10_000n);
  return buffer;
}

export interface NtlmV2Responses {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  sessionBaseKey: Buffer;
}

/**
 * ComputeResponse for NTLMv2 (MS-NLMP 3.3.2). `time` is the FILETIME of the blob: the server's
 * MsvAvTimestamp when it sent one (then the LMv2 response is Z(24), as the spec asks).
 */
export function computeResponses(
  responseKeyNt: Buffer,
  challenge: Pick<NtlmChallenge, "serverChallenge" | "targetInfo" | "timestamp">,
  clientChallenge: Buffer,
  time: Buffer,
): NtlmV2Responses {
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    time,
    clientChallenge,
    Buffer.alloc(4),
    challenge.targetInfo,
    Buffer.alloc(4),
  ]);
  const ntProofStr = hmacMd5(responseKeyNt, challenge.serverChallenge, temp);
  const lmChallengeResponse = challenge.timestamp
    ? Buffer.alloc(24)
    : Buffer.concat([
        hmacMd5(responseKeyNt, challenge.serverChallenge, clientChallenge),
        clientChallenge,
      ]);
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse,
    sessionBaseKey: hmacMd5(responseKeyNt, ntProofStr),
  };
}

/** The Type 3 (AUTHENTICATE) message for a challenge, base64. Never log the result. */
export function authenticateMessage(
  credentials: NtlmCredentials,
  challengeBase64: string,
  options: { now?: number; clientChallenge?: Buffer } = {},
): string {
  const challenge = parseChallenge(challengeBase64);
  const { domain, user } = splitUsername(credentials.username);
  const key = ntowfv2(credentials.password, user, domain);
  const time = challenge.timestamp ?? fileTime(options.now ?? Date.now());
  const responses = computeResponses(
    key,
    challenge,
    options.clientChallenge ?? randomBytes(8),
    time,
  );
  const fields = [
    responses.lmChallengeResponse,
    responses.ntChallengeResponse,
    utf16(domain),
    utf16(user),
    utf16(credentials.workstation ?? "MAILSTREAM"),
    Buffer.alloc(0), // EncryptedRandomSessionKey: no key exchange negotiated
  ];
  const header = Buffer.alloc(64);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = header.length;
  fields.forEach((value, i) => {
    const at = 12 + i * 8;
    header.writeUInt16LE(value.length, at);
    header.writeUInt16LE(value.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += value.length;
  });
  const flags = (NEGOTIATE_FLAGS & challenge.flags) | FLAGS.UNICODE | FLAGS.NTLM;
  header.writeUInt32LE(flags >>> 0, 60);
  return Buffer.concat([header, ...fields]).toString("base64");
}

/** The NTLM token of a `WWW-Authenticate` header (`NTLM <base64>`), if any. */
export function ntlmTokenOf(header: string | string[] | undefined): string | null {
  const values = Array.isArray(header) ? header : header ? header.split(/,\s*(?=[A-Za-z]+\b)/) : [];
  for (const value of values) {
    const match = /^\s*NTLM\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
    if (match) return match[1]!;
  }
  return null;
}

/** Whether the server offers NTLM at all (a bare `WWW-Authenticate: NTLM`). */
export function offersNtlm(header: string | string[] | undefined): boolean {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.some((v) => /(^|,)\s*NTLM\b/i.test(v));
}
