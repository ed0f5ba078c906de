import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator, TruthMessage } from "../../simulator/index.js";
import { EwsConnection, dig, getFolderXml, list, soap } from "./ews-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let conn: EwsConnection;
const alice = "alice@fabrikam.com";
const svc = { user: "svc", domain: "FABRIKAM", password: "pw-Fabrikam1" };

beforeAll(async () => {
  sim = await startTestSimulator();
  const tenant = sim.addTenant({ name: "fabrikam", domains: ["fabrikam.com"], seed: 9 });
  tenant.addMailbox({ email: alice, messages: 400 });
  tenant.addServiceUser({ upn: "svc@fabrikam.com", password: svc.password, fullAccessTo: [alice] });
  // The mailbox owner can sign in too (for requests that name no mailbox, as Microsoft's samples).
  tenant.addServiceUser({ upn: alice, password: "Alice-pw1" });
  conn = new EwsConnection(sim.ewsUrl);
  expect((await conn.ntlm(svc, getFolderXml("msgfolderroot", alice))).status).toBe(200);
});

afterAll(async () => {
  conn.close();
  await sim.stop();
});

const box = `<t:Mailbox><t:EmailAddress>${alice}</t:EmailAddress></t:Mailbox>`;
const folderRef = (id: string): string =>
  /^[a-z]+$/.test(id)
    ? `<t:DistinguishedFolderId Id="${id}">${box}</t:DistinguishedFolderId>`
    : `<t:FolderId Id="${id}"/>`;

async function call(operation: string, inner: string): Promise<Record<string, unknown>[]> {
  const answer = await conn.post(soap(`<m:${operation}>${inner}</m:${operation}>`));
  expect(answer.status, answer.text).toBe(200);
  return list(
    dig(answer.body, `${operation}Response`, "ResponseMessages", `${operation}ResponseMessage`),
  );
}

async function syncAll(
  folder: string,
  shape = "IdOnly",
  start?: string,
): Promise<{
  pages: Record<string, unknown>[];
  state: string;
}> {
  const pages: Record<string, unknown>[] = [];
  let state = start;
  for (;;) {
    const [page] = await call(
      "SyncFolderItems",
      `<m:ItemShape><t:BaseShape>${shape}</t:BaseShape></m:ItemShape><m:SyncFolderId>${folderRef(folder)}</m:SyncFolderId>${state ? `<m:SyncState>${state}</m:SyncState>` : ""}<m:MaxChangesReturned>37</m:MaxChangesReturned>`,
    );
    expect(page?.ResponseCode).toBe("NoError");
    pages.push(page ?? {});
    state = String(page?.SyncState);
    if (page?.IncludesLastItemInRange === "true") return { pages, state };
  }
}

function created(pages: Record<string, unknown>[]): string[] {
  return pages.flatMap((p) =>
    list(dig(p, "Changes", "Create")).map((c) => String(dig(c, "Message", "ItemId", "@_Id"))),
  );
}

const inboxTruth = (): TruthMessage[] =>
  [...sim.groundTruth(alice)].filter(
    (m) => m.folderPath.join("/") === "Root/Top of Information Store/Inbox",
  );

