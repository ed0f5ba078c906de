import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages, folderText } from "../support/expected-sync.js";
import {
  ADD_MAILBOX,
  CREATE,
  ESTIMATE,
  FOLDERS,
  type IntegrationView,
  type MailboxView,
  READ_MAILBOX,
  REMOVE_MAILBOX,
  UPDATE_MAILBOX,
  expectRefused,
  secretConnection,
} from "../support/integration-api.js";
import { startSyncEnv, type SyncEnv } from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";
import { createToken, incomingMessage, storeAndPublish } from "../live/fixtures.js";

/**
 * DOMAIN.md "Mailboxes" through the GraphQL endpoint. The integrations here are switched off by
 * their user: mailbox configuration, volume estimates and the folder picker do not depend on it,
 * and nothing syncs behind a "changes nothing" check.
 */

let env: SyncEnv;
let server: TestServer;
let mail: IntegrationView;
let mail2: IntegrationView;
let alice: string;

const TOIS = "Root/Top of Information Store";

beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 300, env: { MAILSTREAM_SYNC_INTERVAL: "60" } });
  server = env.server;
  alice = env.tenant.mailboxes.alice;
  await server.ok(
    `mutation { a: createProject(input: { name: "mbx" }) { id } b: createProject(input: { name: "elsewhere" }) { id } }`,
  );
  const create = async (name: string) =>
    (
      await server.ok<{ createIntegration: IntegrationView }>(CREATE, {
        input: { project: "mbx", name, enabled: false, connection: secretConnection(env.tenant) },
      })
    ).createIntegration;
  [mail, mail2] = [await create("mail"), await create("mail2")];
});
afterAll(() => env?.stop());

async function addMailbox(input: Record<string, unknown>, integrationId = mail.id, token?: string) {
  return (
    await server.ok<{ addMailbox: MailboxView }>(ADD_MAILBOX, { integrationId, input }, token)
  ).addMailbox;
}

async function updateMailbox(id: string, input: Record<string, unknown>) {
  return (await server.ok<{ updateMailbox: MailboxView }>(UPDATE_MAILBOX, { id, input }))
    .updateMailbox;
}

async function createBucket(project: string, name: string) {
  return (
    await server.ok<{ createBucket: { id: string } }>(
      `mutation($project: String!, $name: String!) { createBucket(input: { project: $project, name: $name }) { id } }`,
      { project, name },
    )
  ).createBucket.id;
}

const refuseAdd = (
  input: Record<string, unknown>,
  refusal: Parameters<typeof expectRefused>[3],
  integrationId = mail.id,
  token?: string,
) => expectRefused(server, ADD_MAILBOX, { integrationId, input }, refusal, token);

