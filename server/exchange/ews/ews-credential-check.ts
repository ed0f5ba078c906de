import type {
  CredentialCheckResult,
  MailboxAccessResult,
  ResolvedConnection,
} from "../../integrations/credential-checker.js";
import { ExchangeError } from "../graph-errors.js";
import type { EwsClient } from "./ews-client.js";
import { EwsPrincipals, type EwsOptions } from "./ews-principals.js";

/**
 * "Validate & save credentials" over EWS (DOMAIN.md, EWS): authenticate — the NTLM handshake, or
 * a token for the EWS host — then read each mailbox's Inbox: accessible, not found
 * (ErrorNonExistentMailbox), access denied (ErrorAccessDenied, ErrorImpersonateUserDenied). A
 * rejected handshake or token makes the whole check INVALID, with the reason in words. The check
 * runs on connections of its own (the credentials are not saved yet) and closes them after.
 */
const CHECK_RETRY = { maxAttempts: 3, maxRetryAfterMs: 5_000, requestTimeoutMs: 30_000 };

export class EwsCredentialChecker {
  private readonly principals: EwsPrincipals;

  constructor(options: EwsOptions = {}) {
    this.principals = options.principals ?? new EwsPrincipals(options);
  }

  async check(connection: ResolvedConnection, mailboxes: string[]): Promise<CredentialCheckResult> {
    const client = this.principals.client(connection, { fresh: true, retry: CHECK_RETRY });
    try {
      return await checkWith(client, connection, mailboxes);
    } finally {
      await client.transport.principal.close();
    }
  }
}

async function checkWith(
  client: EwsClient,
  connection: ResolvedConnection,
  mailboxes: string[],
): Promise<CredentialCheckResult> {
  const results: MailboxResult[] = [];
  // The first request authenticates (and tells a rejected sign-in apart from a mailbox problem);
  // without mailboxes, a delegate reads its own Inbox, and an app has proved itself with a token.
  const [first, ...rest] = mailboxes;
  try {
    if (first !== undefined) results.push(await checkMailbox(client, first));
    else if (client.access === "delegate")
      await client.getFolder(connection.serviceUsername!, "inbox").catch((error: unknown) => {
        // Only the sign-in is proved here: the service account's own mailbox may not exist.
        if (!(error instanceof ExchangeError)) throw error;
        if (error.kind === "credentials" || error.httpStatus === null) throw error;
      });
    results.push(...(await Promise.all(rest.map((email) => checkMailbox(client, email)))));
  } catch (error) {
    if (!(error instanceof ExchangeError)) throw error;
    if (error.kind !== "credentials" && error.httpStatus !== null) throw error;
    return invalid(error.message, mailboxes);
  }
  // No answer at all to the first request (DNS, TLS, connection refused): nothing is proved.
  const probe = results[0];
  if (probe?.unanswered) return invalid(probe.error!, mailboxes);
  return {
    status: "VALID",
    error: null,
    mailboxes: results.map(({ email, access, error }) => ({ email, access, error })),
  };
}

function invalid(reason: string, mailboxes: string[]): CredentialCheckResult {
  return {
    status: "INVALID",
    error: reason,
    mailboxes: mailboxes.map((email) => ({
      email,
      access: "ERROR" as const,
      error: "Not checked: the sign-in was not proved",
    })),
  };
}

/** A mailbox's Inbox read with GetFolder; a rejected sign-in propagates (it is not per mailbox). */
async function checkMailbox(client: EwsClient, email: string): Promise<MailboxResult> {
  try {
    await client.getFolder(email, "inbox");
    return { email, access: "ACCESSIBLE", error: null, unanswered: false };
  } catch (error) {
    if (!(error instanceof ExchangeError) || error.kind === "credentials") throw error;
    const access: MailboxAccessResult =
      error.kind === "not_found"
        ? "NOT_FOUND"
        : error.kind === "permission"
          ? "ACCESS_DENIED"
          : "ERROR";
    return { email, access, error: error.message, unanswered: error.httpStatus === null };
  }
}

interface MailboxResult {
  email: string;
  access: MailboxAccessResult;
  error: string | null;
  /** The request got no HTTP answer at all. */
  unanswered: boolean;
}
