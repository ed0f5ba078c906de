import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  issueServerCertificate,
  loadOrCreateCertificateAuthority,
} from "../../simulator/certificates.js";
import { seedDemoTenant, type DemoTenant, type Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import {
  CREATE,
  type CredentialCheckView,
  type IntegrationView,
  READ,
  UPDATE_CONNECTION,
  VALIDATE,
  expectRefused,
  secretConnection,
} from "../support/integration-api.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Hardening finding 3 — outbound connections (DOMAIN.md): integrations reach public addresses
 * only, checked on the address actually connected to, unless MAILSTREAM_ALLOWED_HOSTS allows the
 * host by name or network; redirects are not followed; a silent host cannot hold a request.
 * Every destination here is a listener of the test's own on loopback, counting its connections.
 */

interface Listener {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** Accepts connections and never says a word (no TLS handshake, no HTTP). */
async function silentListener(): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    listener.connections++;
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  const listener = await listen(server, () => sockets.forEach((s) => s.destroy()));
  return listener;
}

/** HTTPS with the simulator's CA: answers every request with `status`, or never (status null). */
async function httpsListener(status: number | null, location?: string): Promise<Listener> {
  const ca = await loadOrCreateCertificateAuthority(process.env.MAILSTREAM_SIMULATOR_CA_DIR!);
  const tls = await issueServerCertificate(ca, ["localhost", "127.0.0.1"]);
  const sockets = new Set<Socket>();
  const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    req.resume();
    if (status === null) return; // holds the request: headers never come
    res.writeHead(status, location ? { location } : {}).end();
  });
  server.on("connection", (socket: Socket) => {
    listener.connections++;
    sockets.add(socket);
  });
  const listener = await listen(server, () => sockets.forEach((s) => s.destroy()));
  return listener;
}

async function listen(server: Server, destroyAll: () => void): Promise<Listener> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}

let sim: Simulator;
let tenant: DemoTenant;
const servers: TestServer[] = [];
const listeners: Listener[] = [];

async function server(env: Record<string, string>, timeouts = {}): Promise<TestServer> {
  const s = await startTestServer({
    env,
    outbound: timeouts,
    exchange: { retry: { baseDelayMs: 20, maxDelayMs: 100 } },
  });
  servers.push(s);
  await s.ok(`mutation { createProject(input: { name: "egress" }) { id } }`);
  return s;
}

async function listener(made: Promise<Listener>): Promise<Listener> {
  const l = await made;
  listeners.push(l);
  return l;
}

beforeAll(async () => {
  sim = await startTestSimulator();
  tenant = await seedDemoTenant(sim, { messagesPerMailbox: 5 });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(listeners.map((l) => l.close()));
  await sim?.stop();
});

const connection = (overrides: Record<string, unknown> = {}) => ({
  ...secretConnection(tenant),
  ...overrides,
});

async function validate(s: TestServer, c: Record<string, unknown>): Promise<CredentialCheckView> {
  return (
    await s.ok<{ validateCredentials: CredentialCheckView }>(VALIDATE, {
      connection: c,
      mailboxes: [tenant.mailboxes.alice],
    })
  ).validateCredentials;
}