describe("mailbox addresses", () => {
  it.each([
    ["", /is empty/],
    ["alice", /has no @/],
    ["alice@", /has nothing after the @/],
    ["@contoso.com", /has nothing before the @/],
    ["a b@contoso.com", /contains whitespace/],
    ["alice@@contoso.com", /more than one @/],
    ["alice@contoso", /has a domain that/],
    ["al..ice@contoso.com", /doubled dot/],
  ])("refuses %j with BAD_USER_INPUT input.email", async (email, reason) => {
    await refuseAdd(
      { email, allTime: true },
      { code: "BAD_USER_INPUT", field: "input.email", message: [/^Email address /, reason] },
    );
  });

  it("refuses an invalid address inside createIntegration at its position, creating nothing", async () => {
    await expectRefused(
      server,
      CREATE,
      {
        input: {
          project: "mbx",
          name: "never",
          connection: secretConnection(env.tenant),
          mailboxes: [
            { email: alice, allTime: true },
            { email: "bob at contoso", allTime: true },
          ],
        },
      },
      { code: "BAD_USER_INPUT", field: "input.mailboxes.1.email", message: [/"bob at contoso"/] },
    );
  });

  it("stores an address lower-cased and refuses it again in the same integration, in any case (CONFLICT)", async () => {
    const added = await addMailbox({ email: "  Bob@Contoso.COM ", allTime: true });
    expect(added.email).toBe("bob@contoso.com");
    for (const email of ["bob@contoso.com", "BOB@contoso.com"]) {
      await refuseAdd(
        { email, allTime: true },
        { code: "CONFLICT", message: ["Integration 'mail' already has mailbox bob@contoso.com"] },
      );
    }
  });

  it("refuses an address listed twice in createIntegration", async () => {
    await expectRefused(
      server,
      CREATE,
      {
        input: {
          project: "mbx",
          name: "twice",
          enabled: false,
          connection: secretConnection(env.tenant),
          mailboxes: [
            { email: "carol@contoso.com", allTime: true },
            { email: "Carol@Contoso.com", allTime: true },
          ],
        },
      },
      { code: "BAD_USER_INPUT", field: "input.mailboxes.1.email", message: [/listed twice/] },
    );
  });

  it("accepts the same address in two integrations", async () => {
    const other = await addMailbox({ email: "bob@contoso.com", allTime: true }, mail2.id);
    expect(other).toMatchObject({ email: "bob@contoso.com", integration: { id: mail2.id } });
  });
});

