import { isGuid, parseAuthorityUrl } from "./authority-url.js";
import { normalizeThumbprint, validatePrivateKey } from "./certificate-credential.js";
import { checkEmailAddress } from "./email-address.js";
import { badInput } from "./errors.js";
import { fieldPath } from "./field-path.js";

export type ExchangeApi = "GRAPH" | "EWS";
export type AuthMethod = "CLIENT_SECRET" | "CERTIFICATE" | "NTLM";
export type AccessMode = "APPLICATION" | "SERVICE_USER";

/** A connection as given; null and absent mean the same. Secrets are write-only. */
export interface ConnectionInput {
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
  /** Required for CLIENT_SECRET and CERTIFICATE; not used with NTLM. */
  authorityUrl?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
  privateKey?: string | null;
  certificateThumbprint?: string | null;
  serviceUsername?: string | null;
  servicePassword?: string | null;
  graphEndpoint?: string | null;
  ewsUrl?: string | null;
  /** When the secret or certificate expires (recorded, not checked; server/domain/secret-expiry.ts). */
  secretExpiresAt?: Date | null;
}

/** The stored, non-secret part of a connection (the integration row's columns). */
export interface NormalizedConnection {
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
  /** Null exactly for NTLM, which talks to a self-hosted Exchange directly. */
  authorityUrl: string | null;
  clientId: string | null;
  graphEndpoint: string;
  ewsUrl: string | null;
  serviceUsername: string | null;
  certificateThumbprint: string | null;
}

/** The write-only part: only the secrets the chosen method and access use are present. */
export interface ConnectionSecrets {
  clientSecret?: string;
  privateKey?: string;
  servicePassword?: string;
}

export interface ValidConnection {
  connection: NormalizedConnection;
  secrets: ConnectionSecrets;
  warnings: string[];
}

export const DEFAULT_GRAPH_ENDPOINT = "https://graph.microsoft.com";

/** Hosts serving EWS for Exchange Online (global, GCC High, DoD, 21Vianet). */
const EXCHANGE_ONLINE_EWS_HOSTS: ReadonlySet<string> = new Set([
  "outlook.office365.com",
  "outlook.office.com",
  "outlook.office365.us",
  "webmail.apps.mil",
  "partner.outlook.cn",
]);

/** The Graph endpoints that accept tokens from each national cloud's sign-in host. */
const GRAPH_FOR_AUTHORITY: ReadonlyMap<string, readonly string[]> = new Map([
  ["login.microsoftonline.com", ["https://graph.microsoft.com"]],
  ["login.microsoftonline.us", ["https://graph.microsoft.us", "https://dod-graph.microsoft.us"]],
  ["login.chinacloudapi.cn", ["https://microsoftgraph.chinacloudapi.cn"]],
  ["login.partner.microsoftonline.cn", ["https://microsoftgraph.chinacloudapi.cn"]],
]);

export const EWS_RETIRED_WARNING =
  'EWS against Exchange Online: Exchange Online retired Exchange Web Services on 2026-10-01, so this integration may stop syncing at any time. Use api GRAPH instead (see the guide\'s "Migration Guide: Exchange Web Services (EWS) to Microsoft Graph API").';

/**
 * Rules "connection" (DOMAIN.md Integrations and the guide's "Connect with your application"),
 * reported one at a time, combinations first and then field by field (first broken rule per
 * field): GRAPH with NTLM; NTLM with APPLICATION access (NTLM supports delegate access only);
 * GRAPH with SERVICE_USER (Graph does not support service user access) — in this order, so each
 * can be the one reported (NTLM needs a service user, which Graph refuses); for CLIENT_SECRET and
 * CERTIFICATE the authority URL and a GUID client ID (NTLM uses neither: they are not stored);
 * the method's secret (CLIENT_SECRET: clientSecret; CERTIFICATE: an RSA PEM
 * privateKey and a SHA-1/SHA-256 thumbprint); SERVICE_USER's username (a UPN, or DOMAIN\user
 * with NTLM) and password; EWS's https ewsUrl; an https origin as graphEndpoint (default
 * https://graph.microsoft.com). Secrets the chosen method does not use are dropped rather than
 * stored. Warnings: EWS against Exchange Online (retired 2026-10-01), NTLM against Exchange
 * Online, a Graph endpoint of another cloud than the authority, a client secret that looks like
 * the secret's ID. No message ever quotes a secret.
 */
