import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import {
  appToken,
  collectPages,
  graphGet,
  type GraphCollection,
  type GraphErrorBody,
} from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let token: string;
const alice = "alice@northwind.com";
const bob = "bob@northwind.com";

beforeAll(async () => {
  sim = await startTestSimulator();
  const tenant = sim.addTenant({ name: "northwind", domains: ["northwind.com"], seed: 9 });
  const app = tenant.addApp();
  const secret = app.addSecret().value;
  tenant.addMailbox({ email: alice, messages: 600 });
  tenant.addMailbox({ email: bob, messages: 5 });
  token = await appToken(sim, tenant.id, app.clientId, secret);
});

afterAll(() => sim.stop());

interface Folder {
  id: string;
  displayName: string;
  isHidden: boolean;
  totalItemCount: number;
  childFolderCount: number;
  "@odata.type"?: string;
}

describe("mailFolders", () => {
  it("lists top-level folders 10 per page by default and hides hidden ones unless asked", async () => {
    const first = await graphGet<GraphCollection<Folder>>(
      sim,
      token,
      `/users/${alice}/mailFolders`,
    );
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(10);
    expect(first.body["@odata.nextLink"]).toContain("%24skip=10");
    const visible = await collectPages<Folder>(sim, token, `/users/${alice}/mailFolders`);
    const all = await collectPages<Folder>(
      sim,
      token,
      `/users/${alice}/mailFolders?includeHiddenFolders=true`,
    );
    expect(visible.items.some((f) => f.isHidden)).toBe(false);
    expect(all.items.filter((f) => f.isHidden).map((f) => f.displayName)).toEqual([
      "Yammer Root",
      "Conversation Action Settings",
    ]);
    expect(all.items.length).toBe(visible.items.length + 2);
    expect(visible.pages).toBe(2);
  });

  it("resolves well-known names, with msgfolderroot being Top of Information Store", async () => {
    const root = await graphGet<Folder>(sim, token, `/users/${alice}/mailFolders/msgfolderroot`);
    expect(root.body.displayName).toBe("Top of Information Store");
    const inbox = await graphGet<Folder>(sim, token, `/users/${alice}/mailFolders('Inbox')`);
    expect(inbox.body.displayName).toBe("Inbox");
    const byId = await graphGet<Folder>(sim, token, `/users/${alice}/mailFolders/${inbox.body.id}`);
    expect(byId.body.id).toBe(inbox.body.id);
    const malformed = await graphGet<GraphErrorBody>(
      sim,
      token,
      `/users/${alice}/mailFolders/nosuchfolder`,
    );
    expect([malformed.status, malformed.body.error.code]).toEqual([400, "ErrorInvalidIdMalformed"]);
    const otherMailboxFolder = sim.folders(bob).find((f) => f.wellKnownName === "inbox")?.id;
    const unknown = await graphGet<GraphErrorBody>(
      sim,
      token,
      `/users/${alice}/mailFolders/${otherMailboxFolder}`,
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "ErrorItemNotFound"]);
  });

  it("pages childFolders and keeps names with '/', unicode and emoji intact", async () => {
    const inbox = await collectPages<Folder>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/childFolders`,
    );
    const names = inbox.items.map((f) => f.displayName);
    expect(names).toEqual(
      expect.arrayContaining([
        "Invoices/Receipts",
        "Ünïcödé – 日本語 📬",
        "Projects",
        "Recent mail",
      ]),
    );
    const projects = inbox.items.find((f) => f.displayName === "Projects");
    const children = await collectPages<Folder>(
      sim,
      token,
      `/users/${alice}/mailFolders/${projects?.id}/childFolders`,
    );
    expect(children.items).toHaveLength(13);
    expect(children.pages).toBe(2);
    const nested = await graphGet<GraphCollection<Folder>>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/childFolders/${projects?.id}/childFolders?$top=50`,
    );
    expect(nested.body.value).toHaveLength(13);
  });

  it("marks search folders with their derived type", async () => {
    const inbox = await collectPages<Folder>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/childFolders`,
    );
    const search = inbox.items.find((f) => f.displayName === "Recent mail");
    expect(search?.["@odata.type"]).toBe("#microsoft.graph.mailSearchFolder");
    expect(inbox.items.filter((f) => f["@odata.type"])).toHaveLength(1);
  });
});

interface Message {
  id: string;
  receivedDateTime: string;
  subject?: string;
  body?: unknown;
  parentFolderId?: string;
}

describe("messages listing", () => {
  it("pages 10 by default, newest first, with $skip links", async () => {
    const truthInbox = [...sim.groundTruth(alice)].filter((m) => m.folderPath.at(-1) === "Inbox");
    const first = await graphGet<GraphCollection<Message>>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/messages`,
    );
    expect(first.body.value).toHaveLength(10);
    const all = await collectPages<Message>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/messages?$top=100`,
    );
    expect(all.items).toHaveLength(truthInbox.length);
    const times = all.items.map((m) => m.receivedDateTime);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("filters by receivedDateTime, orders ascending, selects fields and counts", async () => {
    const from = "2024-01-01T00:00:00Z";
    const before = "2024-07-01T00:00:00Z";
    const url = `/users/${alice}/mailFolders/inbox/messages?$filter=receivedDateTime ge ${from} and receivedDateTime lt ${before}&$orderby=receivedDateTime asc&$select=id,receivedDateTime&$top=7&$count=true`;
    const first = await graphGet<GraphCollection<Message>>(sim, token, url);
    const expected = [...sim.groundTruth(alice)]
      .filter(
        (m) =>
          m.folderPath.at(-1) === "Inbox" &&
          m.receivedDateTime >= from &&
          m.receivedDateTime < before,
      )
      .map((m) => m.receivedDateTime)
      .sort();
    expect(first.body["@odata.count"]).toBe(expected.length);
    expect(Object.keys(first.body.value[0] ?? {}).sort()).toEqual([
      "@odata.etag",
      "id",
      "receivedDateTime",
    ]);
    const all = await collectPages<Message>(sim, token, url);
    expect(all.items.map((m) => m.receivedDateTime)).toEqual(expected);
  });

  it("serves a listing again with the changes made since (rendered JSON is cached per change)", async () => {
    const url = `/users/${bob}/mailFolders/inbox/messages?$select=internetMessageId,isRead,parentFolderId&$expand=attachments`;
    type Row = Message & { internetMessageId: string; isRead: boolean; parentFolderId: string };
    const before = (await collectPages<Row>(sim, token, url)).items;
    expect(before.length).toBeGreaterThanOrEqual(2);
    const truth = [...sim.groundTruth(bob)];
    const idOf = (row: Row) => truth.find((m) => m.internetMessageId === row.internetMessageId)!.id;
    const [read, moved] = before as [Row, Row];
    sim.markRead(bob, idOf(read), !read.isRead);
    sim.moveMessage(bob, idOf(moved), ["Archive"]);

    const after = (await collectPages<Row>(sim, token, url)).items;
    expect(after.map((m) => m.internetMessageId)).toEqual(
      before.filter((m) => m !== moved).map((m) => m.internetMessageId),
    );
    expect(after.find((m) => m.internetMessageId === read.internetMessageId)?.isRead).toBe(
      !read.isRead,
    );
    const archive = sim.folders(bob).find((f) => f.wellKnownName === "archive")!;
    const archived = (
      await collectPages<Row>(
        sim,
        token,
        `/users/${bob}/mailFolders/archive/messages?$select=internetMessageId,parentFolderId`,
      )
    ).items.find((m) => m.internetMessageId === moved.internetMessageId);
    expect(archived?.parentFolderId).toBe(archive.id);
  });

  it("refuses a $select of a property messages do not have", async () => {
    const bad = await graphGet<GraphErrorBody>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/messages?$select=nosuchfield`,
    );
    expect([bad.status, bad.body.error.code]).toEqual([400, "RequestBroker--ParseUri"]);
  });

  it("lists a search folder's matches from their own folders", async () => {
    const inbox = await collectPages<Folder>(
      sim,
      token,
      `/users/${alice}/mailFolders/inbox/childFolders`,
    );
    const search = inbox.items.find((f) => f.displayName === "Recent mail");
    const listed = await collectPages<Message>(
      sim,
      token,
      `/users/${alice}/mailFolders/${search?.id}/messages?$top=100`,
    );
    expect(listed.items.length).toBe(search?.totalItemCount);
    expect(listed.items.length).toBeGreaterThan(0);
    expect(listed.items.every((m) => m.parentFolderId !== search?.id)).toBe(true);
  });
});