describe("bucket choice", () => {
  it("creates a bucket automatically, its name derived from the integration and the mailbox and made unique", async () => {
    await createBucket("mbx", "mail_dave-contoso-com");
    const dave = await addMailbox({ email: "Dave@Contoso.com", allTime: true });
    expect(dave.bucket).toMatchObject({
      name: "mail_dave-contoso-com-2",
      title: "mail – dave@contoso.com",
      project: { name: "mbx" },
    });
    const again = await addMailbox({ email: "dave@contoso.com", allTime: true }, mail2.id);
    expect(again.bucket.name).toBe("mail2_dave-contoso-com");
    expect(again.bucket.id).not.toBe(dave.bucket.id);
  });

  it("creates a user-defined new bucket with its project, name and title", async () => {
    const added = await addMailbox({
      email: "orders@contoso.com",
      allTime: true,
      bucket: { newBucket: { project: "mbx", name: "orders", title: "Orders mailbox" } },
    });
    expect(added.bucket).toMatchObject({
      name: "orders",
      title: "Orders mailbox",
      project: { name: "mbx" },
    });
    // The guide lets the user pick the bucket's project.
    const elsewhere = await addMailbox({
      email: "orders-archive@contoso.com",
      allTime: true,
      bucket: { newBucket: { project: "elsewhere", name: "orders" } },
    });
    expect(elsewhere.bucket).toMatchObject({
      name: "orders",
      title: "orders",
      project: { name: "elsewhere" },
    });
  });

  it("answers CONFLICT for a user-defined bucket whose name is taken, changing nothing", async () => {
    await refuseAdd(
      {
        email: "returns@contoso.com",
        allTime: true,
        bucket: { newBucket: { project: "mbx", name: "orders", title: "Again" } },
      },
      { code: "CONFLICT", message: ["Project 'mbx' already has a bucket named 'orders'"] },
    );
  });

  it("refuses a user-defined bucket with an invalid API name", async () => {
    await refuseAdd(
      {
        email: "returns@contoso.com",
        allTime: true,
        bucket: { newBucket: { project: "mbx", name: "my orders" } },
      },
      { code: "BAD_USER_INPUT", field: "input.bucket.newBucket.name", message: [/API name/] },
    );
  });

  it("uses an existing bucket, which several mailboxes may share", async () => {
    const shared = await createBucket("mbx", "shared");
    const added = [
      await addMailbox({
        email: "erin@contoso.com",
        allTime: true,
        bucket: { existingBucketId: shared },
      }),
      await addMailbox({
        email: "frank@contoso.com",
        allTime: true,
        bucket: { existingBucketId: shared },
      }),
      await addMailbox(
        { email: "erin@contoso.com", allTime: true, bucket: { existingBucketId: shared } },
        mail2.id,
      ),
    ];
    expect(added.map((m) => m.bucket.id)).toEqual([shared, shared, shared]);
    expect(added.map((m) => m.bucket.name)).toEqual(["shared", "shared", "shared"]);
  });

  it("refuses existingBucketId and newBucket together", async () => {
    const shared = await createBucket("mbx", "either");
    await refuseAdd(
      {
        email: "grace@contoso.com",
        allTime: true,
        bucket: { existingBucketId: shared, newBucket: { project: "mbx", name: "or-this" } },
      },
      {
        code: "BAD_USER_INPUT",
        field: "input.bucket.newBucket",
        message: [/give existingBucketId or newBucket, not both/],
      },
    );
  });

  it("refuses a bucket of a project the caller cannot see exactly like a missing one", async () => {
    const hidden = await createBucket("elsewhere", "hidden");
    const { token } = await createToken(server, [
      { project: "mbx", permissions: ["INTEGRATIONS_READ", "INTEGRATIONS_WRITE", "BUCKETS_WRITE"] },
    ]);
    const missing = "00000000-0000-4000-8000-000000000000";
    const messages: string[] = [];
    for (const id of [hidden, missing]) {
      const error = await refuseAdd(
        { email: "henry@contoso.com", allTime: true, bucket: { existingBucketId: id } },
        {
          code: "BAD_USER_INPUT",
          field: "input.bucket.existingBucketId",
          message: [`Bucket '${id}' was not found.`],
        },
        mail.id,
        token,
      );
      messages.push(error.message.replace(id, "<id>"));
    }
    expect(messages[0]).toBe(messages[1]);
    // Nor can it create one there.
    await refuseAdd(
      {
        email: "henry@contoso.com",
        allTime: true,
        bucket: { newBucket: { project: "elsewhere", name: "mine" } },
      },
      { code: "NOT_FOUND", message: ["Project 'elsewhere' was not found."] },
      mail.id,
      token,
    );
    // The admin can.
    const added = await addMailbox({
      email: "henry@contoso.com",
      allTime: true,
      bucket: { existingBucketId: hidden },
    });
    expect(added.bucket).toMatchObject({ id: hidden, project: { name: "elsewhere" } });
  });

  it("refuses an existing bucket of a visible project the caller cannot write (FORBIDDEN)", async () => {
    const bucket = await createBucket("mbx", "read-only");
    const { token } = await createToken(server, [
      { project: "mbx", permissions: ["INTEGRATIONS_READ", "INTEGRATIONS_WRITE", "BUCKETS_READ"] },
    ]);
    await refuseAdd(
      { email: "ivan@contoso.com", allTime: true, bucket: { existingBucketId: bucket } },
      { code: "FORBIDDEN", message: [/'buckets-write'/] },
      mail.id,
      token,
    );
  });
});

