import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bucketMessages,
  createIntegration,
  startSyncEnv,
  type SyncEnv,
  waitForFreshRound,
  waitForMailbox,
} from "../support/sync-env.js";
import { ADMIN_TOKEN } from "../support/test-server.js";

let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 300 });
  await env.server.ok(`mutation { createProject(input: { name: "files" }) { id } }`);
});
afterAll(() => env.stop());

let metadataOnly: { id: string; bucket: { id: string } };

async function sync(name: string, email: string, syncAttachments: boolean) {
  const created = await createIntegration(env, {
    project: "files",
    name,
    mailboxes: [{ email, allTime: true, syncAttachments }],
  });
  const mailbox = created.mailboxes[0]!;
  await waitForMailbox(env.server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
  if (!syncAttachments) metadataOnly = mailbox;
  return bucketMessages(env.server, mailbox.bucket.id);
}

const unitsCharged = async () =>
  (
    await env.server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "files") { usage { unitsCharged } } }`,
    )
  ).project.usage.unitsCharged;

describe("attachments", () => {
  it("stores metadata always, contents with syncAttachments, each content once, downloadable by reference", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.alice;
    const inlineOnly = sim.deliver(email, {
      subject: "logo inline",
      body: { contentType: "html", content: '<p>Hi <img src="cid:logo@x"></p>' },
      attachments: [
        {
          name: "logo.png",
          contentType: "image/png",
          content: Buffer.from("PNGDATA"),
          isInline: true,
          contentId: "logo@x",
        },
      ],
    });
    const stored = await sync("with-contents", email, true);
    const truth = [...sim.groundTruth(email)].filter(
      (m) => m.attachments.length > 0 && (m.hasAttachments || m.id === inlineOnly.id),
    );
    expect(truth.length).toBeGreaterThan(5);
    const byId = new Map(stored.map((m) => [m.internetMessageId, m]));
    const kinds = new Set<string>();
    for (const message of truth) {
      const got = byId.get(message.internetMessageId);
      expect(got, message.subject).toBeDefined();
      expect(got!.attachments.map((a) => a.name).sort()).toEqual(
        message.attachments.map((a) => a.name).sort(),
      );
      for (const attachment of message.attachments) {
        kinds.add(attachment.kind);
        const mine = got!.attachments.find((a) => a.name === attachment.name)!;
        expect(mine.inline).toBe(attachment.isInline);
        expect(mine.size).toBe(attachment.size);
        const contentType =
          attachment.contentType ??
          (attachment.kind === "item" ? "message/rfc822" : "application/octet-stream");
        expect(mine.contentType).toBe(contentType);
        if (attachment.kind === "reference") {
          expect(mine.reference).toBeNull();
          continue;
        }
        expect(mine.reference).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const response = await fetch(`${server.url}/attachments/${mine.reference}`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        expect(response.status).toBe(200);
        const bytes = Buffer.from(await response.arrayBuffer());
        if (attachment.kind === "file")
          expect(bytes.equals(sim.attachmentContent(email, message.id, attachment.id))).toBe(true);
      }
    }
    expect(kinds).toEqual(new Set(["file", "item", "reference"]));
    // Content-addressed: the same bytes are one blob however many messages carry them.
    const blobs = (await server.app.deps.db.dataSource.query(
      `SELECT COUNT(*) AS n FROM attachment_blob`,
    )) as { n: number | string }[];
    const distinct = (await server.app.deps.db.dataSource.query(
      `SELECT COUNT(DISTINCT content_sha256) AS n FROM attachment WHERE content_sha256 IS NOT NULL`,
    )) as { n: number | string }[];
    expect(Number(blobs[0]!.n)).toBe(Number(distinct[0]!.n));
  });

  it("without syncAttachments keeps metadata only (no reference, no contents fetched)", async () => {
    const { sim, tenant } = env;
    const email = tenant.mailboxes.bob;
    const stored = await sync("metadata-only", email, false);
    const withAttachments = stored.filter((m) => m.attachments.length > 0);
    expect(withAttachments.length).toBeGreaterThan(5);
    expect(withAttachments.flatMap((m) => m.attachments).every((a) => a.reference === null)).toBe(
      true,
    );
    const requests = sim.requestLog.filter((r) => r.target === "graph" && r.mailbox === email);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.path.includes("/$value")).length).toBe(0);
  });

  it("turned on later, fetches the contents of mail already synced on a resync, charging nothing", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.bob;
    const before = await bucketMessages(server, metadataOnly.bucket.id);
    const units = await unitsCharged();
    await server.ok(
      `mutation($id: ID!) { updateMailbox(id: $id, input: { syncAttachments: true }) { id } }`,
      { id: metadataOnly.id },
    );
    const since = Date.now();
    await server.ok(`mutation($id: ID!) { resyncMailbox(id: $id) { id } }`, {
      id: metadataOnly.id,
    });
    await waitForFreshRound(server, metadataOnly.id, 60_000, since);

    const after = await bucketMessages(server, metadataOnly.bucket.id);
    const ids = (list: typeof before) => list.map((m) => m.internetMessageId).sort();
    expect(after.length).toBeGreaterThan(0);
    expect(ids(after)).toEqual(ids(before));
    expect(await unitsCharged()).toBe(units);
    const truth = new Map([...sim.groundTruth(email)].map((m) => [m.internetMessageId, m]));
    let downloaded = 0;
    for (const message of after) {
      for (const mine of message.attachments) {
        const original = truth
          .get(message.internetMessageId)!
          .attachments.find((a) => a.name === mine.name)!;
        if (original.kind === "reference") {
          expect(mine.reference).toBeNull();
          continue;
        }
        expect(mine.reference, `${message.subject}: ${mine.name}`).toMatch(/^[A-Za-z0-9_-]{43}$/);
        if (original.kind !== "file" || downloaded >= 5) continue;
        const response = await fetch(`${server.url}/attachments/${mine.reference}`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        const bytes = Buffer.from(await response.arrayBuffer());
        const id = truth.get(message.internetMessageId)!.id;
        expect(bytes.equals(sim.attachmentContent(email, id, original.id))).toBe(true);
        downloaded++;
      }
    }
    expect(downloaded).toBe(5);
  });
});
