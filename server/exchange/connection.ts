/**
 * What the exchange module needs to reach one Microsoft 365 tenant: the decrypted connection of an
 * integration. Secrets travel in here and nowhere else; no error or log message ever includes them.
 */
export interface ExchangeConnection {
  /** `https://<login host>/<tenant>`, e.g. https://login.microsoftonline.com/contoso.com */
  authorityUrl: string;
  clientId: string;
  authMethod: "CLIENT_SECRET" | "CERTIFICATE";
  access: "APPLICATION" | "SERVICE_USER";
  clientSecret?: string | null;
  /** PEM private key of the app's certificate (CERTIFICATE). */
  privateKey?: string | null;
  /** As the Azure portal shows it: 40 hex digits (SHA-1) or 64 (SHA-256). */
  certificateThumbprint?: string | null;
  serviceUsername?: string | null;
  servicePassword?: string | null;
  /** Graph's base URL without version, e.g. https://graph.microsoft.com (national clouds differ). */
  graphEndpoint: string;
}

export function normalizedGraphEndpoint(
  connection: Pick<ExchangeConnection, "graphEndpoint">,
): string {
  return connection.graphEndpoint.replace(/\/+$/, "");
}

/** Application permissions are requested as `<resource>/.default`. */
export function graphScope(connection: Pick<ExchangeConnection, "graphEndpoint">): string {
  return `${normalizedGraphEndpoint(connection)}/.default`;
}