describe("time filter", () => {
  const rule = /Time filter: give exactly one of syncFrom .* or allTime: true/;

  it.each([
    ["neither", {}, "input.syncFrom", /neither was given/],
    ["allTime: false alone", { allTime: false }, "input.syncFrom", /neither was given/],
    ["both", { syncFrom: "2024-01-01T00:00:00Z", allTime: true }, "input.allTime", /not both/],
  ])("refuses %s", async (_, time, field, detail) => {
    await refuseAdd(
      { email: "judy@contoso.com", ...time },
      { code: "BAD_USER_INPUT", field, message: [rule, detail] },
    );
  });

  it("moves syncFrom either way, switches to allTime and back, and refuses what leaves neither or both", async () => {
    const added = await addMailbox({
      email: "judy@contoso.com",
      syncFrom: "2024-01-01T00:00:00Z",
      allTime: false,
    });
    expect(added).toMatchObject({ syncFrom: "2024-01-01T00:00:00.000Z", allTime: false });
    expect(await updateMailbox(added.id, { syncFrom: "2023-06-01T00:00:00Z" })).toMatchObject({
      syncFrom: "2023-06-01T00:00:00.000Z",
      allTime: false,
    });
    expect(await updateMailbox(added.id, { syncFrom: "2024-06-01T12:30:00Z" })).toMatchObject({
      syncFrom: "2024-06-01T12:30:00.000Z",
      allTime: false,
    });
    expect(await updateMailbox(added.id, { allTime: true })).toMatchObject({
      syncFrom: null,
      allTime: true,
    });
    await expectRefused(
      server,
      UPDATE_MAILBOX,
      { id: added.id, input: { allTime: false } },
      {
        code: "BAD_USER_INPUT",
        field: "input.syncFrom",
        message: [rule, /to turn allTime off, give the syncFrom/],
      },
    );
    await expectRefused(
      server,
      UPDATE_MAILBOX,
      { id: added.id, input: { syncFrom: "2022-01-01T00:00:00Z", allTime: true } },
      { code: "BAD_USER_INPUT", field: "input.allTime", message: [rule, /not both/] },
    );
    expect(await updateMailbox(added.id, { syncFrom: "2022-01-01T00:00:00Z" })).toMatchObject({
      syncFrom: "2022-01-01T00:00:00.000Z",
      allTime: false,
    });
  });

  it("replaces the filter lists given, keeps the others, and switches attachments and the mailbox itself", async () => {
    const added = await addMailbox({
      email: "kim@contoso.com",
      allTime: true,
      filters: {
        allowedFolders: [`${TOIS}/Inbox`],
        deniedParticipants: ["spam@fabrikam.com"],
        deniedDomains: ["gmail.com"],
      },
    });
    const updated = await updateMailbox(added.id, {
      filters: { deniedDomains: ["reinfer.*"], allowedParticipants: ["boss@contoso.com"] },
      syncAttachments: true,
    });
    expect(updated).toMatchObject({
      allTime: true,
      syncAttachments: true,
      filters: {
        allowedFolders: [`${TOIS}/Inbox`],
        deniedFolders: [],
        allowedParticipants: ["boss@contoso.com"],
        deniedParticipants: ["spam@fabrikam.com"],
        allowedDomains: [],
        deniedDomains: ["reinfer.*"],
      },
    });
    const cleared = await updateMailbox(added.id, { filters: { allowedFolders: [] } });
    expect(cleared.filters.allowedFolders).toEqual([]);
    expect(cleared.filters.deniedDomains).toEqual(["reinfer.*"]);
    expect(await updateMailbox(added.id, { enabled: false })).toMatchObject({
      enabled: false,
      disabledReason: "USER",
    });
    expect(await updateMailbox(added.id, { enabled: true })).toMatchObject({
      enabled: true,
      disabledReason: null,
    });
    // A new denied folder is checked against the kept allowed ones.
    await updateMailbox(added.id, { filters: { allowedFolders: [`${TOIS}/Inbox/Orders`] } });
    await expectRefused(
      server,
      UPDATE_MAILBOX,
      { id: added.id, input: { filters: { deniedFolders: [`${TOIS}/Inbox`] } } },
      {
        code: "BAD_USER_INPUT",
        field: "input.filters.allowedFolders.0",
        message: [`"${TOIS}/Inbox/Orders" is inside denied folder "${TOIS}/Inbox"`],
      },
    );
  });
});

