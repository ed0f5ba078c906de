import type { SecretBox } from "../../server/auth/secret-box.js";
import {
  type ConnectionSecrets,
  sealSecrets,
} from "../../server/integrations/connection-secrets.js";
import type { Database } from "../../server/storage/database.js";
import { IntegrationRow, ProjectRow } from "../../server/storage/entities/index.js";
import { newId } from "../../server/storage/ids.js";

/**
 * An integration row with sealed secrets written straight through the storage layer (no
 * credential check), for tests of secrets at rest and key rotation, and of events about an
 * integration that must not sync (`enabled: false`, turned off by the user).
 */
export async function storeIntegration(
  db: Database,
  box: SecretBox,
  options: {
    secrets: ConnectionSecrets;
    id?: string;
    projectName?: string;
    name?: string;
    title?: string;
    enabled?: boolean;
  },
): Promise<IntegrationRow> {
  const id = options.id ?? newId();
  const now = new Date();
  return db.transaction(async (m) => {
    const projectName = options.projectName ?? "secrets";
    const project =
      (await m.findOneBy(ProjectRow, { name: projectName })) ??
      (await m.save(
        m.create(ProjectRow, {
          id: newId(),
          name: projectName,
          title: projectName,
          description: "",
          unitBudget: null,
          createdAt: now,
          updatedAt: now,
        }),
      ));
    return m.save(
      m.create(IntegrationRow, {
        id,
        projectId: project.id,
        name: options.name ?? `integration-${id.slice(0, 8)}`,
        title: options.title ?? "stored directly",
        api: "GRAPH",
        authMethod: "CLIENT_SECRET",
        access: "APPLICATION",
        authorityUrl: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
        clientId: "7f3b1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e",
        graphEndpoint: "https://graph.microsoft.com",
        ewsUrl: null,
        serviceUsername: null,
        certificateThumbprint: null,
        secretEnvelope: sealSecrets(box, id, options.secrets),
        enabled: options.enabled ?? true,
        disabledReason: options.enabled === false ? "USER" : null,
        lastError: null,
        credentialStatus: "UNVALIDATED",
        credentialCheckedAt: null,
        credentialError: null,
        credentialMailboxes: [],
        warnings: [],
        createdAt: now,
        updatedAt: now,
      }),
    );
  });
}

/** The envelope with one byte of its ciphertext flipped (still well-formed). */
export function flipCiphertextByte(envelope: string): string {
  const parts = envelope.split(".");
  const body = Buffer.from(parts[4]!, "base64url");
  body[0] = body[0]! ^ 0x01;
  parts[4] = body.toString("base64url");
  return parts.join(".");
}
