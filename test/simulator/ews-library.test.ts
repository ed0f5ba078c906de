import { XhrApi } from "@ewsjs/xhr";
import {
  BasePropertySet,
  EmailMessage,
  EmailMessageSchema,
  FileAttachment,
  ItemId,
  ConfigurationApi,
  ExchangeService,
  ExchangeVersion,
  FolderId,
  FolderTraversal,
  FolderView,
  ItemSchema,
  ItemView,
  Mailbox,
  PropertySet,
  SearchFilter,
  ServiceError,
  SoapFaultDetails,
  SyncFolderItemsScope,
  Uri,
  WebCredentials,
  WellKnownFolderName,
  type Item,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "./test-simulator.js";

/**
 * The simulator checked against a real EWS client library: ews-javascript-api (a port of
 * Microsoft's EWS Managed API) with @ewsjs/xhr's NTLM, as a third-party client would use it.
 * That NTLM provider handshakes on every request and closes the connection (Connection: Close),
 * which the simulator's record shows: one handshake per connection, one request per connection.
 */
let sim: Simulator;
const alice = "alice@adatum.com";
const username = "ADATUM\\svc";
const password = "Adatum-pw1";

beforeAll(async () => {
  sim = await startTestSimulator();
  const tenant = sim.addTenant({ name: "adatum", domains: ["adatum.com"], seed: 21 });
  tenant.addMailbox({ email: alice, messages: 60 });
  tenant.addServiceUser({ upn: "svc@adatum.com", password, fullAccessTo: [alice] });
  ConfigurationApi.ConfigureXHR(new XhrApi().useNtlmAuthentication(username, password));
});

afterAll(() => sim.stop());

function service(): ExchangeService {
  const s = new ExchangeService(ExchangeVersion.Exchange2016);
  s.Credentials = new WebCredentials(username, password);
  s.Url = new Uri(sim.ewsUrl);
  return s;
}

describe("ews-javascript-api over NTLM", () => {
  it("finds folders and items, loads items and syncs a folder", async () => {
    const ews = service();
    const root = new FolderId(WellKnownFolderName.MsgFolderRoot, new Mailbox(alice));
    const view = new FolderView(200);
    view.Traversal = FolderTraversal.Deep;
    const folders = await ews.FindFolders(root, view);
    const names = folders.Folders.map((f) => f.DisplayName);
    expect(names).toEqual(
      expect.arrayContaining(["Inbox", "Invoices/Receipts", "Ünïcödé – 日本語 📬"]),
    );

    const inbox = new FolderId(WellKnownFolderName.Inbox, new Mailbox(alice));
    const truth = [...sim.groundTruth(alice)].filter((m) => m.folderPath.at(-1) === "Inbox");
    const items: Item[] = [];
    const itemView = new ItemView(10);
    for (;;) {
      const page = await ews.FindItems(
        inbox,
        new SearchFilter.IsGreaterThanOrEqualTo(
          ItemSchema.DateTimeReceived,
          "2020-01-01T00:00:00Z",
        ),
        itemView,
      );
      items.push(...page.Items);
      if (!page.MoreAvailable) break;
      itemView.Offset = page.NextPageOffset ?? 0;
    }
    expect(items.map((i) => i.Id.UniqueId).sort()).toEqual(truth.map((t) => t.restId).sort());

    const batch = items.slice(0, 5);
    const loaded = await ews.BindToItems(
      batch.map((i) => i.Id),
      new PropertySet(BasePropertySet.FirstClassProperties),
    );
    for (const response of loaded.Responses) {
      const item = response.Item;
      const expected = truth.find((t) => t.restId === item.Id.UniqueId);
      expect(item.Subject).toBe(expected?.subject);
      expect(item.DateTimeReceived.ToISOString().replace(/\.\d+Z$/, "Z")).toBe(
        expected?.receivedDateTime,
      );
    }

    let state = "";
    let synced = 0;
    for (;;) {
      const sync = await ews.SyncFolderItems(
        inbox,
        PropertySet.IdOnly,
        [],
        7,
        SyncFolderItemsScope.NormalItems,
        state,
      );
      synced += sync.Count;
      state = sync.SyncState;
      if (!sync.MoreChangesAvailable) break;
    }
    expect(synced).toBe(truth.length);
    const delivered = sim.deliver(alice, { subject: "through the library" });
    const changes = await ews.SyncFolderItems(
      inbox,
      PropertySet.FirstClassProperties,
      [],
      7,
      SyncFolderItemsScope.NormalItems,
      state,
    );
    expect(changes.Count).toBe(1);
    const [change] = changes.GetEnumerator();
    expect(change?.ItemId.UniqueId).toBe(delivered.restId);
    expect(change?.Item.Subject).toBe("through the library");

    // Attachments: metadata through Bind, the content through GetAttachment.
    const withFile = [...sim.groundTruth(alice)].find((t) =>
      t.attachments.some((a) => a.kind === "file" && !a.isInline),
    );
    const file = withFile?.attachments.find((a) => a.kind === "file" && !a.isInline);
    if (!withFile || !file) throw new Error("seed has no file attachment");
    const message = await EmailMessage.Bind(
      ews,
      new ItemId(withFile.restId),
      new PropertySet(BasePropertySet.IdOnly, [
        ItemSchema.Attachments,
        EmailMessageSchema.InternetMessageId,
      ]),
    );
    expect(message.InternetMessageId).toBe(withFile.internetMessageId);
    const attachments = message.Attachments.GetEnumerator();
    const attachment = attachments.find((a) => a.Id === file.id) as FileAttachment;
    expect(attachment.Name).toBe(file.name);
    await attachment.Load();
    expect(
      Buffer.from(attachment.Base64Content, "base64").equals(
        sim.attachmentContent(alice, withFile.id, file.id),
      ),
    ).toBe(true);

    // @ewsjs/xhr handshakes per request on a new connection; the record shows it.
    const record = sim.ewsRecord();
    const used = record.connections.filter((c) => c.handshakes > 0);
    expect(used.length).toBeGreaterThan(2);
    expect(used.every((c) => c.handshakes === 1)).toBe(true);
    expect(record.ntlmFailures).toEqual([]);
  });

  it("reads the simulator's ErrorServerBusy fault as Exchange's, BackOffMilliseconds included", async () => {
    sim.addFault({
      target: "ews",
      action: { type: "ewsServerBusy", backOffMs: 1234, httpStatus: 500 },
    });
    const ews = service();
    const error: unknown = await ews
      .FindFolders(
        new FolderId(WellKnownFolderName.MsgFolderRoot, new Mailbox(alice)),
        new FolderView(10),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const details = error as SoapFaultDetails;
    expect(details.ResponseCode).toBe(ServiceError.ErrorServerBusy);
    expect(details.HttpStatusCode).toBe(500);
    expect(details.ErrorDetails.get("BackOffMilliseconds")).toBe("1234");
  });
});
