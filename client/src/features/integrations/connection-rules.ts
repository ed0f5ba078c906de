/**
 * The connection combinations the guide forbids, so the wizard never offers them (the server
 * refuses them too, with the same reasons: server/domain/connection-rules.ts):
 * - Graph API with NTLM (NTLM works with EWS only);
 * - NTLM with application access ("NTLM only supports delegate access");
 * - Graph API with service user access ("Graph API does not support service user access").
 * Kept free of imports so test/client can check it under Node.
 */
export type ExchangeApi = "GRAPH" | "EWS";
export type AuthMethod = "CLIENT_SECRET" | "CERTIFICATE" | "NTLM";
export type AccessMode = "APPLICATION" | "SERVICE_USER";

export const AUTH_METHODS: readonly AuthMethod[] = ["CLIENT_SECRET", "CERTIFICATE", "NTLM"];
export const ACCESS_MODES: readonly AccessMode[] = ["SERVICE_USER", "APPLICATION"];

/** Why this method cannot be used with the API, or null when it can. */
export function authMethodUnavailable(api: ExchangeApi, method: AuthMethod): string | null {
  if (api === "GRAPH" && method === "NTLM")
    return "Graph API does not support NTLM; NTLM works with EWS only.";
  return null;
}

/** Why this access mode cannot be used with the API and method, or null when it can. */
export function accessUnavailable(
  api: ExchangeApi,
  method: AuthMethod,
  access: AccessMode,
): string | null {
  if (access === "APPLICATION" && method === "NTLM")
    return "NTLM only supports delegate access (a service user).";
  if (access === "SERVICE_USER" && api === "GRAPH")
    return "Graph API does not support service user access.";
  return null;
}

/** After the API or method changes, the nearest allowed choice for the fields that depend on it. */
export function nearestAllowed(
  api: ExchangeApi,
  method: AuthMethod,
  access: AccessMode,
): { authMethod: AuthMethod; access: AccessMode } {
  const authMethod = authMethodUnavailable(api, method) ? "CLIENT_SECRET" : method;
  const allowedAccess = accessUnavailable(api, authMethod, access)
    ? (ACCESS_MODES.find((a) => !accessUnavailable(api, authMethod, a)) ?? access)
    : access;
  return { authMethod, access: allowedAccess };
}

/** Every combination the wizard offers. */
export function offeredCombinations(): {
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
}[] {
  const result: { api: ExchangeApi; authMethod: AuthMethod; access: AccessMode }[] = [];
  for (const api of ["GRAPH", "EWS"] as const) {
    for (const authMethod of AUTH_METHODS) {
      if (authMethodUnavailable(api, authMethod)) continue;
      for (const access of ACCESS_MODES)
        if (!accessUnavailable(api, authMethod, access)) result.push({ api, authMethod, access });
    }
  }
  return result;
}

/** The connection form's fields as the wizard shows them (mirrors wizard/connection-draft.ts). */
export interface ConnectionFields {
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
  authorityUrl: string;
  clientId: string;
  clientSecret: string;
  privateKey: string;
  certificateThumbprint: string;
  serviceUsername: string;
  servicePassword: string;
  graphEndpoint: string;
  ewsUrl: string;
}

/** Each API field name → what the form calls it. */
export const CONNECTION_LABELS: Record<string, string> = {
  authorityUrl: "OAuth authority URL",
  clientId: "OAuth client ID",
  clientSecret: "Client secret",
  privateKey: "Private key",
  certificateThumbprint: "Certificate thumbprint",
  serviceUsername: "Service user",
  servicePassword: "Service user password",
  graphEndpoint: "Graph endpoint",
  ewsUrl: "EWS URL",
  authMethod: "Authentication method",
  access: "Access",
  api: "API type",
};

const VALUE_LABELS: Record<string, string> = {
  CLIENT_SECRET: "client secret",
  CERTIFICATE: "private key & thumbprint",
  APPLICATION: "application access",
  SERVICE_USER: "service user access",
};

/** A server message in the form's words: `clientId` → "OAuth client ID", `CLIENT_SECRET` → "client secret". */
export function inFormWords(message: string): string {
  return message
    .replace(
      /\b(authorityUrl|clientId|clientSecret|privateKey|certificateThumbprint|serviceUsername|servicePassword|graphEndpoint|ewsUrl)\b/g,
      (name) => `"${CONNECTION_LABELS[name]}"`,
    )
    .replace(
      /\b(?:access |authenticate with |method )?(CLIENT_SECRET|CERTIFICATE|APPLICATION|SERVICE_USER)\b/g,
      (_, value: string) => VALUE_LABELS[value]!,
    )
    .replace(/\bapi (GRAPH|EWS)\b/g, (_, api: string) =>
      api === "GRAPH" ? "Graph API" : "EWS API",
    );
}