describe("a host on a refused address", () => {
  // Allows something else entirely: loopback is not allowed on this server.
  const PUBLIC = "https://20.190.151.7";
  const NARROW = { MAILSTREAM_ALLOWED_HOSTS: "mail.internal.example,10.20.0.0/16" };

  it("is refused by createIntegration before anything is saved or sent", async () => {
    const s = await server(NARROW);
    const trap = await listener(silentListener());
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { authorityUrl: `https://127.0.0.1:${trap.port}/contoso.onmicrosoft.com` },
        "input.connection.authorityUrl",
        /authority URL's host 127\.0\.0\.1 is a loopback address/,
      ],
      [
        // A public authority (an address of Microsoft's sign-in range: checked, never contacted).
        { authorityUrl: `${PUBLIC}/contoso.com`, graphEndpoint: `https://[::1]:${trap.port}` },
        "input.connection.graphEndpoint",
        /Graph endpoint's host ::1 is a loopback address/,
      ],
      [
        {
          api: "EWS",
          authMethod: "NTLM",
          access: "SERVICE_USER",
          authorityUrl: null,
          clientId: null,
          clientSecret: null,
          serviceUsername: "svc@contoso.com",
          servicePassword: "pw",
          graphEndpoint: PUBLIC,
          ewsUrl: `https://[::ffff:127.0.0.1]:${trap.port}/EWS/Exchange.asmx`,
        },
        "input.connection.ewsUrl",
        /EWS URL's host .* is a loopback address/,
      ],
    ];
    for (const [overrides, field, message] of cases) {
      await expectRefused(
        s,
        CREATE,
        {
          input: {
            project: "egress",
            name: "refused",
            connection: connection(overrides),
            mailboxes: [{ email: tenant.mailboxes.alice, allTime: true }],
          },
        },
        { code: "BAD_USER_INPUT", field, message: [message, "MAILSTREAM_ALLOWED_HOSTS"] },
      );
    }
    expect(trap.connections).toBe(0);
  });

  it("is refused after DNS: a name that resolves to 127.0.0.1 is judged by that address", async () => {
    const s = await server(NARROW);
    const trap = await listener(silentListener());
    await expectRefused(
      s,
      VALIDATE,
      {
        connection: connection({ authorityUrl: `https://localhost:${trap.port}/contoso.com` }),
        mailboxes: [tenant.mailboxes.alice],
      },
      {
        code: "BAD_USER_INPUT",
        field: "connection.authorityUrl",
        message: [
          "localhost resolves to 127.0.0.1, a loopback address",
          "add localhost or 127.0.0.1 to it",
          "MAILSTREAM_ALLOWED_HOSTS",
        ],
      },
    );
    // The real simulator, on loopback as well, is refused just the same and hears nothing.
    const heardBefore = sim.requestLog.length;
    await expectRefused(
      s,
      VALIDATE,
      { connection: connection(), mailboxes: [tenant.mailboxes.alice] },
      { code: "BAD_USER_INPUT", field: "connection.authorityUrl" },
    );
    expect(trap.connections).toBe(0);
    expect(sim.requestLog.length).toBe(heardBefore);
  });

  it("is let through when MAILSTREAM_ALLOWED_HOSTS names the host or its network", async () => {
    for (const allowed of ["localhost", "127.0.0.0/8", "::ffff:127.0.0.1"]) {
      const s = await server({ MAILSTREAM_ALLOWED_HOSTS: allowed });
      const check = await validate(s, connection());
      expect(check, allowed).toMatchObject({ status: "VALID", error: null });
      expect(check.mailboxes[0]).toMatchObject({ access: "ACCESSIBLE" });
    }
  });

  it("refuses updateIntegrationConnection to such a host and keeps the stored connection", async () => {
    // localhost is allowed by name; 127.0.0.1 written as an address is not.
    const s = await server({ MAILSTREAM_ALLOWED_HOSTS: "localhost" });
    const trap = await listener(silentListener());
    const created = (
      await s.ok<{ createIntegration: IntegrationView }>(CREATE, {
        input: { project: "egress", name: "stored", enabled: false, connection: connection() },
      })
    ).createIntegration;
    expect(created.credentials.status).toBe("VALID");
    await expectRefused(
      s,
      UPDATE_CONNECTION,
      {
        id: created.id,
        connection: connection({ graphEndpoint: `https://127.0.0.1:${trap.port}` }),
      },
      {
        code: "BAD_USER_INPUT",
        field: "connection.graphEndpoint",
        message: ["127.0.0.1 is a loopback address", "MAILSTREAM_ALLOWED_HOSTS"],
      },
    );
    expect(trap.connections).toBe(0);
  });

  it("disables a syncing integration with SYNC_ERROR once its host is no longer allowed", async () => {
    const first = await startTestServer({ env: { MAILSTREAM_SYNC_INTERVAL: "1" } });
    await first.ok(`mutation { createProject(input: { name: "egress" }) { id } }`);
    const created = (
      await first.ok<{ createIntegration: IntegrationView }>(CREATE, {
        input: {
          project: "egress",
          name: "syncing",
          connection: connection(),
          mailboxes: [{ email: tenant.mailboxes.bob, allTime: true }],
        },
      })
    ).createIntegration;
    expect(created.enabled).toBe(true);
    // The operator narrows the allow list: the simulator's loopback address is refused from now on.
    const s = await first.restart({
      env: { MAILSTREAM_SYNC_INTERVAL: "1", MAILSTREAM_ALLOWED_HOSTS: "mail.internal.example" },
    });
    servers.push(s);
    let integration: IntegrationView | null = null;
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      integration = (await s.ok<{ integration: IntegrationView }>(READ, { id: created.id }))
        .integration;
      if (!integration.enabled) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(integration).toMatchObject({ enabled: false, disabledReason: "SYNC_ERROR" });
    expect(integration!.lastError).toMatch(
      /authority URL's host localhost resolves to 127\.0\.0\.1, a loopback address.*MAILSTREAM_ALLOWED_HOSTS/,
    );
  });
});

