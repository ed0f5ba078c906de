import type { SecretBox } from "../auth/secret-box.js";
import type { IntegrationRow } from "../storage/entities/index.js";
import type { ResolvedConnection } from "./credential-checker.js";

/** The write-only parts of a connection. Sealed together in one envelope bound to the integration id. */
export interface ConnectionSecrets {
  clientSecret?: string;
  privateKey?: string;
  servicePassword?: string;
}

export const sealSecrets = (
  box: SecretBox,
  integrationId: string,
  secrets: ConnectionSecrets,
): string | null =>
  Object.values(secrets).some(Boolean) ? box.seal(JSON.stringify(secrets), integrationId) : null;

export const openSecrets = (
  box: SecretBox,
  row: Pick<IntegrationRow, "id" | "secretEnvelope">,
): ConnectionSecrets =>
  row.secretEnvelope ? (JSON.parse(box.open(row.secretEnvelope, row.id)) as ConnectionSecrets) : {};

/** The connection with its secrets opened, for the sync engine and validation. */
export function resolveConnection(box: SecretBox, row: IntegrationRow): ResolvedConnection {
  return {
    api: row.api,
    authMethod: row.authMethod,
    access: row.access,
    authorityUrl: row.authorityUrl,
    clientId: row.clientId,
    graphEndpoint: row.graphEndpoint,
    ewsUrl: row.ewsUrl,
    serviceUsername: row.serviceUsername,
    certificateThumbprint: row.certificateThumbprint,
    ...openSecrets(box, row),
  };
}
