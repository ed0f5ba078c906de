import { expect } from "vitest";
import type { DemoTenant } from "../../simulator/index.js";
import { snapshot } from "./snapshot.js";
import type { GraphQLResponse, TestServer } from "./test-server.js";

/**
 * GraphQL documents and assertions shared by the integration, mailbox, credential and access
 * tests in test/api: everything goes through the HTTP endpoint, as a script would.
 */

/** Every field of Integration, nested objects included (for "no secret anywhere" checks). */
export const INTEGRATION_FIELDS = `
  id name title api authMethod access authorityUrl clientId graphEndpoint ewsUrl serviceUsername
  certificateThumbprint hasSecret enabled disabledReason lastError warnings createdAt updatedAt
  project { id name title description createdAt unitBudget usage { messagesCreated unitsCharged } }
  credentials { status checkedAt error mailboxes { email access error } }
  mailboxes {
    id email syncFrom allTime syncAttachments enabled disabledReason integration { id name }
    filters { allowedFolders deniedFolders allowedParticipants deniedParticipants allowedDomains deniedDomains }
    bucket { id name title createdAt messageCount project { name } }
    sync {
      status phase currentFolder foldersTotal foldersDone messagesSeen messagesStored
      messagesFiltered attachmentsStored messagesPerSecond startedAt lastSyncedAt lastError
    }
  }`;

export const CREATE = `mutation($input: CreateIntegrationInput!) {
  createIntegration(input: $input) { ${INTEGRATION_FIELDS} }
}`;
export const READ = `query($id: ID!) { integration(id: $id) { ${INTEGRATION_FIELDS} } }`;
export const UPDATE = `mutation($id: ID!, $input: UpdateIntegrationInput!) {
  updateIntegration(id: $id, input: $input) { ${INTEGRATION_FIELDS} }
}`;
export const UPDATE_CONNECTION = `mutation($id: ID!, $connection: ConnectionInput!) {
  updateIntegrationConnection(id: $id, connection: $connection) { ${INTEGRATION_FIELDS} }
}`;
export const SET_ENABLED = `mutation($id: ID!, $enabled: Boolean!) {
  setIntegrationEnabled(id: $id, enabled: $enabled) { ${INTEGRATION_FIELDS} }
}`;
export const DELETE = `mutation($id: ID!) { deleteIntegration(id: $id) }`;
export const VALIDATE = `mutation($connection: ConnectionInput!, $mailboxes: [String!]) {
  validateCredentials(connection: $connection, mailboxes: $mailboxes) {
    status checkedAt error mailboxes { email access error }
  }
}`;
export const VALIDATE_STORED = `mutation($id: ID!) {
  validateIntegrationCredentials(id: $id) { status checkedAt error mailboxes { email access error } }
}`;

export const MAILBOX_FIELDS = `
  id email syncFrom allTime syncAttachments enabled disabledReason integration { id }
  filters { allowedFolders deniedFolders allowedParticipants deniedParticipants allowedDomains deniedDomains }
  bucket { id name title project { name } }`;
export const ADD_MAILBOX = `mutation($integrationId: ID!, $input: MailboxInput!) {
  addMailbox(integrationId: $integrationId, input: $input) { ${MAILBOX_FIELDS} }
}`;
export const UPDATE_MAILBOX = `mutation($id: ID!, $input: UpdateMailboxInput!) {
  updateMailbox(id: $id, input: $input) { ${MAILBOX_FIELDS} }
}`;
export const REMOVE_MAILBOX = `mutation($id: ID!) { removeMailbox(id: $id) }`;
export const READ_MAILBOX = `query($id: ID!) { mailbox(id: $id) { ${MAILBOX_FIELDS} } }`;
export const ESTIMATE = `query($integrationId: ID!, $mailbox: MailboxInput!) {
  estimateVolume(integrationId: $integrationId, mailbox: $mailbox) {
    messages units folders { folder messages included }
  }
}`;
export const FOLDERS = `query($integrationId: ID!, $email: String!) {
  mailboxFolders(integrationId: $integrationId, email: $email)
}`;

