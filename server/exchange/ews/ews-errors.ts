import { ExchangeError, type ExchangeErrorKind } from "../graph-errors.js";

/**
 * The EWS error table: an EWS ResponseCode (Microsoft's ResponseCode reference) → the kinds the
 * sync engine acts on (server/sync/mail-source.ts ClassifiedError). Never by message text.
 *
 * - temporary: the server is busy or the mailbox is briefly unavailable (ErrorServerBusy, a
 *   mailbox move in progress, store/transient failures): try again after a back-off.
 * - permission: the principal may not open the mailbox (no Full Access, no impersonation right).
 * - not_found: the mailbox (ErrorNonExistentMailbox) or an item/folder (ErrorItemNotFound,
 *   ErrorFolderNotFound — `code` tells them apart; a vanished item is skipped, not an error).
 * - sync_state_expired: the SyncState is no longer usable: re-enumerate that folder.
 * - credentials: the account itself is refused (disabled, expired password).
 * - unexpected: a request Exchange does not accept (a bug to report, not to retry).
 */
const EWS_CODES: Record<string, ExchangeErrorKind> = {
  ErrorServerBusy: "temporary",
  ErrorMailboxMoveInProgress: "temporary",
  ErrorMailboxStoreUnavailable: "temporary",
  ErrorInternalServerTransientError: "temporary",
  ErrorInternalServerError: "temporary",
  ErrorTimeoutExpired: "temporary",
  ErrorConnectionFailed: "temporary",
  ErrorExceededConnectionCount: "temporary",
  ErrorTooManyObjectsOpened: "temporary",
  ErrorBatchProcessingStopped: "temporary",
  ErrorMailboxFailover: "temporary",
  ErrorProxyRequestProcessingFailed: "temporary",
  ErrorCrossSiteRequest: "temporary",
  ErrorAccessDenied: "permission",
  ErrorImpersonateUserDenied: "permission",
  ErrorImpersonationDenied: "permission",
  ErrorInsufficientResources: "temporary",
  ErrorNotDelegate: "permission",
  ErrorDelegateNoUser: "permission",
  ErrorNonExistentMailbox: "not_found",
  ErrorInvalidSmtpAddress: "not_found",
  ErrorMailboxConfiguration: "not_found",
  ErrorItemNotFound: "not_found",
  ErrorFolderNotFound: "not_found",
  ErrorSyncFolderNotFound: "not_found",
  ErrorInvalidSyncStateData: "sync_state_expired",
  ErrorSyncStateNotFound: "sync_state_expired",
  ErrorAccountDisabled: "credentials",
  ErrorPasswordExpired: "credentials",
  ErrorPasswordChangeRequired: "credentials",
  ErrorInvalidLicense: "credentials",
};

export function kindOfEwsCode(code: string): ExchangeErrorKind {
  return EWS_CODES[code] ?? "unexpected";
}

/** An EWS error response (a ResponseMessage's error, or a SOAP fault) as an ExchangeError. */
export function ewsError(
  code: string,
  message: string,
  httpStatus: number | null,
  retryAfterMs?: number,
): ExchangeError {
  const text = message.trim() || code;
  return new ExchangeError(kindOfEwsCode(code), code, httpStatus, `${code}: ${text}`, retryAfterMs);
}

/**
 * A rejected NTLM handshake. NTLM's 401 does not say why, so the message names every cause an
 * administrator can check (password, user name, lock-out, disabled account) — never the password.
 */
export function ntlmRejected(username: string, host: string): ExchangeError {
  return new ExchangeError(
    "credentials",
    "NtlmRejected",
    401,
    `The Exchange server at ${host} rejected the NTLM sign-in of ${username}: the password is wrong, the user name is unknown (write DOMAIN\\user or the UPN), or the account is locked out or disabled.`,
  );
}

/** The server does not offer NTLM (only Negotiate/Kerberos, or Basic): the method cannot work. */
export function ntlmNotOffered(host: string, offered: string): ExchangeError {
  return new ExchangeError(
    "credentials",
    "NtlmNotOffered",
    401,
    `The Exchange server at ${host} does not offer NTLM authentication for EWS (it offers: ${offered || "nothing"}); enable Windows (NTLM) authentication on the EWS virtual directory.`,
  );
}

/** The EWS host refused the bearer token (app-only or service-user token) even after renewal. */
export function tokenRejected(host: string, detail: string | null): ExchangeError {
  return new ExchangeError(
    "credentials",
    "InvalidToken",
    401,
    `The Exchange server at ${host} rejected the access token${detail ? ` (${detail})` : ""}: check that the app has the EWS permission (full_access_as_app for application access, EWS.AccessAsUser.All for a service user) and admin consent.`,
  );
}
