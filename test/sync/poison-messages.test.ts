import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator, TruthMessage } from "../../simulator/index.js";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegrationWith,
  simulatedTenant,
  waitForFreshRound,
  waitForMailbox,
  startSimulatorAndServer,
} from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";

/**
 * One message that cannot be stored as it is costs that message, never its mailbox: text a
 * database cannot hold is made storable (and says so), a message whose attachment never downloads
 * or whose row the database refuses is skipped and listed with its reason, the rest is exact.
 */
let sim: Simulator;
let server: TestServer;
let stop: () => Promise<void>;
let tenantCount = 0;
beforeAll(async () => {
  ({ sim, server, stop } = await startSimulatorAndServer({
    exchange: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
  }));
  await server.ok(`mutation { createProject(input: { name: "poison" }) { id } }`);
});
afterAll(() => stop());

const MAILBOX_STATE = `query($id: ID!) {
  mailbox(id: $id) {
    skippedMessageCount
    skippedMessages { remoteId folder reason attempts firstSkippedAt lastAttemptAt nextAttemptAt }
    sync { status lastError }
  }
}`;

interface MailboxState {
  skippedMessageCount: number;
  skippedMessages: {
    remoteId: string;
    folder: string;
    reason: string;
    attempts: number;
    nextAttemptAt: string;
  }[];
  sync: { status: string; lastError: string | null };
}

/** A tenant with one mailbox of a few seeded messages, and an integration syncing it. */
async function connect(prepare: (email: string) => void) {
  const name = `poison${++tenantCount}`;
  const { tenant, connection } = simulatedTenant(sim, name, tenantCount);
  const email = `desk@${name}.com`;
  tenant.addMailbox({
    email,
    messages: 30,
    folders: [
      { path: ["Inbox"], wellKnownName: "inbox", weight: 1 },
      { path: ["Archive"], weight: 1 },
    ],
  });
  prepare(email);
  const created = await createIntegrationWith(server, {
    project: "poison",
    name,
    connection,
    mailboxes: [{ email, allTime: true, syncAttachments: true }],
  });
  const mailbox = created.mailboxes[0]!;
  await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 60_000);
  const state = (await server.ok<{ mailbox: MailboxState }>(MAILBOX_STATE, { id: mailbox.id }))
    .mailbox;
  return { email, mailbox, state };
}

const expectedIds = (email: string, except: (m: TruthMessage) => boolean = () => false) =>
  new Set(
    expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom: null })
      .filter((m) => !except(m))
      .map((m) => m.internetMessageId),
  );

async function storedIds(bucketId: string): Promise<string[]> {
  return (await bucketMessages(server, bucketId)).map((m) => m.internetMessageId);
}