describe("redirects and silent hosts", () => {
  const LOOPBACK = { MAILSTREAM_ALLOWED_HOSTS: "localhost,127.0.0.1,::1" };

  it("does not follow a 307 to http://: the secret is not re-sent, the check reports it", async () => {
    const s = await server(LOOPBACK);
    const target = await listener(silentListener());
    const redirect = await listener(
      httpsListener(307, `http://127.0.0.1:${target.port}/oauth2/v2.0/token`),
    );
    const check = await validate(
      s,
      connection({ authorityUrl: `https://localhost:${redirect.port}/contoso.com` }),
    );
    expect(check.status).toBe("INVALID");
    expect(check.error).toMatch(
      new RegExp(
        `authority URL's host https://localhost:${redirect.port} answered HTTP 307, a redirect to http://127\\.0\\.0\\.1:${target.port}; redirects are not followed`,
      ),
    );
    expect(redirect.connections).toBeGreaterThan(0);
    expect(target.connections).toBe(0);

    // The same for Graph: a valid token, then a mail request answered with a redirect.
    sim.addFault({
      target: "graph",
      pathIncludes: "/mailFolders/inbox",
      action: {
        type: "status",
        status: 307,
        location: `http://127.0.0.1:${target.port}/v1.0/users/alice/mailFolders/inbox`,
      },
    });
    const graph = await validate(s, connection());
    expect(graph.status).toBe("VALID");
    expect(graph.mailboxes[0]!.access).toBe("ERROR");
    expect(graph.mailboxes[0]!.error).toMatch(
      /Graph endpoint's host https:\/\/localhost:\d+ answered HTTP 307, a redirect to http:\/\/127\.0\.0\.1:\d+; redirects are not followed/,
    );
    expect(target.connections).toBe(0);
  });

  it("ends a request to a host that accepts and never answers within the time limits", async () => {
    const s = await server(LOOPBACK, { connectTimeoutMs: 1_000, headersTimeoutMs: 1_000 });
    const noTls = await listener(silentListener());
    const noAnswer = await listener(httpsListener(null));
    for (const [trap, pattern] of [
      [noTls, /Could not reach the identity platform: .*Connect Timeout/i],
      [noAnswer, /Could not reach the identity platform: .*Headers Timeout/i],
    ] as const) {
      const started = Date.now();
      const check = await validate(
        s,
        connection({ authorityUrl: `https://localhost:${trap.port}/contoso.com` }),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(check.status).toBe("INVALID");
      expect(check.error).toMatch(pattern);
      // 3 attempts of 1–2 s each (undici's timers tick coarsely) plus short backoff; without the
      // connect and header limits each attempt would wait for its 30 s request timeout.
      expect(seconds).toBeLessThan(15);
      expect(trap.connections).toBeGreaterThan(0);
    }
  });
});