describe("folder filters", () => {
  it.each([
    [
      "inside",
      [`${TOIS}/Inbox/Orders/2024`],
      [`${TOIS}/Archive`, `${TOIS}/Inbox/Orders`],
      `Allowed folder "${TOIS}/Inbox/Orders/2024" is inside denied folder "${TOIS}/Inbox/Orders"`,
    ],
    [
      "equal to (in another case, with a trailing /)",
      [`${TOIS}/Inbox`],
      ["root/top of information store/INBOX/"],
      `Allowed folder "${TOIS}/Inbox" is also denied folder "root/top of information store/INBOX"`,
    ],
  ])(
    "refuses an allowed folder %s a denied one, naming both",
    async (_, allowedFolders, deniedFolders, message) => {
      await refuseAdd(
        { email: "leo@contoso.com", allTime: true, filters: { allowedFolders, deniedFolders } },
        {
          code: "BAD_USER_INPUT",
          field: "input.filters.allowedFolders.0",
          message: [message, /a denied folder inside an allowed one is fine/],
        },
      );
    },
  );

  it("accepts a denied folder inside an allowed one", async () => {
    const added = await addMailbox({
      email: "leo@contoso.com",
      allTime: true,
      filters: { allowedFolders: [`${TOIS}/Inbox`], deniedFolders: [`${TOIS}/Inbox/Projects`] },
    });
    expect(added.filters).toMatchObject({
      allowedFolders: [`${TOIS}/Inbox`],
      deniedFolders: [`${TOIS}/Inbox/Projects`],
    });
  });

  it("keeps \\/ escapes, drops a trailing / and case-insensitive duplicates (the first spelling wins)", async () => {
    const added = await addMailbox({
      email: "mia@contoso.com",
      allTime: true,
      filters: {
        allowedFolders: [
          `${TOIS}/Inbox/Invoices\\/Receipts/`,
          "root/top of information store/INBOX/invoices\\/receipts",
          `${TOIS}/Archive`,
        ],
        deniedFolders: [`${TOIS}/Junk Email/`, `${TOIS}/junk email`],
      },
    });
    expect(added.filters).toMatchObject({
      allowedFolders: [`${TOIS}/Inbox/Invoices\\/Receipts`, `${TOIS}/Archive`],
      deniedFolders: [`${TOIS}/Junk Email`],
    });
    const read = await server.ok<{ mailbox: MailboxView }>(READ_MAILBOX, { id: added.id });
    expect(read.mailbox.filters).toEqual(added.filters);
  });

  it.each([
    ["an empty path", "  ", /Folder path is empty/],
    ["a leading /", `/${TOIS}`, /starts with "\/"/],
    ["an empty name", `${TOIS}//Inbox`, /empty folder name/],
    ["a backslash that escapes nothing", `${TOIS}/In\\box`, /"\\" that escapes nothing/],
  ])("refuses a folder path with %s at its position", async (_, path, reason) => {
    await refuseAdd(
      {
        email: "ned@contoso.com",
        allTime: true,
        filters: { deniedFolders: [`${TOIS}/Junk Email`, path] },
      },
      { code: "BAD_USER_INPUT", field: "input.filters.deniedFolders.1", message: [reason] },
    );
  });
});

