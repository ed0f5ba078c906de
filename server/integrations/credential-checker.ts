import type {
  AccessMode,
  AuthMethod,
  ExchangeApi,
  MailboxAccess,
} from "../domain/integration-state.js";

/**
 * "Validate & save credentials": authenticate with the configured method (a token, or the NTLM
 * handshake over EWS), then prove each mailbox readable with a mail request. Implemented in
 * server/exchange for Graph and EWS; the integration service only sees this interface.
 */
export type MailboxAccessResult = MailboxAccess;

export interface CredentialCheckResult {
  status: "VALID" | "INVALID";
  /** The identity platform's error (e.g. `AADSTS7000215: Invalid client secret provided…`). */
  error: string | null;
  mailboxes: { email: string; access: MailboxAccessResult; error: string | null }[];
}

/** Everything needed to talk to Microsoft, secrets included; never logged, never returned. */
export interface ResolvedConnection {
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
  /** Null exactly for NTLM, which needs no identity platform. */
  authorityUrl: string | null;
  clientId: string | null;
  graphEndpoint: string;
  ewsUrl: string | null;
  serviceUsername: string | null;
  certificateThumbprint: string | null;
  clientSecret?: string;
  privateKey?: string;
  servicePassword?: string;
}

/** A connection URL whose host this server may not reach (MAILSTREAM_ALLOWED_HOSTS). */
export interface DestinationRefusal {
  field: "authorityUrl" | "graphEndpoint" | "ewsUrl";
  /** Names the host, what it resolves to and the setting that allows it. */
  message: string;
}

export interface CredentialChecker {
  check(connection: ResolvedConnection, mailboxes: string[]): Promise<CredentialCheckResult>;
  /**
   * The first of the connection's hosts (authority, Graph, EWS) the egress rule refuses now, after
   * DNS; null when all may be reached. Checked before anything is saved or sent.
   */
  refusedDestination(
    connection: Pick<ResolvedConnection, "api" | "authorityUrl" | "graphEndpoint" | "ewsUrl">,
  ): Promise<DestinationRefusal | null>;
}
