import { createPrivateKey, type KeyObject } from "node:crypto";
import { badInput } from "./errors.js";

export type ThumbprintAlgorithm = "SHA1" | "SHA256";

const CONVERT_HINT =
  "export it from the .pfx with `openssl pkcs12 -in cert.pfx -nocerts -nodes` and paste the block that starts with -----BEGIN PRIVATE KEY-----";

/**
 * Rule "certificate private key" (DOMAIN.md Integrations, CERTIFICATE method): an unencrypted PEM
 * private key of RSA type — Microsoft Entra verifies certificate client assertions signed with
 * RS256 (SHA-1 thumbprint) or PS256 (SHA-256), both RSA. A PEM bundle with the certificate
 * beside the key is accepted. Returned as PKCS#8 PEM so the token code sees one format whatever
 * was pasted (PKCS#1 `RSA PRIVATE KEY`, PKCS#8, bundle).
 * Messages never quote the key, nor the crypto library's error text.
 */
export function validatePrivateKey(field: string, value: string): string {
  const pem = value.trim();
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw badInput(field, `privateKey must be a PEM private key; ${CONVERT_HINT}.`);
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw badInput(
      field,
      `privateKey is protected by a passphrase, which Mailstream cannot be given; ${CONVERT_HINT}.`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw badInput(field, `privateKey could not be read as a PEM private key; ${CONVERT_HINT}.`);
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw badInput(
      field,
      `privateKey is a ${key.asymmetricKeyType ?? "non-RSA"} key; Microsoft Entra certificate credentials need an RSA key.`,
    );
  }
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/**
 * Rule "certificate thumbprint" (DOMAIN.md Integrations): the thumbprint as Azure shows it, 40 hex
 * digits (SHA-1) or 64 (SHA-256). Colons and spaces from other tools (certmgr, `openssl x509
 * -fingerprint`, including its `SHA1 Fingerprint=` prefix) and the invisible left-to-right mark
 * Windows' certificate dialog prepends when copied are removed; returned upper-case.
 */
export function normalizeThumbprint(field: string, value: string): string {
  const hex = value
    .replace(/^\s*sha-?(1|256)\s+fingerprint\s*=/i, "")
    .replace(/[\s:\u200e\u200f\ufeff]/g, "")
    .toUpperCase();
  if (!/^[0-9A-F]*$/.test(hex)) {
    throw badInput(
      field,
      "certificateThumbprint must be hexadecimal: 40 digits for SHA-1 or 64 for SHA-256, as Azure shows it under Certificates & secrets.",
    );
  }
  if (hex.length !== 40 && hex.length !== 64) {
    throw badInput(
      field,
      `certificateThumbprint has ${hex.length} hex digits; it must have 40 (SHA-1) or 64 (SHA-256), as Azure shows it under Certificates & secrets.`,
    );
  }
  return hex;
}

/**
 * Which hash a normalized thumbprint is: MSAL takes a SHA-1 one as `thumbprint` (RS256 assertion)
 * and a SHA-256 one as `thumbprintSha256` (PS256).
 */
export function thumbprintAlgorithm(thumbprint: string): ThumbprintAlgorithm {
  return thumbprint.length === 64 ? "SHA256" : "SHA1";
}