describe("folders", () => {
  it("walks the hierarchy with SyncFolderHierarchy from msgfolderroot (hidden and search folders included) and then only new folders", async () => {
    const [root] = await call(
      "GetFolder",
      `<m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds>${folderRef("msgfolderroot")}</m:FolderIds>`,
    );
    expect(dig(root, "Folders", "Folder", "DisplayName")).toBe("Top of Information Store");
    // Default is DisplayName and the counts; ParentFolderId comes with AllProperties.
    expect(dig(root, "Folders", "Folder", "ParentFolderId")).toBeUndefined();
    const [sync] = await call(
      "SyncFolderHierarchy",
      `<m:FolderShape><t:BaseShape>AllProperties</t:BaseShape><t:AdditionalProperties><t:ExtendedFieldURI PropertyTag="0x10f4" PropertyType="Boolean"/></t:AdditionalProperties></m:FolderShape><m:SyncFolderId>${folderRef("msgfolderroot")}</m:SyncFolderId>`,
    );
    const creates = list(dig(sync, "Changes", "Create"));
    const folders = creates.map((c) => (c.Folder ?? c.SearchFolder) as Record<string, unknown>);
    const truth = sim
      .folders(alice)
      .filter((f) => f.path.length > 2 && f.path[1] === "Top of Information Store");
    expect(folders.map((f) => dig(f, "FolderId", "@_Id")).sort()).toEqual(
      truth.map((f) => f.id).sort(),
    );
    const yammer = folders.find((f) => f.DisplayName === "Yammer Root");
    expect(dig(yammer, "ExtendedProperty", "Value")).toBe("true");
    expect(creates.some((c) => c.SearchFolder !== undefined)).toBe(true);
    const slash = folders.find((f) => f.DisplayName === "Invoices/Receipts");
    const inboxId = truth.find((f) => f.wellKnownName === "inbox")?.id;
    expect(dig(slash, "ParentFolderId", "@_Id")).toBe(inboxId);

    const made = sim.createFolder(alice, ["Inbox"], "New one");
    const [again] = await call(
      "SyncFolderHierarchy",
      `<m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:SyncFolderId>${folderRef("msgfolderroot")}</m:SyncFolderId><m:SyncState>${String(sync?.SyncState)}</m:SyncState>`,
    );
    expect(
      list(dig(again, "Changes", "Create")).map((c) => dig(c, "Folder", "FolderId", "@_Id")),
    ).toEqual([made.id]);
    const [found] = await call(
      "FindFolder",
      `<m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:IndexedPageFolderView MaxEntriesReturned="5" Offset="0" BasePoint="Beginning"/><m:ParentFolderIds>${folderRef("msgfolderroot")}</m:ParentFolderIds>`,
    ).then((m) => m.map((x) => x.RootFolder as Record<string, unknown>));
    expect(found?.["@_IncludesLastItemInRange"]).toBe("false");
    expect(list(dig(found, "Folders", "Folder"))).toHaveLength(5);
  });
});

