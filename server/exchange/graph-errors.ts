/**
 * The error table: every failure talking to Microsoft becomes an ExchangeError whose kind says what
 * to do about it. Classification is by Graph error code, AADSTS number or OAuth error, then by
 * HTTP status — never by matching message text.
 *
 * - temporary: retry later (throttling, 5xx, network trouble, a transient identity error).
 * - credentials: the identity platform rejects the app's credentials or configuration, or Graph
 *   still rejects the token after a fresh one was acquired.
 * - permission: the app may not read the mailbox (missing Mail.Read, application access policy).
 * - not_found: the mailbox does not exist or is not reachable over REST. MailboxNotEnabledForRESTAPI
 *   (unlicensed, inactive, soft-deleted or on-premises) counts here, not as permission: no grant
 *   to the app fixes it, only a change to the mailbox. ErrorItemNotFound (a message or folder
 *   that vanished) is not_found too; `code` tells it apart from a missing mailbox.
 * - sync_state_expired: the delta token is gone (410); resync the folder from scratch.
 * - unexpected: anything else (e.g. a 400 for a request Graph does not accept): a bug to report,
 *   not to retry.
 */
export type ExchangeErrorKind =
  "temporary" | "credentials" | "permission" | "not_found" | "sync_state_expired" | "unexpected";

export class ExchangeError extends Error {
  override readonly name = "ExchangeError";

