import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExchangeClient, ExchangeDeltaPage } from "../../server/exchange/exchange-client.js";
import { createGraphMailSourceFactory } from "../../server/exchange/graph-mail-source.js";
import type { ResolvedConnection } from "../../server/integrations/credential-checker.js";
import type { TruthMessage } from "../../simulator/index.js";
import { startExchangeFixture, type ExchangeFixture } from "./exchange-fixture.js";

let fx: ExchangeFixture;
let client: ExchangeClient;
const big = "archive@contoso.com";

beforeAll(async () => {
  fx = await startExchangeFixture({ messagesPerMailbox: 400 });
  fx.sim.tenant(fx.demo.tenantId).addMailbox({
    email: big,
    messages: 6200,
    receivedFrom: new Date("2024-01-01T00:00:00Z"),
    receivedTo: new Date("2024-12-01T00:00:00Z"),
    folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 1 }],
  });
  client = fx.client();
});

afterAll(() => fx.stop());

function inboxTruth(email: string): TruthMessage[] {
  return [...fx.sim.groundTruth(email)].filter((m) => m.folderPath.at(-1) === "Inbox");
}

async function wholeRound(
  email: string,
  folderId: string,
  first: { link?: string; receivedFrom?: Date; pageSize: number; select?: string[] },
): Promise<{ pages: ExchangeDeltaPage[]; deltaLink: string }> {
  const pages: ExchangeDeltaPage[] = [];
  let page = await client.deltaPage(email, folderId, first);
  pages.push(page);
  while (page.nextLink) {
    page = await client.deltaPage(email, folderId, {
      link: page.nextLink,
      pageSize: first.pageSize,
    });
    pages.push(page);
  }
  if (!page.deltaLink) throw new Error("round ended without a deltaLink");
  return { pages, deltaLink: page.deltaLink };
}

