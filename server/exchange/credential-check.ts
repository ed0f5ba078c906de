import { describeEgressRefusal } from "../domain/egress-rule.js";
import type {
  CredentialCheckResult,
  CredentialChecker,
  DestinationRefusal,
  ResolvedConnection,
} from "../integrations/credential-checker.js";
import type { ExchangeConnection } from "./connection.js";
import { ExchangeClient, type ExchangeClientOptions } from "./exchange-client.js";
import { defaultOutbound } from "./outbound-http.js";

/**
 * "Validate & save credentials" over the exchange client: acquire a token with the configured
 * method, then prove each mailbox readable with a mail request. A person waits for this answer,
 * so retries are few and a long Retry-After is reported rather than waited for.
 */
const CHECK_RETRY = { maxAttempts: 3, maxRetryAfterMs: 5_000, requestTimeoutMs: 30_000 };

export class GraphCredentialChecker implements CredentialChecker {
  constructor(private readonly options: ExchangeClientOptions = {}) {}

  async refusedDestination(
    connection: Pick<ResolvedConnection, "authorityUrl" | "graphEndpoint" | "ewsUrl">,
  ): Promise<DestinationRefusal | null> {
    const outbound = this.options.outbound ?? defaultOutbound();
    // The hosts are resolved at once; the first refusal in field order is the one reported.
    const refusals = await Promise.all(
      HOST_FIELDS.map((field) => {
        const url = connection[field];
        return url ? outbound.refusalFor(url) : null;
      }),
    );
    const i = refusals.findIndex((refusal) => refusal !== null);
    if (i < 0) return null;
    const field = HOST_FIELDS[i]!;
    return { field, message: `${HOST_NAMES[field]} ${describeEgressRefusal(refusals[i]!)}` };
  }

  async check(connection: ResolvedConnection, mailboxes: string[]): Promise<CredentialCheckResult> {
    const unsupported = unsupportedReason(connection);
    if (unsupported)
      return {
        status: "INVALID",
        error: unsupported,
        mailboxes: notChecked(mailboxes, unsupported),
      };
    const client = new ExchangeClient(toExchangeConnection(connection), {
      ...this.options,
      retry: { ...CHECK_RETRY, ...this.options.retry },
    });
    const token = await client.acquireToken();
    if (!token.ok) {
      return {
        status: "INVALID",
        error: token.message,
        mailboxes: notChecked(mailboxes, "Not checked: no access token"),
      };
    }
    const checks = await Promise.all(mailboxes.map((email) => client.checkMailbox(email)));
    return {
      status: "VALID",
      error: null,
      mailboxes: checks.map((c) => ({ email: c.email, access: c.access, error: c.error })),
    };
  }
}

const HOST_FIELDS = ["authorityUrl", "graphEndpoint", "ewsUrl"] as const;
const HOST_NAMES: Record<(typeof HOST_FIELDS)[number], string> = {
  authorityUrl: "The authority URL's host",
  graphEndpoint: "The Graph endpoint's host",
  ewsUrl: "The EWS URL's host",
};

export function toExchangeConnection(c: ResolvedConnection): ExchangeConnection {
  // Graph always signs in through an identity platform: the connection rules require both.
  if (c.authorityUrl === null || c.clientId === null) {
    throw new Error("A Graph connection needs authorityUrl and clientId");
  }
  return {
    authorityUrl: c.authorityUrl,
    clientId: c.clientId,
    authMethod: c.authMethod === "CERTIFICATE" ? "CERTIFICATE" : "CLIENT_SECRET",
    access: c.access,
    clientSecret: c.clientSecret ?? null,
    privateKey: c.privateKey ?? null,
    certificateThumbprint: c.certificateThumbprint,
    serviceUsername: c.serviceUsername,
    servicePassword: c.servicePassword ?? null,
    graphEndpoint: c.graphEndpoint,
  };
}

function unsupportedReason(c: ResolvedConnection): string | null {
  if (c.api !== "GRAPH")
    return "Only Microsoft Graph connections can be validated; EWS is not supported by this server";
  if (c.authMethod === "NTLM") return "NTLM is not supported with Microsoft Graph";
  return null;
}

function notChecked(mailboxes: string[], reason: string): CredentialCheckResult["mailboxes"] {
  return mailboxes.map((email) => ({ email, access: "ERROR" as const, error: reason }));
}
