import { X509Certificate, createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import selfsigned from "selfsigned";

/**
 * The simulator's private PKI. Its CA signs the TLS certificates of the identity platform and Graph
 * listeners; clients trust it through NODE_EXTRA_CA_CERTS (read by Node at process start only), so
 * a CA created by vitest's globalSetup is written to a directory and reused by every simulator the
 * test workers start. TLS verification is never switched off.
 */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  /** Path of the PEM file to hand to NODE_EXTRA_CA_CERTS, when the CA lives in a directory. */
  certFile?: string;
}

export const CA_CERT_FILE = "ca.pem";
export const CA_KEY_FILE = "ca-key.pem";

const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000;

export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  const pems = await selfsigned.generate(
    [{ name: "commonName", value: "Mailstream Microsoft 365 Simulator CA" }],
    {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate: new Date(Date.now() - 24 * 3600 * 1000),
      notAfterDate: new Date(Date.now() + TEN_YEARS_MS),
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        {
          name: "keyUsage",
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true,
        },
      ],
    },
  );
  return { certPem: pems.cert, keyPem: pems.private };
}

/** Loads `ca.pem` + `ca-key.pem` from dir, creating and writing them first when absent. */
export async function loadOrCreateCertificateAuthority(dir: string): Promise<CertificateAuthority> {
  const certFile = join(dir, CA_CERT_FILE);
  const keyFile = join(dir, CA_KEY_FILE);
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(certFile, "utf8"),
      readFile(keyFile, "utf8"),
    ]);
    return { certPem, keyPem, certFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const ca = await createCertificateAuthority();
  await mkdir(dir, { recursive: true });
  await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  await writeFile(certFile, ca.certPem);
  return { ...ca, certFile };
}

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
}

/** A server certificate for the loopback names, signed by the CA. */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  hostnames: readonly string[],
): Promise<TlsIdentity> {
  const dnsNames = hostnames.filter((h) => !/^[\d.]+$|:/.test(h));
  const ips = hostnames.filter((h) => /^[\d.]+$|:/.test(h));
  const pems = await selfsigned.generate(
    [{ name: "commonName", value: dnsNames[0] ?? "localhost" }],
    {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate: new Date(Date.now() - 3600 * 1000),
      notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
      ca: { key: ca.keyPem, cert: ca.certPem },
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            ...dnsNames.map((value) => ({ type: 2 as const, value })),
            ...ips.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    },
  );
  return { certPem: pems.cert, keyPem: pems.private };
}

export interface ClientCertificate {
  certPem: string;
  privateKeyPem: string;
  /** SHA-1 of the DER certificate, 40 upper-case hex digits, as the Azure portal shows it. */
  sha1Thumbprint: string;
  /** SHA-256 of the DER certificate, 64 upper-case hex digits. */
  sha256Thumbprint: string;
}

/** An app credential certificate (RSA 2048, as Entra ID requires for client assertions). */
export async function generateClientCertificate(
  options: { commonName?: string; notAfter?: Date } = {},
): Promise<ClientCertificate> {
  const pems = await selfsigned.generate(
    [{ name: "commonName", value: options.commonName ?? "mailstream-app" }],
    {
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(Date.now() - 3600 * 1000),
      notAfterDate: options.notAfter ?? new Date(Date.now() + 365 * 24 * 3600 * 1000),
    },
  );
  return { certPem: pems.cert, privateKeyPem: pems.private, ...certificateThumbprints(pems.cert) };
}

export function certificateThumbprints(certPem: string): {
  sha1Thumbprint: string;
  sha256Thumbprint: string;
} {
  const der = new X509Certificate(certPem).raw;
  return {
    sha1Thumbprint: createHash("sha1").update(der).digest("hex").toUpperCase(),
    sha256Thumbprint: createHash("sha256").update(der).digest("hex").toUpperCase(),
  };
}
