import { describe, expect, it } from "vitest";
import { ewsError, kindOfEwsCode } from "../../server/exchange/ews/ews-errors.js";
import {
  attachmentBytesOf,
  findItemRequest,
  foundPage,
  hierarchyPage,
  itemsPage,
  remoteMessageOf,
  responseMessages,
  statusOf,
  syncFolderItemsRequest,
} from "../../server/exchange/ews/ews-operations.js";
import { buildEnvelope, parseEnvelope } from "../../server/exchange/ews/soap-envelope.js";

/** Answers as Microsoft's EWS reference prints them (SyncFolderItems, GetAttachment, throttling). */
const SYNC_ITEMS_RESPONSE = `<?xml version="1.0" encoding="utf-8" ?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header>
    <t:ServerVersionInfo MajorVersion="8" MinorVersion="0" MajorBuildNumber="628" MinorBuildNumber="0"
      xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" />
  </soap:Header>
  <soap:Body>
    <SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                             xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
                             xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <m:ResponseMessages>
        <m:SyncFolderItemsResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:SyncState>H4sIAAAAA=</m:SyncState>
          <m:IncludesLastItemInRange>false</m:IncludesLastItemInRange>
          <m:Changes>
            <t:Create>
              <t:MeetingRequest>
                <t:ItemId Id="AQApAHRwA==" ChangeKey="CwAAABYA" />
                <t:Subject>Budget Q3</t:Subject>
              </t:MeetingRequest>
            </t:Create>
            <t:Create><t:Message><t:ItemId Id="AAMkMsg1=" ChangeKey="CQ" /></t:Message></t:Create>
            <t:ReadFlagChange><t:ItemId Id="AAMkRead=" ChangeKey="CQ" /><t:IsRead>true</t:IsRead></t:ReadFlagChange>
            <t:Delete><t:ItemId Id="AAMkGone=" ChangeKey="CQ" /></t:Delete>
          </m:Changes>
        </m:SyncFolderItemsResponseMessage>
      </m:ResponseMessages>
    </SyncFolderItemsResponse>
  </soap:Body>
</soap:Envelope>`;

const INVALID_SYNC_STATE = `<?xml version="1.0" encoding="utf-8" ?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
        xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <m:ResponseMessages>
        <m:SyncFolderItemsResponseMessage ResponseClass="Error">
          <m:MessageText>Synchronization state data is corrupt or otherwise invalid.</m:MessageText>
          <m:ResponseCode>ErrorInvalidSyncStateData</m:ResponseCode>
          <m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>
          <m:SyncState />
          <m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>
        </m:SyncFolderItemsResponseMessage>
      </m:ResponseMessages>
    </SyncFolderItemsResponse>
  </soap:Body>
</soap:Envelope>`;

const SERVER_BUSY_FAULT = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body>
    <s:Fault>
      <faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode>
      <faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring>
      <detail>
        <e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode>
        <e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The server cannot service this request right now. Try again later.</e:Message>
        <t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
          <t:Value Name="BackOffMilliseconds">297749</t:Value>
        </t:MessageXml>
      </detail>
    </s:Fault>
  </s:Body>
</s:Envelope>`;

const GET_ITEM_RESPONSE = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<m:ResponseMessages>
<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:Message>
  <t:ItemId Id="AAMk1=" ChangeKey="CQ"/>
  <t:Subject>Q3 &amp; Q4 &#x1F600;</t:Subject>
  <t:Body BodyType="HTML">&lt;p&gt;Hello&lt;/p&gt;
</t:Body>
  <t:Attachments>
    <t:FileAttachment><t:AttachmentId Id="att1"/><t:Name>logo.png</t:Name><t:ContentType>image/png</t:ContentType><t:Size>120</t:Size><t:IsInline>true</t:IsInline></t:FileAttachment>
    <t:ItemAttachment><t:AttachmentId Id="att2"/><t:Name>Fwd: order</t:Name><t:Size>2048</t:Size><t:IsInline>false</t:IsInline></t:ItemAttachment>
  </t:Attachments>
  <t:DateTimeReceived>2024-03-01T10:20:30Z</t:DateTimeReceived>
  <t:HasAttachments>true</t:HasAttachments>
  <t:ConversationId Id="conv1"/>
  <t:ToRecipients><t:Mailbox><t:Name>Alice</t:Name><t:EmailAddress>alice@contoso.com</t:EmailAddress></t:Mailbox><t:Mailbox><t:EmailAddress>bob@contoso.com</t:EmailAddress></t:Mailbox></t:ToRecipients>
  <t:DateTimeSent>2024-03-01T10:20:00Z</t:DateTimeSent>
  <t:From><t:Mailbox><t:Name>Dan Park</t:Name><t:EmailAddress>dpark@example.com</t:EmailAddress></t:Mailbox></t:From>
  <t:InternetMessageId>&lt;abc@example.com&gt;</t:InternetMessageId>
</t:Message></m:Items></m:GetItemResponseMessage>
<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>The specified object was not found in the store.</m:MessageText><m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/></m:GetItemResponseMessage>
</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>`;