  constructor(
    readonly kind: ExchangeErrorKind,
    /** Graph error code (`ErrorAccessDenied`), `AADSTS<n>`, an MSAL code, or `NetworkError`. */
    readonly code: string,
    /** HTTP status, when there was a response. */
    readonly httpStatus: number | null,
    /** What happened, for a person: never contains a secret or a token. */
    message: string,
    /** How long Microsoft asked us to wait (Retry-After), when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Graph error codes (mail and directory) → kind. */
const GRAPH_CODES: Record<string, ExchangeErrorKind> = {
  ApplicationThrottled: "temporary",
  TooManyRequests: "temporary",
  ServiceUnavailable: "temporary",
  serviceNotAvailable: "temporary",
  GatewayTimeout: "temporary",
  ErrorServerBusy: "temporary",
  ErrorTimeoutExpired: "temporary",
  ErrorInternalServerTransientError: "temporary",
  ErrorMailboxStoreUnavailable: "temporary",
  ErrorConnectionFailed: "temporary",
  MailboxInfoStale: "temporary",
  InvalidAuthenticationToken: "credentials",
  ErrorAccessDenied: "permission",
  Authorization_RequestDenied: "permission",
  ErrorInsufficientPermissionsInAccessToken: "permission",
  AccessDenied: "permission",
  ErrorInvalidUser: "not_found",
  MailboxNotEnabledForRESTAPI: "not_found",
  MailboxNotSupportedForRESTAPI: "not_found",
  ErrorNonExistentMailbox: "not_found",
  Request_ResourceNotFound: "not_found",
  ResourceNotFound: "not_found",
  ErrorItemNotFound: "not_found",
  SyncStateNotFound: "sync_state_expired",
  syncStateNotFound: "sync_state_expired",
  resyncRequired: "sync_state_expired",
  SyncStateInvalid: "sync_state_expired",
  ErrorInvalidSyncStateData: "sync_state_expired",
};

/** AADSTS numbers → kind. Every rejection of the app's own setup is "credentials". */
const AADSTS_CODES: Record<number, ExchangeErrorKind> = {
  7000215: "credentials", // invalid client secret
  7000222: "credentials", // expired client secret
  7000218: "credentials", // no client secret or assertion
  700016: "credentials", // application not found in the directory
  90002: "credentials", // tenant not found
  50059: "credentials", // no tenant information (common/organizations)
  700027: "credentials", // certificate not registered / assertion signature invalid
  700021: "credentials", // assertion issuer/subject is not the client id
  700023: "credentials", // assertion audience mismatch
  700024: "credentials", // assertion expired
  50027: "credentials", // malformed assertion
  50034: "credentials", // user does not exist
  50126: "credentials", // invalid username or password
  50053: "credentials", // account locked
  50055: "credentials", // password expired
  50076: "credentials", // MFA required
  53003: "credentials", // blocked by conditional access
  500011: "credentials", // resource (Graph endpoint) not found in tenant
  1002012: "credentials", // scope not valid for client credentials
  90033: "temporary", // transient error
  50196: "temporary", // request loop detected: back off
};

/** OAuth `error` values (the identity platform's) → kind, when there is no AADSTS number. */
const OAUTH_ERRORS: Record<string, ExchangeErrorKind> = {
  temporarily_unavailable: "temporary",
  invalid_client: "credentials",
  unauthorized_client: "credentials",
  invalid_grant: "credentials",
  invalid_request: "credentials",
  invalid_scope: "credentials",
  invalid_resource: "credentials",
  unsupported_grant_type: "credentials",
  interaction_required: "credentials",
};

/** MSAL's own client-side error codes → kind. */
const MSAL_CLIENT_ERRORS: Record<string, ExchangeErrorKind> = {
  network_error: "temporary",
  endpoints_resolution_error: "temporary",
  openid_config_error: "temporary",
  token_parsing_error: "temporary",
};

export function kindOfGraphCode(code: string | null | undefined): ExchangeErrorKind | undefined {
  return code ? GRAPH_CODES[code] : undefined;
}

/** What an HTTP status means when the error code is unknown. */
export function kindOfHttpStatus(status: number): ExchangeErrorKind {
  if (status === 429 || status === 408 || (status >= 500 && status !== 501)) return "temporary";
  if (status === 401) return "credentials";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 410) return "sync_state_expired";
  return "unexpected";
}

/**
 * Graph's codes for a mailbox that exists but cannot be read over REST: unlicensed, inactive,
 * soft-deleted, or hosted on-premises. No permission fixes it, only a change to the mailbox.
 */
const NOT_ENABLED_FOR_REST = new Set([
  "MailboxNotEnabledForRESTAPI",
  "MailboxNotSupportedForRESTAPI",
]);

export const isNotEnabledForRest = (code: string | null | undefined): boolean =>
  code !== null && code !== undefined && NOT_ENABLED_FOR_REST.has(code);

/** What to do about such a mailbox, after Graph's own words. */
export const NOT_ENABLED_FOR_REST_ADVICE =
  "The mailbox exists but Microsoft Graph cannot read it: it is unlicensed, inactive (or soft-deleted), or hosted on-premises. Assign it an Exchange Online license in the Microsoft 365 admin center (or restore it); for a mailbox on an on-premises Exchange server, use an EWS integration instead.";

export function graphHttpError(
  status: number,
  code: string | null,
  message: string,
  retryAfterMs?: number,
): ExchangeError {
  const kind = kindOfGraphCode(code) ?? kindOfHttpStatus(status);
  const text = message.trim() || `Microsoft Graph answered HTTP ${status}`;
  return new ExchangeError(
    kind,
    code ?? `HTTP${status}`,
    status,
    isNotEnabledForRest(code)
      ? `${code}: ${text} ${NOT_ENABLED_FOR_REST_ADVICE}`
      : `${code ?? `HTTP ${status}`}: ${text}`,
    retryAfterMs,
  );
}

/** Shape of the errors msal-node throws (ServerError, ClientAuthError, NetworkError…). */
interface MsalLikeError {
  name?: string;
  errorCode?: string;
  errorMessage?: string;
  errorNo?: string | number;
  status?: number;
  subError?: string;
}

/**
 * Turns whatever MSAL threw into an ExchangeError. The AADSTS number comes from `errorNo` (the
 * server's `error_codes[0]`); the text shown is the server's description without the trace lines.
 */
export function identityError(error: unknown): ExchangeError {
  if (error instanceof ExchangeError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as MsalLikeError;
  const errorNo = e.errorNo !== undefined && e.errorNo !== "" ? Number(e.errorNo) : undefined;
  const errorCode = e.errorCode ?? "";
  const numericCode = /^\d+$/.test(errorCode) ? Number(errorCode) : undefined;
  const aadsts = errorNo ?? numericCode;
  const description = describeMsalError(e);
  if (aadsts !== undefined && Number.isFinite(aadsts)) {
    const kind =
      AADSTS_CODES[aadsts] ??
      (e.status !== undefined && (e.status === 429 || e.status >= 500) ? "temporary" : undefined) ??
      OAUTH_ERRORS[errorCode] ??
      "credentials";
    return new ExchangeError(kind, `AADSTS${aadsts}`, e.status ?? null, description);
  }
  const kind =
    OAUTH_ERRORS[errorCode] ??
    MSAL_CLIENT_ERRORS[errorCode] ??
    (e.name === "NetworkError" ? "temporary" : undefined) ??
    (e.name === "ClientConfigurationError" ? "credentials" : undefined) ??
    (e.status !== undefined ? kindOfHttpStatus(e.status) : "credentials");
  return new ExchangeError(
    kind,
    errorCode || e.name || "IdentityError",
    e.status ?? null,
    description,
  );
}

function describeMsalError(e: MsalLikeError): string {
  const raw = e.errorMessage ?? (e as { message?: string }).message ?? "";
  // ServerError text: "Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: … Trace ID: …"
  const marker = raw.indexOf("Description: ");
  const description = marker >= 0 ? raw.slice(marker + "Description: ".length) : raw;
  const firstLine = description.split(/\r?\n| - Correlation ID:| Trace ID:/)[0]?.trim() ?? "";
  return firstLine || e.errorCode || "The identity platform refused the request";
}

/** An error thrown before any HTTP answer (DNS, TLS, reset, timeout). */
/** A request that ran out of time (an AbortSignal.timeout, possibly wrapped in a cause or two). */
export function isTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if (e.name === "TimeoutError") return true;
  }
  return false;
}

