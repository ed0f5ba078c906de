import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { seedDemoTenant } from "./demo-tenant.js";
import { startSimulator } from "./simulator.js";

/**
 * `npm run simulator [-- options]`: starts the simulator standalone with the demo tenant and
 * prints its URLs and credentials. Point the server at it with
 * NODE_EXTRA_CA_CERTS=<ca-dir>/ca.pem (Node reads that variable at start only).
 */
const { values } = parseArgs({
  options: {
    "ca-dir": { type: "string", default: "data/simulator" },
    hostname: { type: "string", default: "localhost" },
    "login-port": { type: "string", default: "0" },
    "graph-port": { type: "string", default: "0" },
    "ews-port": { type: "string", default: "0" },
    "control-port": { type: "string", default: "0" },
    seed: { type: "string", default: "42" },
    messages: { type: "string", default: "500" },
    "extra-mailboxes": { type: "string", default: "0" },
    "latency-ms": { type: "string", default: "0" },
    "token-lifetime": { type: "string", default: "3599" },
    "deliver-every-ms": { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  process.stdout.write(
    [
      "Usage: npm run simulator -- [options]",
      "  --ca-dir DIR            where ca.pem/ca-key.pem live (created if absent; default data/simulator)",
      "  --hostname NAME         host name in the URLs (default localhost)",
      "  --login-port N --graph-port N --ews-port N --control-port N   (default 0: any free port)",
      "  --seed N                seed of the demo tenant (default 42)",
      "  --messages N            messages per licensed mailbox (default 500)",
      "  --extra-mailboxes N     additional licensed mailboxes user01..userNN",
      "  --latency-ms N          added to every request (e.g. 150 for benchmarks)",
      "  --token-lifetime S      expires_in of access tokens (default 3599)",
      "  --deliver-every-ms N    deliver a new message to alice's Inbox every N ms",
      "",
    ].join("\n"),
  );
  process.exit(0);
}

const caDir = resolve(values["ca-dir"]);
const sim = await startSimulator({
  caDir,
  hostname: values.hostname,
  loginPort: Number(values["login-port"]),
  graphPort: Number(values["graph-port"]),
  ewsPort: Number(values["ews-port"]),
  controlPort: Number(values["control-port"]),
  latencyMs: Number(values["latency-ms"]),
  tokenLifetimeSeconds: Number(values["token-lifetime"]),
});
const demo = await seedDemoTenant(sim, {
  seed: Number(values.seed),
  messagesPerMailbox: Number(values.messages),
  extraMailboxes: Number(values["extra-mailboxes"]),
});
const keyFile = join(caDir, "demo-app-key.pem");
const certFile = join(caDir, "demo-app-cert.pem");
await writeFile(keyFile, demo.app.certificate.privateKeyPem, { mode: 0o600 });
await writeFile(certFile, demo.app.certificate.certPem);

const deliverEvery = Number(values["deliver-every-ms"]);
const ticker =
  deliverEvery > 0 ? setInterval(() => sim.deliver(demo.mailboxes.alice), deliverEvery) : undefined;

process.stdout.write(
  `${JSON.stringify(
    {
      loginUrl: sim.loginUrl,
      graphUrl: sim.graphUrl,
      ewsUrl: sim.ewsUrl,
      controlUrl: sim.controlUrl,
      caFile: sim.ca.certFile,
      env: `NODE_EXTRA_CA_CERTS=${sim.ca.certFile ?? ""}`,
      tenantId: demo.tenantId,
      authorityUrl: demo.authorityUrl,
      graphEndpoint: demo.graphEndpoint,
      app: {
        clientId: demo.app.clientId,
        clientSecret: demo.app.clientSecret,
        certificateThumbprintSha1: demo.app.certificate.sha1Thumbprint,
        certificateThumbprintSha256: demo.app.certificate.sha256Thumbprint,
        privateKeyFile: keyFile,
        certificateFile: certFile,
      },
      expiredSecretApp: demo.expiredSecretApp,
      restrictedApp: demo.restrictedApp,
      serviceUser: demo.serviceUser,
      ews: demo.ews,
      mailboxes: demo.mailboxes,
    },
    null,
    2,
  )}\n`,
);

const shutdown = (): void => {
  if (ticker) clearInterval(ticker);
  void sim.stop().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