describe("participant and domain filters", () => {
  it("refuses an invalid participant address at its position", async () => {
    for (const list of ["allowedParticipants", "deniedParticipants"]) {
      await refuseAdd(
        {
          email: "olga@contoso.com",
          allTime: true,
          filters: { [list]: ["ok@contoso.com", "not-an-address"] },
        },
        {
          code: "BAD_USER_INPUT",
          field: `input.filters.${list}.1`,
          message: [/Email address "not-an-address" has no @/],
        },
      );
    }
  });

  it("stores participants lower-cased without duplicates, and domains canonically", async () => {
    const added = await addMailbox({
      email: "olga@contoso.com",
      allTime: true,
      filters: {
        allowedParticipants: ["Boss@Contoso.com", "boss@contoso.com", "team@fabrikam.co.uk"],
        allowedDomains: ["reinfer.*", "Fabrikam.CO.UK", "REINFER.*"],
        deniedDomains: ["mail.reinfer.com"],
      },
    });
    expect(added.filters).toMatchObject({
      allowedParticipants: ["boss@contoso.com", "team@fabrikam.co.uk"],
      allowedDomains: ["reinfer.*", "fabrikam.co.uk"],
      deniedDomains: ["mail.reinfer.com"],
    });
  });

  it.each(["*.com", "re*fer.com", "*", "reinfer.*.com", "mail.reinfer.*", "*reinfer.com"])(
    "refuses the domain filter %j: only a whole public suffix after a name may be a wildcard",
    async (entry) => {
      for (const list of ["allowedDomains", "deniedDomains"]) {
        await refuseAdd(
          { email: "pia@contoso.com", allTime: true, filters: { [list]: ["contoso.com", entry] } },
          {
            code: "BAD_USER_INPUT",
            field: `input.filters.${list}.1`,
            message: [
              `Domain filter "${entry}" is not accepted`,
              'the only wildcard allowed is a whole public suffix after a name, written like "reinfer.*"',
            ],
          },
        );
      }
    },
  );

  it("refuses a domain filter that is not a domain", async () => {
    await refuseAdd(
      { email: "pia@contoso.com", allTime: true, filters: { deniedDomains: ["not a domain"] } },
      {
        code: "BAD_USER_INPUT",
        field: "input.filters.deniedDomains.0",
        message: [/Domain filter "not a domain"/],
      },
    );
  });
});

describe("removeMailbox", () => {
  it("removes the mailbox but keeps its bucket and the messages in it", async () => {
    const added = await addMailbox({ email: "quinn@contoso.com", allTime: true });
    const project = (
      await server.ok<{ project: { id: string; name: string } }>(
        `{ project(name: "mbx") { id name } }`,
      )
    ).project;
    await storeAndPublish(server, project, added.bucket.id, [
      incomingMessage({ mailbox: "quinn@contoso.com", subject: "kept after removal" }),
    ]);
    expect(
      (await server.ok<{ removeMailbox: boolean }>(REMOVE_MAILBOX, { id: added.id })).removeMailbox,
    ).toBe(true);
    expect(
      (await server.ok<{ mailbox: unknown }>(READ_MAILBOX, { id: added.id })).mailbox,
    ).toBeNull();
    const bucket = await server.ok<{
      bucket: {
        name: string;
        messageCount: number;
        messages: { edges: { node: { subject: string } }[] };
      };
    }>(
      `query($id: ID!) { bucket(id: $id) { name messageCount messages { edges { node { subject } } } } }`,
      {
        id: added.bucket.id,
      },
    );
    expect(bucket.bucket).toEqual({
      name: "mail_quinn-contoso-com",
      messageCount: 1,
      messages: { edges: [{ node: { subject: "kept after removal" } }] },
    });
    await expectRefused(server, REMOVE_MAILBOX, { id: added.id }, { code: "NOT_FOUND" });
    // Added again, it gets a fresh automatic bucket: the kept one's name is taken.
    const again = await addMailbox({ email: "quinn@contoso.com", allTime: true });
    expect(again.bucket.name).toBe("mail_quinn-contoso-com-2");
  });
});

interface Estimate {
  messages: number;
  units: number;
  folders: { folder: string; messages: number; included: boolean }[];
}

const estimate = async (mailbox: Record<string, unknown>): Promise<Estimate> =>
  (await server.ok<{ estimateVolume: Estimate }>(ESTIMATE, { integrationId: mail.id, mailbox }))
    .estimateVolume;

/** The mailbox's folders as Graph lists them below Top of Information Store, search folders left out. */
function liveFolders(email: string) {
  return env.sim
    .folders(email)
    .filter((f) => !f.isSearchFolder && f.path[1] === "Top of Information Store")
    .map((f) => ({ folder: folderText(f.path), total: f.totalItemCount }));
}