describe("delta", () => {
  it("pages a folder, maps every stored field, and ends with a deltaLink", async () => {
    const email = fx.demo.mailboxes.alice;
    const inbox = fx.sim.folders(email).find((f) => f.wellKnownName === "inbox");
    const { pages } = await wholeRound(email, inbox?.id ?? "", { pageSize: 25 });
    const messages = pages.flatMap((p) => p.messages);
    const truth = new Map(inboxTruth(email).map((m) => [m.id, m]));
    expect(pages.length).toBe(Math.ceil(truth.size / 25));
    expect(messages.map((m) => m.id).sort()).toEqual([...truth.keys()].sort());
    for (const m of messages) {
      const t = truth.get(m.id);
      expect(m.internetMessageId).toBe(t?.internetMessageId);
      expect(m.conversationId).toBe(t?.conversationId);
      expect(m.subject).toBe(t?.subject);
      expect(m.receivedAt.toISOString().replace(".000Z", "Z")).toBe(t?.receivedDateTime);
      expect(m.sentAt?.toISOString().replace(".000Z", "Z")).toBe(t?.sentDateTime);
      expect(m.from?.address).toBe(t?.from.address);
      expect(m.sender?.address).toBe(t?.sender.address);
      expect(m.to.map((p) => p.address)).toEqual(t?.toRecipients.map((p) => p.address));
      expect(m.cc.map((p) => p.address)).toEqual(t?.ccRecipients.map((p) => p.address));
      expect(m.bcc.map((p) => p.address)).toEqual(t?.bccRecipients.map((p) => p.address));
      expect({ contentType: m.bodyType, content: m.body }).toEqual(t?.body);
      expect(m.hasAttachments).toBe(t?.hasAttachments);
      expect(t?.folderId).toBe(inbox?.id);
    }
  });

  it("reports new, changed, moved-out and deleted messages in the next round", async () => {
    const email = fx.demo.mailboxes.bob;
    const inboxId = fx.sim.folders(email).find((f) => f.wellKnownName === "inbox")?.id ?? "";
    const first = await wholeRound(email, inboxId, { pageSize: 100 });
    const [moved, deleted] = inboxTruth(email);
    const delivered = [
      fx.sim.deliver(email, { subject: "one" }),
      fx.sim.deliver(email, { subject: "two" }),
    ];
    fx.sim.moveMessage(email, moved?.id ?? "", ["Inbox", "Orders"]);
    fx.sim.deleteMessage(email, deleted?.id ?? "");

    const second = await wholeRound(email, inboxId, { link: first.deltaLink, pageSize: 1 });
    expect(second.pages.length).toBeGreaterThan(1);
    expect(second.pages.flatMap((p) => p.messages.map((m) => m.subject))).toEqual(["one", "two"]);
    expect(second.pages.flatMap((p) => p.removedIds).sort()).toEqual(
      [moved?.id, deleted?.id].sort(),
    );
    expect(
      delivered.every((d) => second.pages.some((p) => p.messages.some((m) => m.id === d.id))),
    ).toBe(true);

    const third = await wholeRound(email, inboxId, { link: second.deltaLink, pageSize: 100 });
    expect(third.pages.flatMap((p) => [...p.messages, ...p.removedIds])).toEqual([]);
  });

  it("keeps a message's immutable id across a move between folders", async () => {
    const email = fx.demo.mailboxes.carol;
    const folders = fx.sim.folders(email);
    const inboxId = folders.find((f) => f.wellKnownName === "inbox")?.id ?? "";
    const archiveId = folders.find((f) => f.wellKnownName === "archive")?.id ?? "";
    const inboxRound = await wholeRound(email, inboxId, { pageSize: 200 });
    const archiveRound = await wholeRound(email, archiveId, { pageSize: 200 });
    const target = inboxRound.pages[0]?.messages[0];
    fx.sim.moveMessage(email, target?.id ?? "", "archive");

    const inboxChanges = await wholeRound(email, inboxId, {
      link: inboxRound.deltaLink,
      pageSize: 50,
    });
    const archiveChanges = await wholeRound(email, archiveId, {
      link: archiveRound.deltaLink,
      pageSize: 50,
    });
    expect(inboxChanges.pages.flatMap((p) => p.removedIds)).toEqual([target?.id]);
    const arrived = archiveChanges.pages.flatMap((p) => p.messages);
    expect(arrived.map((m) => m.id)).toEqual([target?.id]);
    expect(arrived[0]?.internetMessageId).toBe(target?.internetMessageId);
    expect(fx.sim.message(email, arrived[0]?.id ?? "").folderId).toBe(archiveId);
  });

  it("stops a date-filtered first round at Graph's 5,000-message cap", async () => {
    const inboxId = fx.sim.folders(big).find((f) => f.wellKnownName === "inbox")?.id ?? "";
    const { pages } = await wholeRound(big, inboxId, {
      receivedFrom: new Date("2024-01-01T00:00:00Z"),
      pageSize: 1000,
      select: ["id", "receivedDateTime"],
    });
    const ids = new Set(pages.flatMap((p) => p.messages.map((m) => m.id)));
    expect(inboxTruth(big)).toHaveLength(6200);
    expect(ids.size).toBe(5000);
  });

  it("lists any number of messages oldest first, page by page, with a total count", async () => {
    const inboxId = fx.sim.folders(big).find((f) => f.wellKnownName === "inbox")?.id ?? "";
    const from = new Date("2024-03-01T00:00:00Z");
    const before = new Date("2024-11-01T00:00:00Z");
    const expected = inboxTruth(big)
      .filter(
        (m) =>
          m.receivedDateTime >= "2024-03-01T00:00:00Z" &&
          m.receivedDateTime < "2024-11-01T00:00:00Z",
      )
      .map((m) => m.id);
    expect(expected.length).toBeGreaterThan(4000);
    let page = await client.listMessages(big, inboxId, {
      receivedFrom: from,
      receivedBefore: before,
      top: 1000,
      count: true,
      select: ["id", "receivedDateTime"],
    });
    expect(page.count).toBe(expected.length);
    const seen = [...page.messages];
    while (page.nextLink) {
      page = await client.listMessages(big, inboxId, { link: page.nextLink, top: 1000 });
      seen.push(...page.messages);
    }
    expect(seen.map((m) => m.id)).toEqual(expected);
    expect(
      await client.countMessages(big, inboxId, { receivedFrom: from, receivedBefore: before }),
    ).toBe(expected.length);
  });
});