const GET_ATTACHMENT_RESPONSE = `<?xml version="1.0" encoding="utf-8" ?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetAttachmentResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                           xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
                           xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <m:ResponseMessages>
        <m:GetAttachmentResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Attachments>
            <t:FileAttachment>
              <t:AttachmentId Id="AAAtAEFkbWluaX..."/>
              <t:Name>SomeFile</t:Name>
              <t:Content>AQIDBAU=</t:Content>
            </t:FileAttachment>
          </m:Attachments>
        </m:GetAttachmentResponseMessage>
      </m:ResponseMessages>
    </GetAttachmentResponse>
  </soap:Body>
</soap:Envelope>`;

describe("SOAP codec", () => {
  it("reads a SyncFolderItems page: changed and deleted ids, the state, whether it is the last", () => {
    const [message] = responseMessages(parseEnvelope(SYNC_ITEMS_RESPONSE).body!, "SyncFolderItems");
    expect(statusOf(message!).code).toBe("NoError");
    expect(itemsPage(message!)).toEqual({
      syncState: "H4sIAAAAA=",
      last: false,
      changedIds: ["AQApAHRwA==", "AAMkMsg1="],
      deletedIds: ["AAMkGone="],
    });
  });

  it("reads ErrorInvalidSyncStateData as an expired sync state", () => {
    const [message] = responseMessages(parseEnvelope(INVALID_SYNC_STATE).body!, "SyncFolderItems");
    const status = statusOf(message!);
    expect(status.code).toBe("ErrorInvalidSyncStateData");
    expect(ewsError(status.code, status.message, 200).kind).toBe("sync_state_expired");
  });

  it("reads ErrorServerBusy's BackOffMilliseconds from a SOAP fault", () => {
    expect(parseEnvelope(SERVER_BUSY_FAULT)).toEqual({
      body: null,
      fault: {
        code: "ErrorServerBusy",
        message: "The server cannot service this request right now. Try again later.",
        backOffMs: 297749,
      },
    });
  });

  it("maps a GetItem message into the remote-message shape, entities decoded, errors per item", () => {
    const messages = responseMessages(parseEnvelope(GET_ITEM_RESPONSE).body!, "GetItem");
    expect(messages).toHaveLength(2);
    expect(remoteMessageOf(messages[0]!)).toEqual({
      id: "AAMk1=",
      internetMessageId: "<abc@example.com>",
      conversationId: "conv1",
      subject: "Q3 & Q4 😀",
      from: { name: "Dan Park", address: "dpark@example.com" },
      sender: null,
      to: [
        { name: "Alice", address: "alice@contoso.com" },
        { name: null, address: "bob@contoso.com" },
      ],
      cc: [],
      bcc: [],
      sentAt: new Date("2024-03-01T10:20:00Z"),
      receivedAt: new Date("2024-03-01T10:20:30Z"),
      bodyType: "html",
      body: "<p>Hello</p>\n",
      hasAttachments: true,
      attachments: [
        {
          id: "att1",
          name: "logo.png",
          contentType: "image/png",
          size: 120,
          inline: true,
          kind: "file",
          contentBytes: null,
        },
        {
          id: "att2",
          name: "Fwd: order",
          contentType: null,
          size: 2048,
          inline: false,
          kind: "item",
          contentBytes: null,
        },
      ],
    });
    expect(statusOf(messages[1]!).code).toBe("ErrorItemNotFound");
  });

  it("reads a file attachment's content", () => {
    const [message] = responseMessages(
      parseEnvelope(GET_ATTACHMENT_RESPONSE).body!,
      "GetAttachment",
    );
    expect(attachmentBytesOf(message!)).toEqual(Buffer.from([1, 2, 3, 4, 5]));
  });

  it("builds requests the reference describes, escaping every value", () => {
    const xml = buildEnvelope("SyncFolderItems", syncFolderItemsRequest("id<&>", "state", 9999), {
      impersonate: "alice@contoso.com",
    });
    expect(xml).toContain('<t:FolderId Id="id&lt;&amp;&gt;"');
    expect(xml).toContain("<m:MaxChangesReturned>512</m:MaxChangesReturned>");
    expect(xml).toContain(
      "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>alice@contoso.com</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>",
    );
    const find = buildEnvelope(
      "FindItem",
      findItemRequest(
        "f1",
        {
          receivedFrom: new Date("2024-01-01T00:00:00Z"),
          receivedBefore: new Date("2024-02-01T00:00:00Z"),
        },
        500,
      ),
    );
    expect(find).toContain('<m:FindItem Traversal="Shallow">');
    expect(find).toContain(
      '<m:IndexedPageItemView MaxEntriesReturned="500" Offset="0" BasePoint="Beginning"',
    );
    expect(find).toMatch(
      /<m:Restriction><t:And><t:IsGreaterThanOrEqualTo><t:FieldURI FieldURI="item:DateTimeReceived"\/><t:FieldURIOrConstant><t:Constant Value="2024-01-01T00:00:00Z"\/>/,
    );
    expect(find).toContain("<t:IsLessThan>");
    // ItemShape, view, restriction, sort order, parent folders: the schema's order.
    const order = [
      "m:ItemShape",
      "m:IndexedPageItemView",
      "m:Restriction",
      "m:SortOrder",
      "m:ParentFolderIds",
    ];
    const at = order.map((e) => find.indexOf(`<${e}`));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("reads folder hierarchy and FindItem pages", () => {
    const body =
      parseEnvelope(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <m:SyncFolderHierarchyResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:SyncFolderHierarchyResponseMessage ResponseClass="Success">
      <m:ResponseCode>NoError</m:ResponseCode><m:SyncState>S1</m:SyncState><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>
      <m:Changes><t:Create><t:Folder><t:FolderId Id="F1"/><t:ParentFolderId Id="R"/><t:DisplayName>Orders / 2024</t:DisplayName><t:TotalCount>3</t:TotalCount></t:Folder></t:Create>
      <t:Create><t:CalendarFolder><t:FolderId Id="C1"/><t:ParentFolderId Id="R"/><t:DisplayName>Calendar</t:DisplayName></t:CalendarFolder></t:Create>
      <t:Create><t:SearchFolder><t:FolderId Id="S1"/><t:ParentFolderId Id="R"/><t:DisplayName>Unread</t:DisplayName></t:SearchFolder></t:Create></m:Changes>
      </m:SyncFolderHierarchyResponseMessage></m:ResponseMessages></m:SyncFolderHierarchyResponse></s:Body></s:Envelope>`).body!;
    const page = hierarchyPage(responseMessages(body, "SyncFolderHierarchy")[0]!);
    expect(page.created.map((f) => [f.id, f.displayName, f.kind]).sort()).toEqual([
      ["C1", "Calendar", "other"],
      ["F1", "Orders / 2024", "mail"],
      ["S1", "Unread", "search"],
    ]);
    const found =
      parseEnvelope(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <m:FindItemResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>
      <m:RootFolder IndexedPagingOffset="2" TotalItemsInView="7" IncludesLastItemInRange="false"><t:Items>
      <t:Message><t:ItemId Id="I1"/><t:DateTimeReceived>2024-01-01T00:00:01Z</t:DateTimeReceived></t:Message>
      <t:Message><t:ItemId Id="I2"/><t:DateTimeReceived>2024-01-01T00:00:02Z</t:DateTimeReceived></t:Message>
      </t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse></s:Body></s:Envelope>`).body!;
    expect(foundPage(responseMessages(found, "FindItem")[0]!)).toEqual({
      items: [
        { id: "I1", receivedAt: new Date("2024-01-01T00:00:01Z") },
        { id: "I2", receivedAt: new Date("2024-01-01T00:00:02Z") },
      ],
      totalItemsInView: 7,
      last: false,
    });
  });
});

describe("EWS error table", () => {
  it.each([
    ["ErrorAccessDenied", "permission"],
    ["ErrorImpersonateUserDenied", "permission"],
    ["ErrorNonExistentMailbox", "not_found"],
    ["ErrorItemNotFound", "not_found"],
    ["ErrorMailboxMoveInProgress", "temporary"],
    ["ErrorServerBusy", "temporary"],
    ["ErrorInvalidSyncStateData", "sync_state_expired"],
    ["ErrorAccountDisabled", "credentials"],
    ["ErrorSchemaValidation", "unexpected"],
  ])("%s → %s", (code, kind) => {
    expect(kindOfEwsCode(code)).toBe(kind);
    // The code decides, never the text.
    expect(ewsError(code, "Access is denied. The mailbox is busy.", 200).kind).toBe(kind);
  });
});