export function networkError(
  cause: unknown,
  timedOut: boolean,
  service = "Microsoft Graph",
): ExchangeError {
  const detail = describeCause(cause);
  return new ExchangeError(
    "temporary",
    timedOut ? "Timeout" : "NetworkError",
    null,
    timedOut ? `${service} did not answer in time` : `Could not reach ${service}: ${detail}`,
  );
}

function describeCause(cause: unknown): string {
  const seen: string[] = [];
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    seen.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return seen.join(": ") || String(cause);
}

/** Which of a connection's hosts a request went to, as the messages name it. */
export type OutboundRole = "authority" | "graph";

const ROLE_NAMES: Record<OutboundRole, string> = {
  authority: "The authority URL's host",
  graph: "The Graph endpoint's host",
};

/**
 * The egress rule refused the host (MAILSTREAM_ALLOWED_HOSTS): the integration's configuration is
 * wrong for this server, like refused credentials — no retry fixes it, so it is "credentials".
 */
export function destinationRefused(role: OutboundRole, reason: string): ExchangeError {
  return new ExchangeError(
    "credentials",
    "DestinationRefused",
    null,
    `${ROLE_NAMES[role]} ${reason}`,
  );
}

/**
 * Microsoft's hosts answer; they do not redirect. A 3xx is not followed (it could send the secret
 * or token to another host, or over http): it is an error naming the host and where it pointed.
 */
export function redirectRefused(
  role: OutboundRole,
  url: string,
  status: number,
  location: string | null,
): ExchangeError {
  const from = originOf(url) ?? "the host";
  let to = "another address";
  try {
    if (location) to = new URL(location, url).origin;
  } catch {
    // an unparsable Location: "another address" says enough
  }
  return new ExchangeError(
    "credentials",
    "RedirectRefused",
    status,
    `${ROLE_NAMES[role]} ${from} answered HTTP ${status}, a redirect to ${to}; redirects are not followed, so nothing was sent there. Configure the address that answers itself.`,
  );
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
