import { describe, expect, it } from "vitest";
import {
  connectionProblems,
  inFormWords,
} from "../../client/src/features/integrations/connection-rules.js";
import { standingErrors } from "../../client/src/features/integrations/draft-errors.js";
import { displayFolder, folderName, folderNames } from "../../client/src/ui/folder-path.js";
import { pageNumbers } from "../../client/src/ui/page-numbers.js";

describe("folder names as people read them", () => {
  it("unescapes \\/ and \\\\ and splits on the other slashes", () => {
    expect(folderNames("Root/Inbox/Invoices\\/Receipts")).toEqual([
      "Root",
      "Inbox",
      "Invoices/Receipts",
    ]);
    expect(folderName("Inbox/Invoices\\/Receipts")).toBe("Invoices/Receipts");
    expect(folderName("a\\\\b")).toBe("a\\b");
    expect(displayFolder("Root/Inbox/Invoices\\/Receipts")).toBe(
      "Root › Inbox › Invoices/Receipts",
    );
  });
});

describe("errors that go once the input changes", () => {
  const then = {
    email: "carol@",
    timeMode: "FROM",
    allowedFolders: ["A/B"],
    deniedFolders: ["A"],
  };
  const errors = {
    fields: { email: "not an address", "filters.allowedFolders.0": "inside a denied folder" },
    general: ["refused"],
  };
  it("keeps every error while nothing changed", () => {
    expect(standingErrors(errors, then, then)).toBe(errors);
    expect(standingErrors(errors, then, { ...then })).toEqual(errors);
  });
  it("drops the email's error when the email changes, and the general ones with it", () => {
    expect(standingErrors(errors, then, { ...then, email: "carol@contoso.com" })).toEqual({
      fields: { "filters.allowedFolders.0": "inside a denied folder" },
      general: [],
    });
  });
  it("drops an allow-inside-deny error when either folder list changes", () => {
    expect(standingErrors(errors, then, { ...then, deniedFolders: [] }).fields).toEqual({
      email: "not an address",
    });
  });
});

describe("the connection form's words", () => {
  it("replaces API field names and enum values", () => {
    expect(inFormWords("The CLIENT_SECRET method needs clientSecret: the secret's Value.")).toBe(
      'The client secret method needs "Client secret": the secret\'s Value.',
    );
    expect(inFormWords("use access APPLICATION with Graph, or api EWS")).toBe(
      "use application access with Graph, or EWS API",
    );
  });
  it("names every field's problem at once", () => {
    const problems = connectionProblems({
      api: "EWS",
      authMethod: "CERTIFICATE",
      access: "SERVICE_USER",
      authorityUrl: "",
      clientId: "x",
      clientSecret: "",
      privateKey: "",
      certificateThumbprint: "zz",
      serviceUsername: "",
      servicePassword: "",
      graphEndpoint: "",
      ewsUrl: "http://mail.contoso.com/EWS/Exchange.asmx",
    });
    expect(Object.keys(problems).sort()).toEqual(
      [
        "authorityUrl",
        "certificateThumbprint",
        "clientId",
        "ewsUrl",
        "privateKey",
        "serviceUsername",
        "servicePassword",
      ].sort(),
    );
  });
  it("asks NTLM for no identity-platform fields", () => {
    const problems = connectionProblems({
      api: "EWS",
      authMethod: "NTLM",
      access: "SERVICE_USER",
      authorityUrl: "",
      clientId: "",
      clientSecret: "",
      privateKey: "",
      certificateThumbprint: "",
      serviceUsername: "CONTOSO\\svc",
      servicePassword: "pw",
      graphEndpoint: "",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    });
    expect(problems).toEqual({});
  });
});

describe("page numbers", () => {
  it("shows the first, the last and the pages around the current one", () => {
    expect(pageNumbers(0, 1)).toEqual([0]);
    expect(pageNumbers(5, 10)).toEqual([0, null, 4, 5, 6, null, 9]);
    expect(pageNumbers(1, 4)).toEqual([0, 1, 2, 3]);
  });
});
