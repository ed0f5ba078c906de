import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  seedDemoTenant,
  type DemoTenant,
  type Simulator,
  type TruthMessage,
} from "../../simulator/index.js";
import { appToken, collectPages, graphGet } from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let demo: DemoTenant;

beforeAll(async () => {
  sim = await startTestSimulator({ controlPort: 0 });
  demo = await seedDemoTenant(sim, { seed: 7, messagesPerMailbox: 800 });
});

afterAll(() => sim.stop());

const domainOf = (address: string): string => address.split("@")[1]?.toLowerCase() ?? "";

describe("seeded tenants", () => {
  it("are a pure function of the seed and sizes", async () => {
    const other = await startTestSimulator();
    try {
      const again = await seedDemoTenant(other, {
        seed: 7,
        messagesPerMailbox: 800,
        certificate: demo.app.certificate,
      });
      expect(again.tenantId).toBe(demo.tenantId);
      expect(again.app.clientId).toBe(demo.app.clientId);
      expect([...other.groundTruth(again.mailboxes.alice)]).toEqual([
        ...sim.groundTruth(demo.mailboxes.alice),
      ]);
      const differentSeed = other.addTenant({ name: "other", seed: 8 });
      differentSeed.addMailbox({ email: "alice@other.com", messages: 50 });
      const subjects = [...other.groundTruth("alice@other.com")].map((m) => m.subject);
      const firstFifty = [...sim.groundTruth(demo.mailboxes.alice)]
        .slice(0, 50)
        .map((m) => m.subject);
      expect(subjects).not.toEqual(firstFifty);
    } finally {
      await other.stop();
    }
  });

  it("place messages along folder paths from Root, with hidden folders flagged and search folders excluded", () => {
    const truth = [...sim.groundTruth(demo.mailboxes.alice)];
    expect(truth).toHaveLength(800);
    expect(
      truth.every(
        (m) => m.folderPath[0] === "Root" && m.folderPath[1] === "Top of Information Store",
      ),
    ).toBe(true);
    const paths = new Set(truth.map((m) => m.folderPath.slice(2).join(" > ")));
    for (const p of [
      "Inbox",
      "Inbox > Invoices/Receipts",
      "Inbox > Ünïcödé – 日本語 📬",
      "Inbox > Projects > Alpha > Deep > Deeper",
      "Sent Items",
    ]) {
      expect(paths).toContain(p);
    }
    expect(truth.some((m) => m.folderIsHidden)).toBe(true);
    const search = sim.folders(demo.mailboxes.alice).filter((f) => f.isSearchFolder);
    expect(search.length).toBe(2);
    expect(truth.some((m) => search.some((f) => f.id === m.folderId))).toBe(false);
  });

  it("cover the participant shapes filters must handle", () => {
    const truth = [
      ...sim.groundTruth(demo.mailboxes.alice),
      ...sim.groundTruth(demo.mailboxes.bob),
    ];
    const participants = truth.flatMap((m) => [
      m.from,
      m.sender,
      ...m.toRecipients,
      ...m.ccRecipients,
      ...m.bccRecipients,
    ]);
    const domains = new Set(participants.map((p) => domainOf(p.address)));
    for (const d of [
      "fabrikam.co.uk",
      "sales.fabrikam.com",
      "reinfer.com",
      "reinfer.co.uk",
      "mail.reinfer.com",
      "contoso.com",
    ]) {
      expect(domains).toContain(d);
    }
    expect(participants.some((p) => p.address !== p.address.toLowerCase())).toBe(true);
    expect(truth.some((m) => m.bccRecipients.length > 0)).toBe(true);
    expect(truth.some((m) => m.from.address !== m.sender.address)).toBe(true);
    const self = (m: TruthMessage) =>
      [m.from, m.sender, ...m.toRecipients, ...m.ccRecipients, ...m.bccRecipients].every(
        (p) => p.address.toLowerCase() === m.mailbox,
      );
    expect(truth.some(self)).toBe(true);
  });

  it("share some internet Message-IDs between mailboxes", () => {
    const ids = (email: string) =>
      new Set([...sim.groundTruth(email)].map((m) => m.internetMessageId));
    const a = ids(demo.mailboxes.alice);
    const shared = [...ids(demo.mailboxes.bob)].filter((id) => a.has(id));
    expect(shared.length).toBeGreaterThan(0);
  });

  it("have attachments of every kind, and messages whose only attachments are inline (hasAttachments false)", () => {
    const truth = [
      ...sim.groundTruth(demo.mailboxes.alice),
      ...sim.groundTruth(demo.mailboxes.bob),
      ...sim.groundTruth(demo.mailboxes.carol),
    ];
    const kinds = new Set(truth.flatMap((m) => m.attachments.map((a) => a.kind)));
    expect([...kinds].sort()).toEqual(["file", "item", "reference"]);
    expect(
      truth.some(
        (m) =>
          m.attachments.length > 0 && m.attachments.every((a) => a.isInline) && !m.hasAttachments,
      ),
    ).toBe(true);
    const logos = truth.flatMap((m) =>
      m.attachments
        .filter((a) => a.name === "logo.png")
        .map((a) => sim.attachmentContent(m.mailbox, m.id, a.id)),
    );
    expect(logos.length).toBeGreaterThan(1);
    expect(logos.every((b) => b.equals(logos[0] ?? Buffer.alloc(0)))).toBe(true);
  });

  it("match what Graph serves, message by message", async () => {
    const token = await appToken(sim, demo.tenantId, demo.app.clientId, demo.app.clientSecret);
    const email = demo.mailboxes.carol;
    const served: Record<string, unknown>[] = [];
    for (const folder of sim
      .folders(email)
      .filter((f) => !f.isSearchFolder && f.totalItemCount > 0)) {
      const page = await collectPages(
        sim,
        token,
        `/users/${email}/mailFolders/${folder.id}/messages?$top=200`,
        { Prefer: 'IdType="ImmutableId"' },
      );
      served.push(...page.items);
    }
    const truth = new Map([...sim.groundTruth(email)].map((m) => [m.id, m]));
    expect(served).toHaveLength(truth.size);
    for (const m of served) {
      const t = truth.get(String(m.id));
      expect(t).toBeDefined();
      expect(m).toMatchObject({
        internetMessageId: t?.internetMessageId,
        subject: t?.subject,
        receivedDateTime: t?.receivedDateTime,
        sentDateTime: t?.sentDateTime,
        parentFolderId: t?.folderId,
        hasAttachments: t?.hasAttachments,
        from: { emailAddress: t?.from },
        toRecipients: t?.toRecipients.map((emailAddress) => ({ emailAddress })),
        bccRecipients: t?.bccRecipients.map((emailAddress) => ({ emailAddress })),
        body: t?.body,
      });
    }
  });
});

