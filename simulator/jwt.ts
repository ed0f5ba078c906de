import { constants, createSign, verify as cryptoVerify, type KeyObject } from "node:crypto";

/**
 * Just enough JWT for an identity platform: RS256 signing of the tokens we issue, RS256/PS256
 * verification of client assertions (PS256 with a salt as long as the digest, which is what
 * msal-node's jsonwebtoken produces and Entra ID expects).
 */
export type JwtHeader = Record<string, unknown> & { alg?: string; kid?: string; x5t?: string };
export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

export function signRs256(header: JwtHeader, claims: JwtClaims, privateKey: KeyObject): string {
  const signingInput = `${b64json({ ...header, alg: "RS256", typ: "JWT" })}.${b64json(claims)}`;
  const signature = createSign("RSA-SHA256").update(signingInput).sign(privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** Parses without verifying; undefined when it is not a JWS compact serialization. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as unknown;
    const claims = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims, signingInput: `${h}.${c}`, signature: Buffer.from(s, "base64url") };
  } catch {
    return undefined;
  }
}

export function verifySignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  switch (jwt.header.alg) {
    case "RS256":
      return cryptoVerify("sha256", data, publicKey, jwt.signature);
    case "PS256":
      return cryptoVerify(
        "sha256",
        data,
        {
          key: publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        },
        jwt.signature,
      );
    default:
      return false;
  }
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