/** A plain reading of "a folder matches an entry when it is that folder or below it", case-insensitive. */
function matches(folder: string, entry: string): boolean {
  const f = folder.toLowerCase();
  const e = entry.toLowerCase();
  return f === e || f.startsWith(`${e}/`);
}

describe("estimateVolume", () => {
  it("counts every folder of an all-time mailbox as the mailbox itself does", async () => {
    const result = await estimate({ email: alice, allTime: true });
    const truth = liveFolders(alice);
    expect(result.folders.map((f) => f.folder).sort()).toEqual(truth.map((f) => f.folder).sort());
    for (const { folder, total } of truth) {
      expect(
        result.folders.find((f) => f.folder === folder),
        folder,
      ).toEqual({
        folder,
        messages: total,
        included: true,
      });
    }
    const all = expectedMessages(env.sim.groundTruth(alice), { mailbox: alice, syncFrom: null });
    expect(all.length).toBeGreaterThan(200);
    expect(result).toMatchObject({ messages: all.length, units: all.length });
    // It says what it cannot count.
    const { estimateVolume } = await server.ok<{ estimateVolume: { note: string } }>(
      `query($integrationId: ID!, $mailbox: MailboxInput!) { estimateVolume(integrationId: $integrationId, mailbox: $mailbox) { note } }`,
      { integrationId: mail.id, mailbox: { email: alice, allTime: true } },
    );
    expect(estimateVolume.note).toMatch(/Participant and domain filters are not counted/);
  });

  it("marks the folders the folder filters select, and totals only those", async () => {
    const filters = {
      allowedFolders: [`${TOIS}/Inbox`, `${TOIS}/Archive`],
      deniedFolders: [`${TOIS}/Inbox/Projects`, `${TOIS}/Archive/2022`],
    };
    const result = await estimate({ email: alice, allTime: true, filters });
    for (const f of result.folders) {
      const expected =
        filters.allowedFolders.some((e) => matches(f.folder, e)) &&
        !filters.deniedFolders.some((e) => matches(f.folder, e));
      expect(f.included, f.folder).toBe(expected);
    }
    expect(result.folders.filter((f) => f.included).length).toBeGreaterThan(3);
    expect(result.folders.filter((f) => !f.included).length).toBeGreaterThan(10);
    const sum = result.folders.filter((f) => f.included).reduce((n, f) => n + f.messages, 0);
    expect(result.messages).toBe(sum);
    expect(result.units).toBe(sum);
    const expected = expectedMessages(env.sim.groundTruth(alice), {
      mailbox: alice,
      syncFrom: null,
      ...filters,
    });
    expect(result.messages).toBe(expected.length);
  });

  it("under syncFrom counts each included folder's messages received at or after it", async () => {
    const received = [...env.sim.groundTruth(alice)].map((m) => m.receivedDateTime).sort();
    // Exactly a message's receivedDateTime: "at or after" must count it.
    const syncFrom = received[Math.floor(received.length / 2)]!;
    const filters = { deniedFolders: [`${TOIS}/Sent Items`] };
    const result = await estimate({ email: alice, syncFrom, filters });
    const expected = expectedMessages(env.sim.groundTruth(alice), {
      mailbox: alice,
      syncFrom: new Date(syncFrom),
      ...filters,
    });
    const perFolder = new Map<string, number>();
    for (const m of expected)
      perFolder.set(folderText(m.folderPath), (perFolder.get(folderText(m.folderPath)) ?? 0) + 1);
    for (const f of result.folders.filter((x) => x.included)) {
      expect(f.messages, f.folder).toBe(perFolder.get(f.folder) ?? 0);
    }
    expect(result.folders.find((f) => f.folder === `${TOIS}/Sent Items`)?.included).toBe(false);
    expect(result.messages).toBe(expected.length);
    expect(result.messages).toBe(
      result.folders.filter((f) => f.included).reduce((n, f) => n + f.messages, 0),
    );
    expect(result.messages).toBeLessThan(received.length);
    expect(result.messages).toBeGreaterThan(50);
  });

  it("refuses invalid mailbox input as addMailbox does, and says when Graph cannot read the mailbox", async () => {
    const query = (mailbox: Record<string, unknown>) => ({ integrationId: mail.id, mailbox });
    await expectRefused(
      server,
      ESTIMATE,
      query({ email: alice, allTime: true, syncFrom: "2024-01-01T00:00:00Z" }),
      {
        code: "BAD_USER_INPUT",
        field: "mailbox.allTime",
        message: [/not both/],
      },
    );
    await expectRefused(
      server,
      ESTIMATE,
      query({ email: alice, allTime: true, filters: { allowedDomains: ["*.com"] } }),
      {
        code: "BAD_USER_INPUT",
        field: "mailbox.filters.allowedDomains.0",
      },
    );
    await expectRefused(
      server,
      ESTIMATE,
      query({ email: env.tenant.mailboxes.dave, allTime: true }),
      {
        code: "BAD_USER_INPUT",
        field: "mailbox.email",
        message: [/MailboxNotEnabledForRESTAPI/],
      },
    );
    await expectRefused(server, ESTIMATE, query({ email: "nobody@contoso.com", allTime: true }), {
      code: "BAD_USER_INPUT",
      field: "mailbox.email",
      message: [/ErrorInvalidUser/],
    });
  });
});