export function validateConnection(input: ConnectionInput, fieldPrefix: string): ValidConnection {
  const field = (name: keyof ConnectionInput): string => fieldPath(fieldPrefix, name);
  const { api, authMethod, access } = input;
  checkEnum(field("api"), "api", api, ["GRAPH", "EWS"]);
  checkEnum(field("authMethod"), "authMethod", authMethod, [
    "CLIENT_SECRET",
    "CERTIFICATE",
    "NTLM",
  ]);
  checkEnum(field("access"), "access", access, ["APPLICATION", "SERVICE_USER"]);
  if (api === "GRAPH" && authMethod === "NTLM") {
    throw badInput(
      field("authMethod"),
      "Graph API does not support NTLM authentication (NTLM works with EWS only): use CLIENT_SECRET or CERTIFICATE with Graph.",
    );
  }
  if (authMethod === "NTLM" && access === "APPLICATION") {
    throw badInput(
      field("access"),
      "NTLM supports delegate access only: use access SERVICE_USER with the service account's username and password, or authenticate with CLIENT_SECRET or CERTIFICATE for application access.",
    );
  }
  if (api === "GRAPH" && access === "SERVICE_USER") {
    throw badInput(
      field("access"),
      "Graph API does not support service user access: use access APPLICATION with Graph, or api EWS for a service user.",
    );
  }

  // NTLM signs in to the Exchange server itself: an authority and client id, if sent, are unused.
  const identity =
    authMethod === "NTLM" ? null : validateIdentityPlatform(input, authMethod, field);
  const authority = identity?.authority ?? null;

  const warnings: string[] = [];
  const secrets: ConnectionSecrets = {};
  let certificateThumbprint: string | null = null;
  if (authMethod === "CLIENT_SECRET") {
    const secret = input.clientSecret?.trim() ?? "";
    if (secret === "") {
      throw badInput(
        field("clientSecret"),
        "The CLIENT_SECRET method needs clientSecret: the secret's Value from the app registration's Certificates & secrets page.",
      );
    }
    if (isGuid(secret)) {
      warnings.push(
        "clientSecret looks like a GUID: Azure shows a secret's ID beside its Value, and the Value is what signs in. If no token can be acquired, paste the Value.",
      );
    }
    secrets.clientSecret = secret;
  } else if (authMethod === "CERTIFICATE") {
    if ((input.privateKey ?? "").trim() === "") {
      throw badInput(
        field("privateKey"),
        "The CERTIFICATE method needs privateKey: the certificate's private key in PEM form.",
      );
    }
    secrets.privateKey = validatePrivateKey(field("privateKey"), input.privateKey ?? "");
    if ((input.certificateThumbprint ?? "").trim() === "") {
      throw badInput(
        field("certificateThumbprint"),
        "The CERTIFICATE method needs certificateThumbprint: the thumbprint Azure shows for the uploaded certificate (40 hex digits for SHA-1, 64 for SHA-256).",
      );
    }
    certificateThumbprint = normalizeThumbprint(
      field("certificateThumbprint"),
      input.certificateThumbprint ?? "",
    );
  }

  let serviceUsername: string | null = null;
  if (access === "SERVICE_USER") {
    serviceUsername = validateServiceUsername(field("serviceUsername"), input, authMethod);
    if ((input.servicePassword ?? "") === "") {
      throw badInput(
        field("servicePassword"),
        "Service user access needs servicePassword: the service account's password.",
      );
    }
    // Passwords are kept byte for byte: spaces may be part of them.
    secrets.servicePassword = input.servicePassword ?? "";
  }

  let ewsUrl: string | null = null;
  if (api === "EWS") {
    ewsUrl = parseEwsUrl(field("ewsUrl"), input.ewsUrl ?? "");
    const ewsHost = new URL(ewsUrl).hostname;
    const exchangeOnline =
      EXCHANGE_ONLINE_EWS_HOSTS.has(ewsHost) || authority?.microsoftCloud === true;
    if (exchangeOnline) warnings.push(EWS_RETIRED_WARNING);
    if (authMethod === "NTLM" && EXCHANGE_ONLINE_EWS_HOSTS.has(ewsHost)) {
      warnings.push(
        "NTLM against Exchange Online: Exchange Online turned off basic and NTLM authentication for EWS; use CLIENT_SECRET or CERTIFICATE (or better, api GRAPH).",
      );
    }
  }

  const graphEndpoint = parseGraphEndpoint(field("graphEndpoint"), input.graphEndpoint);
  const expected = authority?.microsoftCloud ? GRAPH_FOR_AUTHORITY.get(authority.host) : undefined;
  if (api === "GRAPH" && expected !== undefined && !expected.includes(graphEndpoint)) {
    warnings.push(
      `graphEndpoint ${graphEndpoint} belongs to another cloud than the authority ${authority?.host}; tokens from ${authority?.host} are accepted by ${expected.join(" or ")}.`,
    );
  }

  return {
    connection: {
      api,
      authMethod,
      access,
      authorityUrl: authority?.url ?? null,
      clientId: identity?.clientId ?? null,
      graphEndpoint,
      ewsUrl,
      serviceUsername,
      certificateThumbprint,
    },
    secrets,
    warnings,
  };
}

