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
