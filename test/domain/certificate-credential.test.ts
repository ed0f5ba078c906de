import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  normalizeThumbprint,
  thumbprintAlgorithm,
  validatePrivateKey,
} from "../../server/domain/certificate-credential.js";
import { refusal } from "./refusal.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const pkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const encrypted = rsa.privateKey
  .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" })
  .toString();
const encryptedPkcs1 = rsa.privateKey
  .export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" })
  .toString();
const publicKey = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const ecKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
// Header, first body lines and footer: PEM framing intact, DER inside cut short.
const truncated = [...pkcs8.trim().split("\n").slice(0, 4), "-----END PRIVATE KEY-----"].join("\n");
const fakeCertificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("certificate private key rule", () => {
  it.each([
    ["PKCS#8", pkcs8],
    ["PKCS#1", pkcs1],
    ["surrounded by whitespace", `\n\n  ${pkcs8}  \n`],
    ["a bundle with the certificate first", `${fakeCertificate}${pkcs1}`],
  ])("accepts %s and returns PKCS#8", (_title, pem) => {
    expect(validatePrivateKey("f", pem)).toBe(pkcs8);
  });

  it.each([
    ["empty", "", "must be a PEM private key"],
    ["not PEM", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", "must be a PEM private key"],
    ["a public key", publicKey, "must be a PEM private key"],
    ["a certificate", fakeCertificate, "must be a PEM private key"],
    ["encrypted PKCS#8", encrypted, "protected by a passphrase"],
    ["encrypted PKCS#1", encryptedPkcs1, "protected by a passphrase"],
    ["a truncated key", truncated, "could not be read"],
    ["an EC key", ecKey, "is a ec key; Microsoft Entra certificate credentials need an RSA key"],
  ])("refuses %s", (_title, pem, words) => {
    const error = refusal(() => validatePrivateKey("input.connection.privateKey", pem));
    expect(error.field).toBe("input.connection.privateKey");
    expect(error.message).toContain(words);
    expect(error.message).not.toContain("MII");
  });

  it("tells how to convert a .pfx", () => {
    expect(refusal(() => validatePrivateKey("f", "garbage")).message).toContain(
      "openssl pkcs12 -in cert.pfx -nocerts -nodes",
    );
  });
});

describe("certificate thumbprint rule", () => {
  const sha1 = "0123456789ABCDEF0123456789ABCDEF01234567";
  const sha256 = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";

  it.each([
    [sha1, sha1, "SHA1"],
    [sha1.toLowerCase(), sha1, "SHA1"],
    ["01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67", sha1, "SHA1"],
    ["01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67", sha1, "SHA1"],
    [`\u200e${sha1}`, sha1, "SHA1"],
    [`  ${sha1}\n`, sha1, "SHA1"],
    [`SHA1 Fingerprint=${sha1.match(/../g)?.join(":")}`, sha1, "SHA1"],
    [sha256, sha256, "SHA256"],
    [`sha256 Fingerprint=${sha256.match(/../g)?.join(":")}`, sha256, "SHA256"],
  ])("normalizes %j", (input, thumbprint, algorithm) => {
    expect(normalizeThumbprint("f", input)).toBe(thumbprint);
    expect(thumbprintAlgorithm(thumbprint)).toBe(algorithm);
  });

  it.each([
    [sha1.slice(1), "has 39 hex digits"],
    [`${sha1}0`, "has 41 hex digits"],
    [sha256.slice(2), "has 62 hex digits"],
    [`${sha1.slice(1)}G`, "must be hexadecimal"],
    ["01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef-01-23-45-67", "must be hexadecimal"],
  ])("refuses %j (%s)", (input, words) => {
    const error = refusal(() =>
      normalizeThumbprint("input.connection.certificateThumbprint", input),
    );
    expect(error.field).toBe("input.connection.certificateThumbprint");
    expect(error.message).toContain(words);
    expect(error.message).toContain("SHA-1");
    expect(error.message).toContain("SHA-256");
  });
});
