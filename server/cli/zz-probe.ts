import { startDemo } from "./start-demo.js";
const demo = await startDemo({ port: 0, latencyMs: Number(process.env.LAT ?? 60), messagesPerMailbox: Number(process.env.MSGS ?? 8000), deliverEveryMs: 2000, logLevel: "info" });
const t0 = Date.now();
const q = `query($p: String!, $n: String!) { project(name: $p) { integration(name: $n) { mailboxes { email sync { status phase foldersDone foldersTotal messagesSeen messagesStored startedAt lastSyncedAt currentFolder } } } } }`;
for (let i = 0; i < Number(process.env.SECS ?? 20); i++) {
  const d = await demo.gql<any>(q, { p: demo.project, n: demo.integration.name });
  console.log(((Date.now() - t0) / 1000).toFixed(1), d.project.integration.mailboxes.map((m: any) => `${m.email.slice(0,5)} ${m.sync.status} ${m.sync.foldersDone}/${m.sync.foldersTotal} seen=${m.sync.messagesSeen} st=${m.sync.messagesStored} ${m.sync.currentFolder ?? ""}`).join(" | "));
  await new Promise((r) => setTimeout(r, 1000));
}
const stats = demo.sim.mailboxStats(demo.tenant.mailboxes.alice);
console.log(stats);
console.log(demo.serverLogTail(15));
await demo.stop();