export interface MailboxCheckView {
  email: string;
  access: string;
  error: string | null;
}

export interface CredentialCheckView {
  status: string;
  checkedAt: string | null;
  error: string | null;
  mailboxes: MailboxCheckView[];
}

export interface MailboxView {
  id: string;
  email: string;
  syncFrom: string | null;
  allTime: boolean;
  syncAttachments: boolean;
  enabled: boolean;
  disabledReason: string | null;
  integration: { id: string };
  filters: Record<
    | "allowedFolders"
    | "deniedFolders"
    | "allowedParticipants"
    | "deniedParticipants"
    | "allowedDomains"
    | "deniedDomains",
    string[]
  >;
  bucket: { id: string; name: string; title: string; project: { name: string } };
}

export interface IntegrationView {
  id: string;
  name: string;
  title: string;
  api: string;
  authMethod: string;
  access: string;
  authorityUrl: string;
  clientId: string;
  graphEndpoint: string;
  ewsUrl: string | null;
  serviceUsername: string | null;
  certificateThumbprint: string | null;
  hasSecret: boolean;
  enabled: boolean;
  disabledReason: string | null;
  lastError: string | null;
  warnings: string[];
  createdAt: string;
  updatedAt: string;
  project: { name: string };
  credentials: CredentialCheckView;
  mailboxes: MailboxView[];
}

export interface Refusal {
  code: string;
  /** `extensions.field`; `null` asserts there is none. */
  field?: string | null;
  /** Every pattern must match the message. */
  message?: (RegExp | string)[];
}

type GraphQLError = NonNullable<GraphQLResponse["errors"]>[number];

/**
 * Runs a request that must be refused: asserts the error's code, field and message, that no data
 * came back, and that no row of any table changed.
 */
export async function expectRefused(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  refusal: Refusal,
  token?: string,
): Promise<GraphQLError> {
  const before = await snapshot(server);
  const result = await server.gql(query, variables, token);
  const error = result.errors?.[0];
  const context = JSON.stringify(result.errors ?? result.data);
  expect(error, context).toBeDefined();
  expect(error!.extensions?.code, context).toBe(refusal.code);
  if (refusal.field !== undefined)
    expect(error!.extensions?.field, context).toBe(refusal.field ?? undefined);
  for (const pattern of refusal.message ?? []) {
    if (typeof pattern === "string") expect(error!.message).toContain(pattern);
    else expect(error!.message).toMatch(pattern);
  }
  expect(await snapshot(server)).toBe(before);
  return error!;
}

/** A Graph + client secret + application connection to the demo tenant. */
export function secretConnection(
  tenant: DemoTenant,
  app: { clientId: string; clientSecret: string } = tenant.app,
): Record<string, string> {
  return {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: tenant.authorityUrl,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    graphEndpoint: tenant.graphEndpoint,
  };
}

/** A Graph + certificate + application connection; SHA-1 thumbprint unless told otherwise. */
export function certificateConnection(
  tenant: DemoTenant,
  thumbprint: string = tenant.app.certificate.sha1Thumbprint,
  privateKey: string = tenant.app.certificate.privateKeyPem,
): Record<string, string> {
  return {
    api: "GRAPH",
    authMethod: "CERTIFICATE",
    access: "APPLICATION",
    authorityUrl: tenant.authorityUrl,
    clientId: tenant.app.clientId,
    privateKey,
    certificateThumbprint: thumbprint,
    graphEndpoint: tenant.graphEndpoint,
  };
}

/** Rows of one table, read straight from the database (`?` placeholders on either dialect). */
export async function rows(
  server: TestServer,
  table: string,
  where: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  const ds = server.app.deps.db.dataSource;
  let n = 0;
  const sql = ds.options.type === "postgres" ? where.replace(/\?/g, () => `$${++n}`) : where;
  return (await ds.query(`SELECT * FROM "${table}" WHERE ${sql}`, params)) as Record<
    string,
    unknown
  >[];
}
