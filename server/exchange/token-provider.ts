import {
  ConfidentialClientApplication,
  LogLevel,
  type AuthenticationResult,
  type Configuration,
  type INetworkModule,
} from "@azure/msal-node";
import type { AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import { graphScope, type ExchangeConnection } from "./connection.js";
import { ExchangeError, identityError } from "./graph-errors.js";
import { IdentityHttpClient } from "./identity-http.js";
import { defaultOutbound, type OutboundHttp } from "./outbound-http.js";
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-policy.js";

/**
 * Access tokens for Graph through msal-node: client credentials (secret, or certificate whose
 * thumbprint is SHA-1 → `thumbprint` or SHA-256 → `thumbprintSha256`) for application access, the
 * resource-owner password grant for service users.
 *
 * The authority's metadata is given to MSAL instead of discovered: with `knownAuthorities` alone
 * MSAL would GET the OpenID document first, and an unknown tenant would then fail as an opaque
 * `endpoints_resolution_error` instead of the identity platform's AADSTS90002. The endpoints follow
 * the v2.0 layout that every Microsoft cloud uses (`<authority>/oauth2/v2.0/token`).
 *
 * Tokens are cached here and renewed 5 minutes before they expire (as MSAL's own cache does);
 * `refreshAfterRejection` fetches a new one, bypassing MSAL's cache, when Graph refused the current
 * one (401) — once for any number of requests that saw the same rejected token. HTTP-level retries
 * of the identity platform live in IdentityHttpClient.
 */
export interface AccessToken {
  token: string;
  expiresOn: Date;
}

export interface TokenProviderOptions {
  /** Retries of temporary identity-platform failures (network, 5xx, 429). */
  retry?: Partial<RetryOptions>;
  /** Renew this long before expiry (default 300 s, as MSAL does). */
  renewBeforeExpiryMs?: number;
  now?: () => number;
  /** The guarded HTTP for the identity platform (default: public addresses only). */
  outbound?: OutboundHttp;
  /** Scopes asked for (default: Graph's `<graphEndpoint>/.default`; EWS asks for its host's). */
  scopes?: string[];
}

const RENEW_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export class TokenProvider implements AuthenticationProvider {
  private app?: ConfidentialClientApplication;
  private readonly http: IdentityHttpClient;
  private readonly scopes: string[];
  private readonly retry: RetryOptions;
  private readonly now: () => number;
  private readonly renewBeforeExpiryMs: number;
  private current?: AccessToken;
  private inFlight?: Promise<AccessToken>;
  private forceNext = false;

  constructor(
    private readonly connection: ExchangeConnection,
    options: TokenProviderOptions = {},
  ) {
    this.scopes = options.scopes ?? [graphScope(connection)];
    this.retry = { ...DEFAULT_RETRY_OPTIONS, maxAttempts: 4, ...options.retry };
    this.now = options.now ?? Date.now;
    this.renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? RENEW_BEFORE_EXPIRY_MS;
    this.http = new IdentityHttpClient(this.retry, options.outbound ?? defaultOutbound());
  }

  /** For the Graph client's AuthenticationHandler. */
  async getAccessToken(): Promise<string> {
    return (await this.acquire()).token;
  }

  /** A valid token: cached, or acquired now (one acquisition at a time). */
  acquire(): Promise<AccessToken> {
    if (
      !this.forceNext &&
      this.current &&
      this.current.expiresOn.getTime() - this.renewBeforeExpiryMs > this.now()
    ) {
      return Promise.resolve(this.current);
    }
    this.inFlight ??= this.acquireFresh(this.forceNext).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Graph answered 401 to `rejectedToken`: get a new token unless another request already did.
   * Returns the token to retry with.
   */
  refreshAfterRejection(rejectedToken: string | undefined): Promise<AccessToken> {
    if (this.inFlight) return this.inFlight;
    if (!this.current || this.current.token === rejectedToken) this.forceNext = true;
    return this.acquire();
  }

  private async acquireFresh(force: boolean): Promise<AccessToken> {
    try {
      const result = await this.request(force);
      if (!result?.accessToken) {
        throw new ExchangeError(
          "credentials",
          "NoToken",
          null,
          "The identity platform returned no access token",
        );
      }
      const expiresOn = result.expiresOn ?? new Date(this.now() + 3600 * 1000);
      this.current = { token: result.accessToken, expiresOn };
      this.forceNext = false;
      return this.current;
    } catch (error) {
      // MSAL reports a failure of its network client as a bare network_error: ours says why.
      throw this.http.takeFailure() ?? identityError(error);
    }
  }

  private request(force: boolean): Promise<AuthenticationResult | null> {
    const c = this.connection;
    // Built on first use, so a malformed connection surfaces as a rejected acquisition.
    this.app ??= new ConfidentialClientApplication(msalConfiguration(c, this.http));
    if (c.access === "SERVICE_USER") {
      if (!c.serviceUsername || !c.servicePassword) {
        throw new ExchangeError(
          "credentials",
          "MissingServiceUser",
          null,
          "Service-user access needs a username and a password",
        );
      }
      // Deprecated in MSAL, still the only non-interactive flow for service users.
      return this.app.acquireTokenByUsernamePassword({
        scopes: this.scopes,
        username: c.serviceUsername,
        password: c.servicePassword,
      });
    }
    return this.app.acquireTokenByClientCredential({ scopes: this.scopes, skipCache: force });
  }
}

export function msalConfiguration(
  connection: ExchangeConnection,
  networkClient?: INetworkModule,
): Configuration {
  const authority = connection.authorityUrl.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    throw new ExchangeError(
      "credentials",
      "InvalidAuthority",
      null,
      `The authority URL '${authority}' is not a URL`,
    );
  }
  const tenant = url.pathname.split("/").filter(Boolean)[0] ?? "";
  const host = url.host;
  const authorityMetadata = JSON.stringify({
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    issuer: `${url.origin}/${tenant}/v2.0`,
    jwks_uri: `${url.origin}/${tenant}/discovery/v2.0/keys`,
  });
  const cloudDiscoveryMetadata = JSON.stringify({
    tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
  return {
    auth: {
      clientId: connection.clientId,
      authority,
      knownAuthorities: [host],
      authorityMetadata,
      cloudDiscoveryMetadata,
      ...clientCredential(connection),
    },
    system: {
      networkClient,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Error,
        loggerCallback: () => undefined,
      },
    },
  };
}

function clientCredential(
  c: ExchangeConnection,
): Pick<Configuration["auth"], "clientSecret" | "clientCertificate"> {
  if (c.authMethod === "CLIENT_SECRET") {
    if (!c.clientSecret)
      throw new ExchangeError(
        "credentials",
        "MissingClientSecret",
        null,
        "The connection has no client secret",
      );
    return { clientSecret: c.clientSecret };
  }
  const thumbprint = (c.certificateThumbprint ?? "").replace(/[\s:]/g, "");
  if (!c.privateKey || !/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(thumbprint)) {
    throw new ExchangeError(
      "credentials",
      "InvalidCertificateCredential",
      null,
      "A certificate credential needs a PEM private key and the certificate's thumbprint (40 hex digits for SHA-1, 64 for SHA-256)",
    );
  }
  return thumbprint.length === 64
    ? { clientCertificate: { thumbprintSha256: thumbprint, privateKey: c.privateKey } }
    : { clientCertificate: { thumbprint, privateKey: c.privateKey } };
}