/** Server refusals, each general and field message in the form's words. */
export function refusalsInFormWords<
  E extends { general: string[]; fields: Record<string, string> },
>(errors: E): E {
  return {
    ...errors,
    general: errors.general.map(inFormWords),
    fields: Object.fromEntries(
      Object.entries(errors.fields).map(([key, message]) => [key, inFormWords(message)]),
    ),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function httpsProblem(value: string, label: string, example: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `${label} is not a URL; write it like ${example}.`;
  }
  if (url.protocol !== "https:") return `${label} must start with https://, e.g. ${example}.`;
  return null;
}

/**
 * Every problem the browser can see in the connection, keyed by field, in the form's words, so
 * one click on "Validate" shows all of them (the server stops at the first). The server stays the
 * judge of the rest.
 */
export function connectionProblems(d: ConnectionFields): Record<string, string> {
  const problems: Record<string, string> = {};
  if (d.authMethod !== "NTLM") {
    if (!d.authorityUrl.trim())
      problems.authorityUrl =
        "Enter the OAuth authority URL: https://login.microsoftonline.com/ followed by the Directory (tenant) ID.";
    else {
      const p = httpsProblem(
        d.authorityUrl,
        "The OAuth authority URL",
        "https://login.microsoftonline.com/<tenant ID>",
      );
      if (p) problems.authorityUrl = p;
    }
    if (!d.clientId.trim())
      problems.clientId =
        "Enter the OAuth client ID: the Application (client) ID on the app registration's overview.";
    else if (!GUID.test(d.clientId.trim()))
      problems.clientId =
        "The OAuth client ID is a GUID like 8a3f4c2e-1b7d-4e6a-9c0f-2d5b8e7a1c43, as the app registration's overview shows it.";
  }
  if (d.authMethod === "CLIENT_SECRET" && !d.clientSecret.trim())
    problems.clientSecret = "Enter the client secret: its Value from Certificates & secrets.";
  if (d.authMethod === "CERTIFICATE") {
    if (!d.privateKey.trim())
      problems.privateKey = "Paste the private key (PEM) or load the key file.";
    else if (!d.privateKey.includes("-----BEGIN"))
      problems.privateKey = "The private key must be in PEM form: -----BEGIN PRIVATE KEY----- …";
    const thumb = d.certificateThumbprint.replace(/[\s:]/g, "");
    if (!thumb) problems.certificateThumbprint = "Enter the certificate thumbprint.";
    else if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(thumb))
      problems.certificateThumbprint =
        "The certificate thumbprint is 40 hex digits (SHA-1) or 64 (SHA-256), as Azure shows it.";
  }
  if (d.access === "SERVICE_USER") {
    const user = d.serviceUsername.trim();
    if (!user) problems.serviceUsername = "Enter the service user's sign-in name.";
    else if (
      !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(user) &&
      !(d.authMethod === "NTLM" && /^[^\\\s@]+\\[^\\\s@]+$/.test(user))
    )
      problems.serviceUsername =
        d.authMethod === "NTLM"
          ? "The service user is a sign-in name like svc-mailstream@contoso.com or CONTOSO\\svc-mailstream."
          : "The service user is a sign-in name like svc-mailstream@contoso.com.";
    if (!d.servicePassword) problems.servicePassword = "Enter the service user's password.";
  }
  if (d.api === "EWS") {
    if (!d.ewsUrl.trim())
      problems.ewsUrl =
        "Enter the EWS URL, e.g. https://mail.contoso.com/EWS/Exchange.asmx (or https://outlook.office365.com/EWS/Exchange.asmx).";
    else {
      const p = httpsProblem(d.ewsUrl, "The EWS URL", "https://mail.contoso.com/EWS/Exchange.asmx");
      if (p) problems.ewsUrl = p;
    }
  }
  if (d.api === "GRAPH" && d.graphEndpoint.trim()) {
    const p = httpsProblem(d.graphEndpoint, "The Graph endpoint", "https://graph.microsoft.com");
    if (p) problems.graphEndpoint = p;
  }
  return problems;
}