describe("items", () => {
  it("SyncFolderItems pages the folder newest first to IncludesLastItemInRange, then reports only changes", async () => {
    const { pages, state } = await syncAll("inbox");
    const ids = created(pages);
    const truth = inboxTruth();
    expect(pages.length).toBe(Math.ceil(truth.length / 37));
    expect(new Set(ids).size).toBe(ids.length);
    const byReceived = [...truth].sort((a, b) =>
      b.receivedDateTime.localeCompare(a.receivedDateTime),
    );
    expect(
      ids.slice(0, 5).map((id) => truth.find((t) => t.restId === id)?.receivedDateTime),
    ).toEqual(byReceived.slice(0, 5).map((t) => t.receivedDateTime));
    expect(ids.sort()).toEqual(truth.map((t) => t.restId).sort());

    // Nothing changed: an empty page that includes the last item.
    const quiet = await syncAll("inbox", "IdOnly", state);
    expect(created(quiet.pages)).toEqual([]);

    // A delivery, a read flag, a move out (delete) and a move in (create with a new id).
    const delivered = sim.deliver(alice, { subject: "fresh" });
    const [toRead, toMove] = truth;
    sim.markRead(alice, toRead?.restId ?? "", true);
    const moved = sim.moveMessage(alice, toMove?.restId ?? "", ["Archive"]);
    expect(moved.restId).not.toBe(toMove?.restId);
    const changes = await syncAll("inbox", "Default", quiet.state);
    const [page] = changes.pages;
    expect(created(changes.pages)).toEqual([delivered.restId]);
    expect(dig(page, "Changes", "Create", "Message", "Subject")).toBe("fresh");
    expect(dig(page, "Changes", "ReadFlagChange", "ItemId", "@_Id")).toBe(toRead?.restId);
    expect(dig(page, "Changes", "ReadFlagChange", "IsRead")).toBe("true");
    expect(dig(page, "Changes", "Delete", "ItemId", "@_Id")).toBe(toMove?.restId);

    const archive = await syncAll("archive");
    expect(created(archive.pages)).toContain(moved.restId);

    // An expired state answers ErrorInvalidSyncStateData; a new sync starts over.
    sim.expireEwsSyncStates(alice, "inbox");
    const [expired] = await call(
      "SyncFolderItems",
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId>${folderRef("inbox")}</m:SyncFolderId><m:SyncState>${changes.state}</m:SyncState><m:MaxChangesReturned>10</m:MaxChangesReturned>`,
    );
    expect([expired?.["@_ResponseClass"], expired?.ResponseCode]).toEqual([
      "Error",
      "ErrorInvalidSyncStateData",
    ]);
    const [corrupt] = await call(
      "SyncFolderItems",
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId>${folderRef("inbox")}</m:SyncFolderId><m:SyncState>bm9wZQ==</m:SyncState><m:MaxChangesReturned>10</m:MaxChangesReturned>`,
    );
    expect(corrupt?.ResponseCode).toBe("ErrorInvalidSyncStateData");
    const fresh = await syncAll("inbox");
    expect(created(fresh.pages).sort()).toEqual(
      inboxTruth()
        .map((t) => t.restId)
        .sort(),
    );
  });

  it("refuses MaxChangesReturned above 512 and Body in SyncFolderItems", async () => {
    const tooMany = await conn.post(
      soap(
        `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId>${folderRef("inbox")}</m:SyncFolderId><m:MaxChangesReturned>513</m:MaxChangesReturned></m:SyncFolderItems>`,
      ),
    );
    expect(tooMany.status).toBe(500);
    expect(dig(tooMany.body, "Fault", "detail", "ResponseCode")).toBe("ErrorSchemaValidation");
    const [body] = await call(
      "SyncFolderItems",
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Body"/></t:AdditionalProperties></m:ItemShape><m:SyncFolderId>${folderRef("inbox")}</m:SyncFolderId><m:MaxChangesReturned>5</m:MaxChangesReturned>`,
    );
    expect(body?.ResponseCode).toBe("ErrorInvalidPropertyRequest");
  });

  it("FindItem restricts on DateTimeReceived, sorts and pages with IndexedPageItemView", async () => {
    const truth = inboxTruth();
    const sorted = [...truth].sort(
      (a, b) => a.receivedDateTime.localeCompare(b.receivedDateTime) || 0,
    );
    const from = sorted[Math.floor(sorted.length / 2)]?.receivedDateTime ?? "";
    const expected = truth.filter((t) => t.receivedDateTime >= from);
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const [message] = await call(
        "FindItem",
        `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:DateTimeReceived"/></t:AdditionalProperties></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="25" Offset="${offset}" BasePoint="Beginning"/><m:Restriction><t:IsGreaterThanOrEqualTo><t:FieldURI FieldURI="item:DateTimeReceived"/><t:FieldURIOrConstant><t:Constant Value="${from}"/></t:FieldURIOrConstant></t:IsGreaterThanOrEqualTo></m:Restriction><m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder><m:ParentFolderIds>${folderRef("inbox")}</m:ParentFolderIds>`,
      );
      const root = message?.RootFolder as Record<string, unknown>;
      expect(root["@_TotalItemsInView"]).toBe(String(expected.length));
      const items = list(dig(root, "Items", "Message"));
      seen.push(...items.map((m) => String(dig(m, "ItemId", "@_Id"))));
      const dates = items.map((m) => String(m.DateTimeReceived));
      expect(dates).toEqual([...dates].sort());
      offset = Number(root["@_IndexedPagingOffset"]);
      if (root["@_IncludesLastItemInRange"] === "true") break;
    }
    expect(seen.sort()).toEqual(expected.map((t) => t.restId).sort());
    const [withBody] = await call(
      "FindItem",
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="message:ToRecipients"/></t:AdditionalProperties></m:ItemShape><m:ParentFolderIds>${folderRef("inbox")}</m:ParentFolderIds>`,
    );
    expect(withBody?.ResponseCode).toBe("ErrorInvalidPropertyRequest");
  });

  it("GetItem returns the stored properties of a batch, ErrorItemNotFound for an old id of a moved message", async () => {
    const truth = [...sim.groundTruth(alice)];
    const sample = [
      truth.find((t) => t.attachments.some((a) => a.kind === "item")),
      truth.find((t) => t.attachments.some((a) => a.isInline)),
      truth.find((t) => t.ccRecipients.length > 0 && t.bccRecipients.length > 0) ?? truth[3],
    ].filter((t): t is TruthMessage => t !== undefined);
    const victim = truth.find((t) => !sample.includes(t) && t.folderPath.at(-1) !== "Archive");
    if (!victim) throw new Error("no victim");
    sim.moveMessage(alice, victim.restId, ["Archive"]);
    const ids = [...sample.map((t) => t.restId), victim.restId, "not-an-id"];
    const messages = await call(
      "GetItem",
      `<m:ItemShape><t:BaseShape>Default</t:BaseShape><t:BodyType>Best</t:BodyType><t:AdditionalProperties><t:FieldURI FieldURI="message:InternetMessageId"/><t:FieldURI FieldURI="item:ConversationId"/><t:FieldURI FieldURI="item:ParentFolderId"/></t:AdditionalProperties></m:ItemShape><m:ItemIds>${ids.map((id) => `<t:ItemId Id="${id}"/>`).join("")}</m:ItemIds>`,
    );
    expect(messages.map((m) => m.ResponseCode)).toEqual([
      ...sample.map(() => "NoError"),
      "ErrorItemNotFound",
      "ErrorInvalidIdMalformed",
    ]);
    const address = (m: unknown): string => String(dig(m, "Mailbox", "EmailAddress"));
    sample.forEach((t, i) => {
      const m = dig(messages[i], "Items", "Message") as Record<string, unknown>;
      expect(m.InternetMessageId).toBe(t.internetMessageId);
      expect(m.Subject ?? "").toBe(t.subject);
      expect(m.DateTimeReceived).toBe(t.receivedDateTime);
      expect(m.DateTimeSent).toBe(t.sentDateTime);
      expect(address(m.From)).toBe(t.from.address);
      expect(address(m.Sender)).toBe(t.sender.address);
      expect(list(dig(m, "ToRecipients", "Mailbox")).map((r) => r.EmailAddress)).toEqual(
        t.toRecipients.map((r) => r.address),
      );
      expect(list(dig(m, "CcRecipients", "Mailbox")).map((r) => r.EmailAddress)).toEqual(
        t.ccRecipients.map((r) => r.address),
      );
      expect(list(dig(m, "BccRecipients", "Mailbox")).map((r) => r.EmailAddress)).toEqual(
        t.bccRecipients.map((r) => r.address),
      );
      expect(dig(m, "Body", "@_BodyType")).toBe(t.body.contentType === "html" ? "HTML" : "Text");
      expect(dig(m, "Body", "#text") ?? "").toBe(t.body.content.trim());
      expect(m.HasAttachments).toBe(String(t.hasAttachments));
      expect(dig(m, "ConversationId", "@_Id")).toBe(t.conversationId);
      expect(dig(m, "ParentFolderId", "@_Id")).toBe(t.folderId);
      const atts = dig(m, "Attachments") as Record<string, unknown> | undefined;
      const rendered = ["FileAttachment", "ItemAttachment", "ReferenceAttachment"].flatMap((k) =>
        list(atts?.[k]).map((a) => ({
          kind: k,
          id: dig(a, "AttachmentId", "@_Id"),
          name: a.Name,
          size: a.Size,
          inline: a.IsInline,
          type: a.ContentType,
        })),
      );
      expect(rendered.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
        t.attachments
          .map((a) => ({
            kind: {
              file: "FileAttachment",
              item: "ItemAttachment",
              reference: "ReferenceAttachment",
            }[a.kind],
            id: a.id,
            name: a.name,
            size: String(a.size),
            inline: String(a.isInline),
            type: a.kind === "item" || a.contentType === null ? undefined : a.contentType,
          }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );
    });
  });

  it("GetItem gives a message's MIME with IncludeMimeContent", async () => {
    const [first] = inboxTruth();
    const [message] = await call(
      "GetItem",
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape><m:ItemIds><t:ItemId Id="${first?.restId}"/></m:ItemIds>`,
    );
    const mime = Buffer.from(
      String(dig(message, "Items", "Message", "MimeContent", "#text")),
      "base64",
    ).toString();
    expect(mime).toContain(`Message-ID: ${first?.internetMessageId}`);
    expect(dig(message, "Items", "Message", "Subject")).toBeUndefined();
  });

  it("GetAttachment returns file contents and an item attachment's MIME", async () => {
    const truth = [...sim.groundTruth(alice)];
    const withFile = truth.find((t) => t.attachments.some((a) => a.kind === "file"));
    const withItem = truth.find((t) => t.attachments.some((a) => a.kind === "item"));
    const file = withFile?.attachments.find((a) => a.kind === "file");
    const item = withItem?.attachments.find((a) => a.kind === "item");
    if (!withFile || !withItem || !file || !item) throw new Error("seed has no attachments");
    const messages = await call(
      "GetAttachment",
      `<m:AttachmentShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:AttachmentShape><m:AttachmentIds><t:AttachmentId Id="${file.id}"/><t:AttachmentId Id="${item.id}"/></m:AttachmentIds>`,
    );
    expect(messages.map((m) => m.ResponseCode)).toEqual(["NoError", "NoError"]);
    const content = String(dig(messages[0], "Attachments", "FileAttachment", "Content"));
    expect(
      Buffer.from(content, "base64").equals(sim.attachmentContent(alice, withFile.id, file.id)),
    ).toBe(true);
    const mime = String(
      dig(messages[1], "Attachments", "ItemAttachment", "Message", "MimeContent", "#text"),
    );
    expect(
      Buffer.from(mime, "base64").equals(sim.attachmentContent(alice, withItem.id, item.id)),
    ).toBe(true);
  });
});

