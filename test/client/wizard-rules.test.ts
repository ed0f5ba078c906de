import { describe, expect, it } from "vitest";
import {
  accessUnavailable,
  authMethodUnavailable,
  nearestAllowed,
  offeredCombinations,
} from "../../client/src/features/integrations/connection-rules.js";
import {
  apiNameProblem,
  domainProblem,
  emailProblem,
  folderConflict,
  folderProblem,
} from "../../client/src/features/integrations/filter-rules.js";

describe("the wizard's connection choices", () => {
  it("never offers the combinations the guide forbids", () => {
    const offered = offeredCombinations().map((c) => `${c.api}/${c.authMethod}/${c.access}`);
    expect(offered.sort()).toEqual(
      [
        "GRAPH/CLIENT_SECRET/APPLICATION",
        "GRAPH/CERTIFICATE/APPLICATION",
        "EWS/CLIENT_SECRET/APPLICATION",
        "EWS/CLIENT_SECRET/SERVICE_USER",
        "EWS/CERTIFICATE/APPLICATION",
        "EWS/CERTIFICATE/SERVICE_USER",
        "EWS/NTLM/SERVICE_USER",
      ].sort(),
    );
  });

  it("says why a refused option is not offered", () => {
    expect(authMethodUnavailable("GRAPH", "NTLM")).toMatch(/Graph API does not support NTLM/);
    expect(accessUnavailable("GRAPH", "CLIENT_SECRET", "SERVICE_USER")).toMatch(
      /Graph API does not support service user access/,
    );
    expect(accessUnavailable("EWS", "NTLM", "APPLICATION")).toMatch(
      /NTLM only supports delegate access/,
    );
    expect(accessUnavailable("EWS", "NTLM", "SERVICE_USER")).toBeNull();
  });

  it("moves to the nearest allowed choice when the API or method changes", () => {
    expect(nearestAllowed("GRAPH", "NTLM", "SERVICE_USER")).toEqual({
      authMethod: "CLIENT_SECRET",
      access: "APPLICATION",
    });
    expect(nearestAllowed("EWS", "NTLM", "APPLICATION")).toEqual({
      authMethod: "NTLM",
      access: "SERVICE_USER",
    });
    expect(nearestAllowed("EWS", "CERTIFICATE", "SERVICE_USER")).toEqual({
      authMethod: "CERTIFICATE",
      access: "SERVICE_USER",
    });
  });
});

describe("the mailbox form's inline checks", () => {
  it("accepts addresses and refuses what is not one", () => {
    expect(emailProblem("Orders@Contoso.com")).toBeNull();
    expect(emailProblem("orders@contoso")).toMatch(/not an email address/);
    expect(emailProblem("orders contoso.com")).toMatch(/not an email address/);
  });

  it("accepts domains and a wildcard public suffix only", () => {
    expect(domainProblem("gmail.com")).toBeNull();
    expect(domainProblem("reinfer.*")).toBeNull();
    expect(domainProblem("*.reinfer.com")).toMatch(/only the top-level domain can be a wildcard/);
    expect(domainProblem("mail.*.com")).toMatch(/only the top-level domain/);
    expect(domainProblem("ana@gmail.com")).toMatch(/enter only its domain, e.g. gmail.com/);
    expect(domainProblem("not a domain")).toMatch(/not a domain name/);
  });

  it("checks folder path syntax", () => {
    expect(folderProblem("Root/Top of Information Store/Inbox/Orders")).toBeNull();
    expect(folderProblem("Root/Top of Information Store/A\\/B")).toBeNull();
    expect(folderProblem("/Root/Inbox")).toMatch(/leading "\/"/);
    expect(folderProblem("Root//Inbox")).toMatch(/empty folder name/);
    expect(folderProblem("Root/In\\box")).toMatch(/escapes nothing/);
  });

  it("refuses an allowed folder inside or equal to a denied one, naming both", () => {
    expect(folderConflict(["Root/Inbox/Orders"], ["root/inbox/"])).toBe(
      'Allowed folder "Root/Inbox/Orders" is inside denied folder "root/inbox/": a folder inside a denied folder never syncs.',
    );
    expect(folderConflict(["Root/Inbox"], ["ROOT/INBOX"])).toMatch(/is also denied folder/);
    expect(folderConflict(["Root/Inbox"], ["Root/Inbox/Spam"])).toBeNull();
    expect(folderConflict(["Root/Inbox2"], ["Root/Inbox"])).toBeNull();
  });

  it("checks API names", () => {
    expect(apiNameProblem("customer-service_2")).toBeNull();
    expect(apiNameProblem("customer service")).toMatch(/no spaces/);
    expect(apiNameProblem("x".repeat(257))).toMatch(/256/);
  });
});