/**
 * Rules "authorityUrl" and "clientId": both are required exactly for the methods that sign in
 * through an identity platform (CLIENT_SECRET and CERTIFICATE), each refused by its own field.
 */
function validateIdentityPlatform(
  input: ConnectionInput,
  authMethod: AuthMethod,
  field: (name: keyof ConnectionInput) => string,
): { authority: ReturnType<typeof parseAuthorityUrl>; clientId: string } {
  const method = `The ${authMethod} method signs in through the Microsoft identity platform, so it needs`;
  if ((input.authorityUrl ?? "").trim() === "") {
    throw badInput(
      field("authorityUrl"),
      `${method} authorityUrl, e.g. https://login.microsoftonline.com/<Directory (tenant) ID>. (Only NTLM, against a self-hosted Exchange, needs none.)`,
    );
  }
  const authority = parseAuthorityUrl(field("authorityUrl"), input.authorityUrl ?? "");
  const clientId = (input.clientId ?? "").trim().toLowerCase();
  if (clientId === "") {
    throw badInput(
      field("clientId"),
      `${method} clientId: the Application (client) ID, a GUID shown on the app registration's Overview page. (Only NTLM, against a self-hosted Exchange, needs none.)`,
    );
  }
  if (!isGuid(clientId)) {
    throw badInput(
      field("clientId"),
      "clientId must be the Application (client) ID, a GUID like 8a3f4c2e-1b7d-4e6a-9c0f-2d5b8e7a1c43, as Azure shows it on the app registration's Overview page.",
    );
  }
  return { authority, clientId };
}

function checkEnum(field: string, name: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    throw badInput(field, `${name} must be one of ${allowed.join(", ")}.`);
  }
}

/**
 * Rule "service user": the account signs in with its UPN (user@domain). NTLM, which talks to
 * a self-hosted Exchange, also takes the down-level `DOMAIN\user` logon name Windows admins use.
 */
function validateServiceUsername(
  field: string,
  input: ConnectionInput,
  authMethod: AuthMethod,
): string {
  const username = input.serviceUsername?.trim() ?? "";
  if (username === "") {
    throw badInput(
      field,
      "Service user access needs serviceUsername: the service account's sign-in name (UPN), e.g. svc-mailstream@contoso.com.",
    );
  }
  if (authMethod === "NTLM" && /^[^\\\s@]+\\[^\\\s@]+$/.test(username)) return username;
  const check = checkEmailAddress(username);
  if (!check.ok) {
    const ntlm = authMethod === "NTLM" ? " or DOMAIN\\user" : "";
    throw badInput(
      field,
      `serviceUsername must be the service account's sign-in name (UPN) like svc-mailstream@contoso.com${ntlm}; it ${check.reason}.`,
    );
  }
  return check.address;
}

/** Rule "EWS needs ewsUrl": an https URL of the EWS endpoint, without credentials. */
function parseEwsUrl(field: string, value: string): string {
  const text = value.trim();
  const example = "https://outlook.office365.com/EWS/Exchange.asmx";
  if (text === "") {
    throw badInput(
      field,
      `EWS needs ewsUrl: the Exchange Web Services endpoint, e.g. ${example} or https://mail.contoso.com/EWS/Exchange.asmx.`,
    );
  }
  const url = parseUrl(text);
  if (url === null) throw badInput(field, `ewsUrl is not a URL; write it like ${example}.`);
  if (url.protocol !== "https:") {
    throw badInput(
      field,
      `ewsUrl must use https: credentials and mail travel over it. E.g. ${example}.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw badInput(field, "ewsUrl must not contain a user name or password; use serviceUsername.");
  }
  return url.href;
}

/**
 * Rule "graphEndpoint": an https origin (scheme, host, optional port) and nothing else, because
 * the Graph client appends the API version and resource paths itself. Default
 * https://graph.microsoft.com; national clouds use their own.
 */
function parseGraphEndpoint(field: string, value: string | null | undefined): string {
  const text = value?.trim() ?? "";
  if (text === "") return DEFAULT_GRAPH_ENDPOINT;
  const url = parseUrl(text);
  if (url === null) {
    throw badInput(field, `graphEndpoint is not a URL; write it like ${DEFAULT_GRAPH_ENDPOINT}.`);
  }
  if (url.protocol !== "https:") {
    throw badInput(field, `graphEndpoint must use https, e.g. ${DEFAULT_GRAPH_ENDPOINT}.`);
  }
  if (
    url.username !== "" ||
    url.password !== "" ||
    url.pathname !== "/" ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    throw badInput(
      field,
      `graphEndpoint must be an origin only, like ${DEFAULT_GRAPH_ENDPOINT}, without a path such as /v1.0 (Mailstream adds the API version).`,
    );
  }
  return url.origin;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
