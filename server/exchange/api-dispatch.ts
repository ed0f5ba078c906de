import type {
  CredentialCheckResult,
  CredentialChecker,
  DestinationRefusal,
  ResolvedConnection,
} from "../integrations/credential-checker.js";
import type { MailSource } from "../sync/mail-source.js";
import { GraphCredentialChecker } from "./credential-check.js";
import type { ExchangeClientOptions } from "./exchange-client.js";
import { EwsCredentialChecker } from "./ews/ews-credential-check.js";
import { createEwsMailSourceFactory } from "./ews/ews-mail-source.js";
import { EwsPrincipals, type EwsOptions } from "./ews/ews-principals.js";
import { createGraphMailSourceFactory } from "./graph-mail-source.js";

/**
 * The integration's `api` picks the Microsoft API: one mail-source factory and one credential
 * checker for both, so the sync engine and the services never know which one they talk to (and a
 * migration EWS ⇄ GRAPH is just a connection whose `api` changed).
 */
export interface ExchangeOptions extends ExchangeClientOptions {
  ews?: Omit<EwsOptions, "outbound">;
}

export type MailSourceFactoryWithEws = ((connection: ResolvedConnection) => MailSource) & {
  ews: ReturnType<typeof createEwsMailSourceFactory>;
};

export function createMailSourceFactory(options: ExchangeOptions = {}): MailSourceFactoryWithEws {
  const { ews: ewsOptions, ...graphOptions } = options;
  const graph = createGraphMailSourceFactory(graphOptions);
  const ews = createEwsMailSourceFactory({
    retry: options.retry,
    ...ewsOptions,
    outbound: options.outbound,
  });
  const factory = (connection: ResolvedConnection): MailSource =>
    connection.api === "EWS" ? ews(connection) : graph(connection);
  return Object.assign(factory, { ews });
}

export class ExchangeCredentialChecker implements CredentialChecker {
  private readonly graph: GraphCredentialChecker;
  private readonly ews: EwsCredentialChecker;

  constructor(options: ExchangeOptions = {}) {
    const { ews, ...graphOptions } = options;
    this.graph = new GraphCredentialChecker(graphOptions);
    this.ews = new EwsCredentialChecker({
      retry: options.retry,
      ...ews,
      outbound: options.outbound,
    });
  }

  check(connection: ResolvedConnection, mailboxes: string[]): Promise<CredentialCheckResult> {
    return connection.api === "EWS"
      ? this.ews.check(connection, mailboxes)
      : this.graph.check(connection, mailboxes);
  }

  /** Only the hosts the connection uses: EWS never reaches the Graph endpoint. */
  refusedDestination(
    connection: Pick<ResolvedConnection, "api" | "authorityUrl" | "graphEndpoint" | "ewsUrl">,
  ): Promise<DestinationRefusal | null> {
    const ews = connection.api === "EWS";
    return this.graph.refusedDestination({
      authorityUrl: connection.authorityUrl,
      graphEndpoint: ews ? "" : connection.graphEndpoint,
      ewsUrl: ews ? connection.ewsUrl : null,
    });
  }
}

/**
 * The credential checker and the mail-source factory of one server, sharing one registry of EWS
 * principals (budgets, back-offs) and the caller's outbound guard and retry options.
 */
export function createExchange(options: ExchangeOptions = {}): {
  credentialChecker: ExchangeCredentialChecker;
  mailSourceFactory: MailSourceFactoryWithEws;
  ewsPrincipals: EwsPrincipals;
} {
  const ewsPrincipals =
    options.ews?.principals ??
    new EwsPrincipals({
      retry: options.retry,
      ...options.ews,
      outbound: options.outbound,
      metrics: options.metrics,
    });
  const shared: ExchangeOptions = {
    ...options,
    ews: { ...options.ews, principals: ewsPrincipals },
  };
  return {
    credentialChecker: new ExchangeCredentialChecker(shared),
    mailSourceFactory: createMailSourceFactory(shared),
    ewsPrincipals,
  };
}