describe("attachments", () => {
  it("lists metadata of every kind and downloads contents", async () => {
    const truth = [
      ...fx.sim.groundTruth(fx.demo.mailboxes.alice),
      ...fx.sim.groundTruth(fx.demo.mailboxes.bob),
    ];
    const samples = ["file", "item", "reference"].map((kind) =>
      truth.find((m) => m.attachments.some((a) => a.kind === kind)),
    );
    for (const message of samples) {
      if (!message) throw new Error("the seed has no message with this kind of attachment");
      const listed = await client.listAttachments(message.mailbox, message.id);
      expect(
        listed.map((a) => ({
          id: a.id,
          name: a.name,
          contentType: a.contentType,
          size: a.size,
          isInline: a.inline,
          kind: a.kind,
        })),
      ).toEqual(message.attachments);
      expect(listed.every((a) => a.contentBytes === null)).toBe(true);
      for (const a of listed.filter((x) => x.kind !== "reference")) {
        const bytes = await client.attachmentContent(message.mailbox, message.id, a.id);
        expect(bytes.equals(fx.sim.attachmentContent(message.mailbox, message.id, a.id))).toBe(
          true,
        );
      }
    }
    const withFile = samples[0];
    const full = await client.listAttachments(withFile?.mailbox ?? "", withFile?.id ?? "", {
      includeContent: true,
    });
    const file = full.find((a) => a.kind === "file");
    expect(
      file?.contentBytes?.equals(
        fx.sim.attachmentContent(withFile?.mailbox ?? "", withFile?.id ?? "", file.id),
      ),
    ).toBe(true);
  });

  it("answers not_found for a message that is gone", async () => {
    const email = fx.demo.mailboxes.alice;
    const victim = fx.sim.deliver(email);
    fx.sim.deleteMessage(email, victim.id);
    await expect(client.listAttachments(email, victim.id)).rejects.toMatchObject({
      kind: "not_found",
      code: "ErrorItemNotFound",
      httpStatus: 404,
    });
  });
});

describe("the sync engine's MailSource", () => {
  it("exposes folders, delta pages, listings and attachments in the engine's shapes", async () => {
    const connection: ResolvedConnection = {
      api: "GRAPH",
      authMethod: "CLIENT_SECRET",
      access: "APPLICATION",
      authorityUrl: fx.demo.authorityUrl,
      clientId: fx.demo.app.clientId,
      clientSecret: fx.demo.app.clientSecret,
      graphEndpoint: fx.demo.graphEndpoint,
      ewsUrl: null,
      serviceUsername: null,
      certificateThumbprint: null,
    };
    const source = createGraphMailSourceFactory({
      retry: { baseDelayMs: 10 },
      outbound: fx.outbound,
    })(connection);
    const email = fx.demo.mailboxes.carol;
    const folders = await source.listFolders(email);
    expect(folders.some((f) => f.isSearchFolder)).toBe(true);
    const inbox = folders.find((f) => f.path.join("/") === "Root/Top of Information Store/Inbox");
    const page = await source.deltaPage(email, inbox?.id ?? "", {
      link: null,
      receivedFrom: null,
      pageSize: 5,
    });
    expect(page.messages).toHaveLength(5);
    expect(page.nextLink).not.toBeNull();
    const message = page.messages[0];
    const truth = fx.sim.message(email, message?.id ?? "");
    expect(message).toMatchObject({
      internetMessageId: truth.internetMessageId,
      bodyType: truth.body.contentType,
      body: truth.body.content,
    });
    expect(await source.countMessages(email, inbox?.id ?? "", null)).toBe(inboxTruth(email).length);
    const listing = await source.listPage(email, inbox?.id ?? "", {
      receivedFrom: null,
      receivedBefore: null,
      top: 3,
      expandAttachments: false,
    });
    expect(listing.messages.every((m) => m.attachments === undefined)).toBe(true);
    // With $expand, each message carries its attachment metadata: one request per page.
    const expanded = await source.listPage(email, inbox?.id ?? "", {
      receivedFrom: null,
      receivedBefore: null,
      top: 200,
      expandAttachments: true,
    });
    for (const m of expanded.messages) {
      const truth = fx.sim.message(email, m.id);
      expect(m.attachments?.map((a) => [a.name, a.size, a.inline, a.kind])).toEqual(
        truth.attachments.map((a) => [a.name, a.size, a.isInline, a.kind]),
      );
    }
    expect(expanded.messages.some((m) => (m.attachments?.length ?? 0) > 0)).toBe(true);
    const oldest = inboxTruth(email)
      .map((m) => m.receivedDateTime)
      .sort()
      .slice(0, 3);
    expect(listing.messages.map((m) => m.receivedAt.toISOString().replace(".000Z", "Z"))).toEqual(
      oldest,
    );
    const withAttachment = [...fx.sim.groundTruth(email)].find((m) =>
      m.attachments.some((a) => a.kind === "file"),
    );
    const attachments = await source.listAttachments(email, withAttachment?.id ?? "", true);
    expect(attachments.find((a) => a.kind === "file")?.contentBytes).toBeInstanceOf(Buffer);
  });
});
