import type { ExchangeConnection } from "../../server/exchange/connection.js";
import {
  ExchangeClient,
  type ExchangeClientOptions,
} from "../../server/exchange/exchange-client.js";
import { OutboundHttp } from "../../server/exchange/outbound-http.js";
import type { RetryOptions } from "../../server/exchange/retry-policy.js";
import { parseAllowedHosts } from "../../server/domain/egress-rule.js";
import {
  seedDemoTenant,
  type DemoTenant,
  type Simulator,
  type SimulatorOptions,
} from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";

/**
 * A simulator with the demo tenant, and connections for each way the product authenticates. The
 * clients under test are the real ones: msal-node and the Graph client over HTTPS to loopback.
 */
export type Credential = "secret" | "certificateSha1" | "certificateSha256" | "serviceUser";

/** Backoff short enough for tests; Retry-After is still honoured as Microsoft sends it. */
export const FAST_RETRY: Partial<RetryOptions> = {
  baseDelayMs: 10,
  maxDelayMs: 40,
  requestTimeoutMs: 10_000,
};

export interface ExchangeFixture {
  sim: Simulator;
  demo: DemoTenant;
  /** Guarded HTTP that may reach the simulator on loopback (as MAILSTREAM_ALLOWED_HOSTS would allow). */
  outbound: OutboundHttp;
  connection(credential?: Credential, overrides?: Partial<ExchangeConnection>): ExchangeConnection;
  client(connection?: ExchangeConnection, options?: ExchangeClientOptions): ExchangeClient;
  stop(): Promise<void>;
}

export async function startExchangeFixture(
  options: { messagesPerMailbox?: number; simulator?: SimulatorOptions } = {},
): Promise<ExchangeFixture> {
  const sim = await startTestSimulator(options.simulator);
  const demo = await seedDemoTenant(sim, { messagesPerMailbox: options.messagesPerMailbox ?? 150 });
  const connection = (
    credential: Credential = "secret",
    overrides: Partial<ExchangeConnection> = {},
  ): ExchangeConnection => {
    const base: ExchangeConnection = {
      authorityUrl: demo.authorityUrl,
      clientId: demo.app.clientId,
      authMethod: "CLIENT_SECRET",
      access: "APPLICATION",
      clientSecret: demo.app.clientSecret,
      graphEndpoint: demo.graphEndpoint,
    };
    const cert = demo.app.certificate;
    const byCredential: Record<Credential, Partial<ExchangeConnection>> = {
      secret: {},
      certificateSha1: {
        authMethod: "CERTIFICATE",
        clientSecret: null,
        privateKey: cert.privateKeyPem,
        certificateThumbprint: cert.sha1Thumbprint,
      },
      certificateSha256: {
        authMethod: "CERTIFICATE",
        clientSecret: null,
        privateKey: cert.privateKeyPem,
        certificateThumbprint: cert.sha256Thumbprint,
      },
      serviceUser: {
        access: "SERVICE_USER",
        serviceUsername: demo.serviceUser.username,
        servicePassword: demo.serviceUser.password,
      },
    };
    return { ...base, ...byCredential[credential], ...overrides };
  };
  const outbound = new OutboundHttp({
    allowedHosts: parseAllowedHosts("localhost,127.0.0.1,::1"),
  });
  return {
    sim,
    demo,
    outbound,
    connection,
    client: (conn = connection(), clientOptions = {}) =>
      new ExchangeClient(conn, {
        outbound,
        ...clientOptions,
        retry: { ...FAST_RETRY, ...clientOptions.retry },
      }),
    stop: async () => {
      await outbound.close();
      await sim.stop();
    },
  };
}

/** Requests the simulator saw, by kind. */
export function countRequests(
  sim: Simulator,
  predicate: (path: string, target: "graph" | "identity") => boolean,
): number {
  return sim.requestLog.filter((e) => predicate(e.path, e.target)).length;
}

export const isTokenRequest = (path: string, target: "graph" | "identity"): boolean =>
  target === "identity" && path.endsWith("/oauth2/v2.0/token");
