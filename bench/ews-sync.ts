// EWS sync throughput (issue "EWS for self-hosted Exchange"); results in bench/README.md.
//   npm run bench:ews                MESSAGES=10000 by default
// In one run, against the simulator's EWS host (NTLMv2, no added latency):
// - bare pager: the same SOAP pages the sync asks for — per folder SyncFolderItems walked to its
//   SyncState, then FindItem pages and their GetItem batches — with the product's EWS client
//   (same principal budget, same connections), discarding the results;
// - mailstream: the real server (in process) syncing the same mailbox through the public API;
// printed: the ratio mailstream/bare (target >= 0.5) and NTLM handshakes per 1,000 requests.
import { simulatorCaDir } from "./simulator-ca.js";
import { parseAllowedHosts } from "../server/domain/egress-rule.js";
import { EwsMailSource } from "../server/exchange/ews/ews-mail-source.js";
import { EwsPrincipals } from "../server/exchange/ews/ews-principals.js";
import { OutboundHttp } from "../server/exchange/index.js";
import { BASELINE_PAGE_SIZE, PAGE_SIZE } from "../server/sync/folder-sync.js";
import { startSimulator, type Simulator } from "../simulator/index.js";
import { startTestServer } from "../test/support/test-server.js";

const FOLDERS = Array.from({ length: 8 }, (_, i) => ({ path: [`Folder ${i + 1}`], weight: 1 }));
const SIMULATOR_HOSTS = "localhost,127.0.0.1,::1";

function tenantWith(sim: Simulator, messages: number) {
  const tenant = sim.addTenant({ name: "bench", domains: ["bench.example"], seed: 11 });
  const email = "big@bench.example";
  tenant.addMailbox({
    email,
    messages,
    folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 0 }, ...FOLDERS],
  });
  const password = "Bench-Passw0rd!";
  tenant.addServiceUser({ upn: "svc@bench.example", password, fullAccessTo: [email] });
  const connection = {
    api: "EWS" as const,
    authMethod: "NTLM" as const,
    access: "SERVICE_USER" as const,
    authorityUrl: null,
    clientId: null,
    graphEndpoint: "https://graph.microsoft.com",
    ewsUrl: sim.ewsUrl,
    serviceUsername: "svc@bench.example",
    servicePassword: password,
    certificateThumbprint: null,
  };
  return { email, connection };
}

/** The sync's SOAP pages with the product's client, 4 folder workers as the engine runs them. */
async function barePager(email: string, connection: ReturnType<typeof tenantWith>["connection"]) {
  const outbound = new OutboundHttp({ allowedHosts: parseAllowedHosts(SIMULATOR_HOSTS) });
  const principals = new EwsPrincipals({ outbound });
  const source = new EwsMailSource(principals.client(connection));
  const folders = (await source.listFolders(email)).filter((f) => !f.isSearchFolder);
  const started = performance.now();
  let count = 0;
  const queue = [...folders];
  const worker = async () => {
    for (let folder = queue.shift(); folder; folder = queue.shift()) {
      let link: string | null = null;
      do {
        const page = await source.deltaPage(email, folder.id, {
          link,
          receivedFrom: null,
          pageSize: BASELINE_PAGE_SIZE,
          idsOnly: true,
        });
        link = page.nextLink;
      } while (link);
      let from: Date | null = null;
      const seen = new Set<string>();
      for (;;) {
        const page = await source.listPage(email, folder.id, {
          receivedFrom: from,
          receivedBefore: null,
          top: PAGE_SIZE,
          expandAttachments: true,
        });
        for (const m of page.messages) {
          if (seen.has(m.id)) continue;
          seen.add(m.id);
          count++;
        }
        if (page.messages.length < PAGE_SIZE) break;
        from = page.messages.at(-1)!.receivedAt;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const seconds = (performance.now() - started) / 1000;
  const handshakes = principals.all().reduce((n, p) => n + p.handshakes(), 0);
  const requests = principals.all().reduce((n, p) => n + p.requests(), 0);
  await principals.close();
  await outbound.close();
  return { count, seconds, handshakes, requests };
}

async function syncWithMailstream(
  email: string,
  connection: ReturnType<typeof tenantWith>["connection"],
) {
  const server = await startTestServer({
    env: { LOG_LEVEL: "warn", MAILSTREAM_SYNC_INTERVAL: "3600" },
  });
  await server.ok(`mutation { createProject(input: { name: "bench" }) { id } }`);
  const started = performance.now();
  const created = await server.ok<{ createIntegration: { mailboxes: { id: string }[] } }>(
    `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { mailboxes { id } } }`,
    {
      input: { project: "bench", name: "bench", connection, mailboxes: [{ email, allTime: true }] },
    },
  );
  const id = created.createIntegration.mailboxes[0]!.id;
  let stored = 0;
  for (;;) {
    const { mailbox } = await server.ok<{
      mailbox: { sync: { status: string; messagesStored: number } };
    }>(`query($id: ID!) { mailbox(id: $id) { sync { status messagesStored } } }`, { id });
    stored = mailbox.sync.messagesStored;
    if (mailbox.sync.status === "UP_TO_DATE" || mailbox.sync.status === "FAILED") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const principals = server.ewsPrincipals.all();
  const handshakes = principals.reduce((n, p) => n + p.handshakes(), 0);
  const requests = principals.reduce((n, p) => n + p.requests(), 0);
  const connections = principals.reduce((n, p) => n + p.connections.length, 0);
  await server.stop();
  return { stored, seconds, handshakes, requests, connections };
}

async function run(caDir: string) {
  const sim = await startSimulator({ caDir });
  const { email, connection } = tenantWith(sim, Number(process.env.MESSAGES ?? 10_000));
  await barePager(email, connection); // fills the simulator's render cache, untimed
  const bare = await barePager(email, connection);
  const mailstream = await syncWithMailstream(email, connection);
  await sim.stop();
  const bareRate = bare.count / bare.seconds;
  const rate = mailstream.stored / mailstream.seconds;
  console.log(
    `bare EWS pager: ${bare.count} messages in ${bare.seconds.toFixed(1)} s = ${Math.round(bareRate)} msg/s (${bare.requests} requests, ${bare.handshakes} NTLM handshakes)`,
  );
  console.log(
    `mailstream over EWS: ${mailstream.stored} messages stored in ${mailstream.seconds.toFixed(1)} s = ${Math.round(rate)} msg/s`,
  );
  console.log(`ratio mailstream/bare: ${(rate / bareRate).toFixed(2)} (target >= 0.5)`);
  console.log(
    `NTLM handshakes: ${mailstream.handshakes} over ${mailstream.requests} requests on ${mailstream.connections} connections = ${((mailstream.handshakes / mailstream.requests) * 1000).toFixed(2)} per 1,000 requests (target: at most 1 per connection)`,
  );
}

async function main() {
  const caDir = await simulatorCaDir(import.meta.url);
  await run(caDir);
}

await main();