describe("big mailboxes", () => {
  it("seed 100,000 messages cheaply and serve pages from them", async () => {
    const tenant = sim.addTenant({ name: "bigcorp", seed: 99 });
    const app = tenant.addApp();
    const secret = app.addSecret().value;
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    tenant.addMailbox({ email: "huge@bigcorp.com", messages: 100_000 });
    const elapsed = performance.now() - started;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(elapsed).toBeLessThan(2000);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    const token = await appToken(sim, tenant.id, app.clientId, secret);
    const page = await graphGet<{ value: unknown[] }>(
      sim,
      token,
      `/users/huge@bigcorp.com/mailFolders/inbox/messages?$top=50`,
    );
    expect(page.body.value).toHaveLength(50);
    const inbox = sim.folders("huge@bigcorp.com").find((f) => f.wellKnownName === "inbox");
    expect(inbox?.totalItemCount).toBeGreaterThan(20_000);
  });
});

describe("mail that lives, through the control API", () => {
  it("delivers, moves and deletes, and switches faults on", async () => {
    const control = sim.controlUrl ?? "";
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${control}${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const email = demo.mailboxes.bob;
    const before = [...sim.groundTruth(email)].length;
    const delivered = (
      await call("POST", `/mailboxes/${email}/deliver`, {
        count: 2,
        subject: "via control",
        folder: ["Inbox", "Orders"],
      })
    ).body as TruthMessage[];
    expect(delivered.map((m) => m.folderPath.slice(2))).toEqual([
      ["Inbox", "Orders"],
      ["Inbox", "Orders"],
    ]);
    const [first, second] = delivered;
    await call("POST", `/mailboxes/${email}/move`, {
      messageId: first?.id,
      folder: "deleteditems",
    });
    await call("POST", `/mailboxes/${email}/delete`, { messageId: second?.id });
    expect([...sim.groundTruth(email)]).toHaveLength(before + 1);
    expect(sim.message(email, first?.id ?? "").folderPath.at(-1)).toBe("Deleted Items");

    const fault = (
      await call("POST", "/faults", {
        mailbox: email,
        times: null,
        action: { type: "status", status: 503 },
      })
    ).body as { id: string };
    expect(sim.faults.list().map((f) => f.id)).toContain(fault.id);
    expect((await call("DELETE", "/faults")).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);

    const summary = (await call("GET", "/")).body as {
      graphUrl: string;
      tenants: { mailboxes: { email: string }[] }[];
    };
    expect(summary.graphUrl).toBe(sim.graphUrl);
    const lines = await (await fetch(`${control}/mailboxes/${email}/messages`)).text();
    expect(lines.trim().split("\n")).toHaveLength(before + 1);
    expect((await call("POST", "/nope")).status).toBe(400);
  });
});