describe("mailboxFolders", () => {
  it("lists the live folder tree as filter paths, a / inside a name escaped, and the path works as a filter", async () => {
    const made = env.sim.createFolder(alice, ["Inbox"], "Q1/Q2 reports");
    env.sim.createFolder(alice, ["Inbox", "Q1/Q2 reports"], "C:\\drafts");
    const folders = (
      await server.ok<{ mailboxFolders: string[] }>(FOLDERS, {
        integrationId: mail.id,
        email: alice,
      })
    ).mailboxFolders;
    const escaped = `${TOIS}/Inbox/Q1\\/Q2 reports`;
    expect(folders).toContain(escaped);
    expect(folders).toContain(`${escaped}/C:\\\\drafts`);
    expect(folders).toContain(`${TOIS}/Inbox/Invoices\\/Receipts`);
    expect(folders).toContain(`${TOIS}/Yammer Root/Inbound`);
    expect(folders).not.toContain(`${TOIS}/Inbox/Recent mail`);
    expect([...folders].sort()).toEqual(
      liveFolders(alice)
        .map((f) => f.folder)
        .sort(),
    );
    expect(new Set(folders).size).toBe(folders.length);
    // Tree order: every folder after its parent.
    folders.forEach((folder, i) => {
      const parent = folder.replace(/\/(?:[^/\\]|\\.)*$/, "");
      if (folder !== TOIS) expect(folders.indexOf(parent), folder).toBeLessThan(i);
    });

    // Delivered into the new folder, a message shows in an estimate that allows only that folder.
    env.sim.deliver(alice, { folder: made.path });
    const result = await estimate({
      email: alice,
      allTime: true,
      filters: { allowedFolders: [escaped] },
    });
    expect(result.folders.filter((f) => f.included).map((f) => f.folder)).toEqual([
      escaped,
      `${escaped}/C:\\\\drafts`,
    ]);
    expect(result.messages).toBe(1);
  });

  it("refuses an invalid address and names Graph's reason for a mailbox it cannot read", async () => {
    await expectRefused(
      server,
      FOLDERS,
      { integrationId: mail.id, email: "not-an-address" },
      {
        code: "BAD_USER_INPUT",
        field: "email",
        message: [/has no @/],
      },
    );
    await expectRefused(
      server,
      FOLDERS,
      { integrationId: mail.id, email: env.tenant.mailboxes.erin },
      {
        code: "BAD_USER_INPUT",
        field: "email",
        message: [/MailboxNotEnabledForRESTAPI/],
      },
    );
  });
});