describe("poison messages", () => {
  it("stores messages with NUL characters in subject, body, names and attachment names, and says what changed", async () => {
    const { email, mailbox, state } = await connect((email) => {
      sim.deliver(email, {
        internetMessageId: "<nul-subject@poison>",
        subject: "Invoice\u0000 42",
        body: { contentType: "text", content: "Total\u0000: 12 EUR\u0000" },
        from: { name: "Ann\u0000 Smith", address: "ann@supplier.com" },
        attachments: [
          { name: "scan\u0000.pdf", contentType: "application/pdf", content: "%PDF-1" },
        ],
      });
      sim.deliver(email, {
        internetMessageId: "<nul-html@poison>",
        body: { contentType: "html", content: "<p>hello\u0000 world</p>" },
      });
    });
    expect(state.sync).toEqual({ status: "UP_TO_DATE", lastError: null });
    expect(state.skippedMessageCount).toBe(0);
    const ids = await storedIds(mailbox.bucket.id);
    expect(new Set(ids)).toEqual(expectedIds(email));

    const found = await server.ok<{
      bucket: {
        messages: {
          edges: {
            node: {
              internetMessageId: string;
              subject: string;
              bodyText: string;
              bodyHtml: string | null;
              from: { name: string | null };
              storageNotes: string[];
              attachments: { name: string; reference: string | null }[];
            };
          }[];
        };
      };
    }>(
      `query($id: ID!) { bucket(id: $id) { messages(first: 200) { edges { node {
        internetMessageId subject bodyText bodyHtml from { name } storageNotes attachments { name reference }
      } } } } }`,
      { id: mailbox.bucket.id },
    );
    const byId = new Map(
      found.bucket.messages.edges.map((e) => [e.node.internetMessageId, e.node]),
    );
    const invoice = byId.get("<nul-subject@poison>")!;
    expect(invoice.subject).toBe("Invoice 42");
    expect(invoice.bodyText).toBe("Total: 12 EUR");
    expect(invoice.from.name).toBe("Ann Smith");
    expect(invoice.attachments.map((a) => a.name)).toEqual(["scan.pdf"]);
    expect(invoice.attachments[0]!.reference).not.toBeNull();
    expect(invoice.storageNotes).toEqual(
      expect.arrayContaining([
        "subject: 1 NUL character removed",
        "body text: 2 NUL characters removed",
        "from name: 1 NUL character removed",
        "attachment name: 1 NUL character removed",
      ]),
    );
    expect(byId.get("<nul-html@poison>")!.bodyHtml).toBe("<p>hello world</p>");
    // Everything else says nothing.
    const plain = [...byId.values()].filter((m) => !m.internetMessageId.includes("@poison>"));
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((m) => m.storageNotes.length === 0)).toBe(true);
  }, 90_000);

  it("skips a message whose attachment never downloads, lists it with the reason, and stores it once it does", async () => {
    let ruleId = "";
    let poisonId = "";
    const { email, mailbox, state } = await connect((email) => {
      const poison = sim.deliver(email, {
        internetMessageId: "<broken-attachment@poison>",
        subject: "broken attachment",
        attachments: [{ name: "report.xlsx", content: "bytes" }],
      });
      poisonId = poison.id;
      ruleId = sim.faults.add({
        pathIncludes: `/attachments/${poison.attachments[0]!.id}/$value`,
        times: Infinity,
        action: { type: "status", status: 500, code: "ErrorInternalServerError" },
      });
      sim.deliver(email, { internetMessageId: "<after-the-poison@poison>", subject: "later" });
    });
    expect(state.sync).toEqual({ status: "UP_TO_DATE", lastError: null });
    expect(sim.faults.fired(ruleId)).toBeGreaterThan(0);
    expect(state.skippedMessageCount).toBe(1);
    expect(state.skippedMessages).toHaveLength(1);
    const skipped = state.skippedMessages[0]!;
    expect(skipped.remoteId).toBe(poisonId);
    expect(skipped.folder).toBe("Root/Top of Information Store/Inbox");
    expect(skipped.reason).toMatch(/^Its attachments could not be fetched: /);
    // Tried again at the end of the round that skipped it.
    expect(skipped.attempts).toBe(2);
    const ids = await storedIds(mailbox.bucket.id);
    expect(new Set(ids)).toEqual(
      expectedIds(email, (m) => m.internetMessageId === "<broken-attachment@poison>"),
    );
    expect(ids.length).toBe(new Set(ids).size);

    // The attachment downloads again: a resync tries the skipped message at once.
    sim.faults.remove(ruleId);
    const since = Date.now();
    await server.ok(`mutation($id: ID!) { resyncMailbox(id: $id) { id } }`, { id: mailbox.id });
    await waitForFreshRound(server, mailbox.id, 60_000, since);
    const after = (await server.ok<{ mailbox: MailboxState }>(MAILBOX_STATE, { id: mailbox.id }))
      .mailbox;
    expect(after.skippedMessageCount).toBe(0);
    expect(new Set(await storedIds(mailbox.bucket.id))).toEqual(expectedIds(email));
  }, 120_000);

  it("skips such a message when it arrives in an incremental round too", async () => {
    const { email, mailbox } = await connect(() => undefined);
    const poison = sim.deliver(email, {
      internetMessageId: "<late-broken-attachment@poison>",
      attachments: [{ name: "late.pdf", content: "bytes" }],
    });
    const ruleId = sim.faults.add({
      pathIncludes: `/attachments/${poison.attachments[0]!.id}/$value`,
      times: Infinity,
      action: { type: "status", status: 503, retryAfterSeconds: null },
    });
    sim.deliver(email, { internetMessageId: "<late-fine@poison>" });
    try {
      await waitForFreshRound(server, mailbox.id, 60_000);
      const state = (await server.ok<{ mailbox: MailboxState }>(MAILBOX_STATE, { id: mailbox.id }))
        .mailbox;
      expect(state.sync).toEqual({ status: "UP_TO_DATE", lastError: null });
      expect(state.skippedMessages.map((m) => m.remoteId)).toEqual([poison.id]);
      expect(new Set(await storedIds(mailbox.bucket.id))).toEqual(
        expectedIds(email, (m) => m.internetMessageId === "<late-broken-attachment@poison>"),
      );
    } finally {
      sim.faults.remove(ruleId);
    }
  }, 90_000);

  it("stores a message whose receivedDateTime is not a date, with the sent time instead, and says so", async () => {
    const { email, mailbox, state } = await connect((email) => {
      sim.deliver(email, {
        internetMessageId: "<bad-date@poison>",
        subject: "bad date",
        renderedAs: { receivedDateTime: "31/02/2025 25:61" },
      });
    });
    expect(state.sync).toEqual({ status: "UP_TO_DATE", lastError: null });
    expect(new Set(await storedIds(mailbox.bucket.id))).toEqual(expectedIds(email));
    const found = await server.ok<{
      bucket: { messages: { edges: { node: { subject: string; storageNotes: string[] } }[] } };
    }>(
      `query($id: ID!) { bucket(id: $id) { messages(first: 200) { edges { node { subject storageNotes } } } } }`,
      { id: mailbox.bucket.id },
    );
    const bad = found.bucket.messages.edges.find((e) => e.node.subject === "bad date")!;
    expect(bad.node.storageNotes).toEqual([
      'receivedDateTime "31/02/2025 25:61" is not a date: the sent time stored instead',
    ]);
  }, 90_000);

  it("skips a message whose row the database refuses, with a reason in words, and stores the rest", async () => {
    // A database-level fault: refuse rows with this subject (as an oversized row would be).
    const { manager } = server.app.deps.db;
    const postgres = server.databaseUrl !== null;
    if (postgres)
      await manager.query(
        `ALTER TABLE message ADD CONSTRAINT refuse_poison CHECK (subject <> 'refused by the database')`,
      );
    else
      await manager.query(
        `CREATE TRIGGER refuse_poison BEFORE INSERT ON message WHEN NEW.subject = 'refused by the database' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
    try {
      const { email, mailbox, state } = await connect((email) => {
        sim.deliver(email, {
          internetMessageId: "<refused@poison>",
          subject: "refused by the database",
        });
      });
      expect(state.sync).toEqual({ status: "UP_TO_DATE", lastError: null });
      expect(state.skippedMessages.map((s) => s.reason)).toEqual([
        "Not stored: the database refused it (an integrity constraint).",
      ]);
      const ids = await storedIds(mailbox.bucket.id);
      expect(new Set(ids)).toEqual(
        expectedIds(email, (m) => m.internetMessageId === "<refused@poison>"),
      );
      const usage = await server.ok<{ project: { usage: { unitsCharged: number } } }>(
        `{ project(name: "poison") { usage { unitsCharged } } }`,
      );
      const total = await server.ok<{ project: { buckets: { messageCount: number }[] } }>(
        `{ project(name: "poison") { buckets { messageCount } } }`,
      );
      // Units are charged for stored messages only, not for the refused one.
      expect(usage.project.usage.unitsCharged).toBe(
        total.project.buckets.reduce((sum, b) => sum + b.messageCount, 0),
      );
    } finally {
      await manager.query(
        postgres
          ? `ALTER TABLE message DROP CONSTRAINT refuse_poison`
          : `DROP TRIGGER refuse_poison`,
      );
    }
  }, 90_000);

  it.runIf(process.env.TEST_POSTGRES_URL)(
    "shows a plain lastError for an unexpected database failure, never the database's text, and recovers",
    async () => {
      const { manager } = server.app.deps.db;
      // Not a refusal of one row (SQLSTATE P0001): the round fails as a whole and is retried.
      await manager.query(`CREATE FUNCTION fail_storing() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'relation "message" internal detail 0x00'; END $$ LANGUAGE plpgsql`);
      await manager.query(
        `CREATE TRIGGER fail_storing BEFORE INSERT ON message FOR EACH ROW EXECUTE FUNCTION fail_storing()`,
      );
      const name = `poison${++tenantCount}`;
      const { tenant, connection } = simulatedTenant(sim, name, tenantCount);
      const email = `desk@${name}.com`;
      tenant.addMailbox({ email, messages: 20 });
      let mailboxId = "";
      let bucketId = "";
      try {
        const created = await createIntegrationWith(server, {
          project: "poison",
          name,
          connection,
          mailboxes: [{ email, allTime: true }],
        });
        mailboxId = created.mailboxes[0]!.id;
        bucketId = created.mailboxes[0]!.bucket.id;
        const failed = await waitForMailbox(server, mailboxId, (v) => v.sync.status === "FAILED");
        expect(failed.sync.lastError).toBe(
          "The round stopped on an internal error (details are in the server log); it is retried automatically.",
        );
      } finally {
        await manager.query(`DROP TRIGGER fail_storing ON message`);
        await manager.query(`DROP FUNCTION fail_storing`);
      }
      await waitForMailbox(server, mailboxId, (v) => v.sync.status === "UP_TO_DATE", 60_000);
      expect(new Set(await storedIds(bucketId))).toEqual(expectedIds(email));
    },
    90_000,
  );
});