/** Microsoft's sample requests from the EWS reference, verbatim but for the ids. */
describe("Microsoft's reference samples", () => {
  it("answers the documented GetFolder, FindItem, GetItem, SyncFolderItems and GetAttachment requests", async () => {
    const own = new EwsConnection(sim.ewsUrl);
    const getFolder = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
   xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Body>
    <GetFolder xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
               xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <FolderShape>
        <t:BaseShape>Default</t:BaseShape>
      </FolderShape>
      <FolderIds>
        <t:DistinguishedFolderId Id="inbox"/>
      </FolderIds>
    </GetFolder>
  </soap:Body>
</soap:Envelope>`;
    const folder = await own.ntlm(
      { user: "alice", domain: "FABRIKAM", password: "Alice-pw1" },
      getFolder,
    );
    expect(folder.status).toBe(200);
    expect(folder.text).toContain(
      '<m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId',
    );
    expect(
      dig(
        folder.body,
        "GetFolderResponse",
        "ResponseMessages",
        "GetFolderResponseMessage",
        "Folders",
        "Folder",
        "DisplayName",
      ),
    ).toBe("Inbox");

    const findItem = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Body>
    <FindItem xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
               xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
              Traversal="Shallow">
      <ItemShape>
        <t:BaseShape>IdOnly</t:BaseShape>
      </ItemShape>
      <ParentFolderIds>
        <t:DistinguishedFolderId Id="deleteditems"/>
      </ParentFolderIds>
    </FindItem>
  </soap:Body>
</soap:Envelope>`;
    const found = await own.post(findItem);
    const root = dig(
      found.body,
      "FindItemResponse",
      "ResponseMessages",
      "FindItemResponseMessage",
      "RootFolder",
    ) as Record<string, unknown>;
    const deleted = [...sim.groundTruth(alice)].filter(
      (m) => m.folderPath.at(-1) === "Deleted Items",
    );
    expect(root["@_TotalItemsInView"]).toBe(String(deleted.length));
    const [one] = list(dig(root, "Items", "Message"));
    const id = String(dig(one, "ItemId", "@_Id"));

    const getItem = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Body>
    <GetItem
      xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
      xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <ItemShape>
        <t:BaseShape>Default</t:BaseShape>
        <t:IncludeMimeContent>true</t:IncludeMimeContent>
      </ItemShape>
      <ItemIds>
        <t:ItemId Id="${id}" ChangeKey="CQAAAB" />
      </ItemIds>
    </GetItem>
  </soap:Body>
</soap:Envelope>`;
    const item = await own.post(getItem);
    const message = dig(
      item.body,
      "GetItemResponse",
      "ResponseMessages",
      "GetItemResponseMessage",
      "Items",
      "Message",
    ) as Record<string, unknown>;
    expect(message.InternetMessageId).toBe(deleted.find((d) => d.restId === id)?.internetMessageId);
    expect(dig(message, "MimeContent", "@_CharacterSet")).toBe("UTF-8");

    const sync = await own.post(`<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Body>
    <SyncFolderItems xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <ItemShape>
        <t:BaseShape>Default</t:BaseShape>
      </ItemShape>
      <SyncFolderId>
        <t:DistinguishedFolderId Id="deleteditems"/>
      </SyncFolderId>
      <Ignore>
        <t:ItemId Id="${id}" ChangeKey="CQAAABY"/>
      </Ignore>
      <MaxChangesReturned>100</MaxChangesReturned>
    </SyncFolderItems>
  </soap:Body>
</soap:Envelope>`);
    const synced = dig(
      sync.body,
      "SyncFolderItemsResponse",
      "ResponseMessages",
      "SyncFolderItemsResponseMessage",
    ) as Record<string, unknown>;
    expect(synced.IncludesLastItemInRange).toBe(deleted.length - 1 <= 100 ? "true" : "false");
    const creates = list(dig(synced, "Changes", "Create")).map((c) =>
      dig(c, "Message", "ItemId", "@_Id"),
    );
    expect(creates).not.toContain(id);
    expect(creates).toHaveLength(Math.min(100, deleted.length - 1));

    const withFile = [...sim.groundTruth(alice)].find((t) =>
      t.attachments.some((a) => a.kind === "file"),
    );
    const file = withFile?.attachments.find((a) => a.kind === "file");
    const attachment = await own.post(`<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
xmlns:xsd="http://www.w3.org/2001/XMLSchema"
xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Body>
    <GetAttachment xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
    xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <AttachmentShape/>
      <AttachmentIds>
        <t:AttachmentId Id="${file?.id}"/>
      </AttachmentIds>
    </GetAttachment>
  </soap:Body>
</soap:Envelope>`);
    const got = dig(
      attachment.body,
      "GetAttachmentResponse",
      "ResponseMessages",
      "GetAttachmentResponseMessage",
      "Attachments",
      "FileAttachment",
    ) as Record<string, unknown>;
    expect(got.Name).toBe(file?.name);
    expect(typeof got.Content).toBe("string");
    own.close();
  });
});
