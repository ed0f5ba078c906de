import { describe, expect, it } from "vitest";
import { isGuid, parseAuthorityUrl } from "../../server/domain/authority-url.js";
import { refusal } from "./refusal.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("authority URL rule", () => {
  it.each([
    [
      `https://login.microsoftonline.com/${TENANT}`,
      `https://login.microsoftonline.com/${TENANT}`,
      TENANT,
      true,
    ],
    [
      `https://login.microsoftonline.com/${TENANT}/`,
      `https://login.microsoftonline.com/${TENANT}`,
      TENANT,
      true,
    ],
    [
      `  HTTPS://Login.MicrosoftOnline.com/${TENANT.toUpperCase()}  `,
      `https://login.microsoftonline.com/${TENANT}`,
      TENANT,
      true,
    ],
    [
      "https://login.microsoftonline.com/Contoso.onmicrosoft.com",
      "https://login.microsoftonline.com/contoso.onmicrosoft.com",
      "contoso.onmicrosoft.com",
      true,
    ],
    [
      `https://login.microsoftonline.com:443/${TENANT}`,
      `https://login.microsoftonline.com/${TENANT}`,
      TENANT,
      true,
    ],
    [
      `https://login.microsoftonline.us/${TENANT}`,
      `https://login.microsoftonline.us/${TENANT}`,
      TENANT,
      true,
    ],
    [
      `https://login.chinacloudapi.cn/${TENANT}`,
      `https://login.chinacloudapi.cn/${TENANT}`,
      TENANT,
      true,
    ],
    [
      `https://login.partner.microsoftonline.cn/${TENANT}`,
      `https://login.partner.microsoftonline.cn/${TENANT}`,
      TENANT,
      true,
    ],
    [`https://localhost:8443/${TENANT}`, `https://localhost:8443/${TENANT}`, TENANT, false],
    [
      "https://localhost:8443/contoso.com/",
      "https://localhost:8443/contoso.com",
      "contoso.com",
      false,
    ],
    [`https://127.0.0.1:9000/${TENANT}`, `https://127.0.0.1:9000/${TENANT}`, TENANT, false],
    [
      `https://login.microsoftonline.com:8443/${TENANT}`,
      `https://login.microsoftonline.com:8443/${TENANT}`,
      TENANT,
      false,
    ],
    [
      "https://login.microsoftonline.com/bücher.de",
      "https://login.microsoftonline.com/xn--bcher-kva.de",
      "xn--bcher-kva.de",
      true,
    ],
  ])("accepts %j", (input, url, tenant, microsoftCloud) => {
    const authority = parseAuthorityUrl("f", input);
    expect(authority.url).toBe(url);
    expect(authority.tenant).toBe(tenant);
    expect(authority.microsoftCloud).toBe(microsoftCloud);
  });

  it.each([
    ["", "authorityUrl is required"],
    ["   ", "authorityUrl is required"],
    ["login.microsoftonline.com/tenant", "is not a URL"],
    [`http://login.microsoftonline.com/${TENANT}`, "must use https"],
    [`http://localhost:8443/${TENANT}`, "must use https"],
    [`ftp://login.microsoftonline.com/${TENANT}`, "must use https"],
    [`https://user:pw@login.microsoftonline.com/${TENANT}`, "user name or password"],
    [`https://login.microsoftonline.com/${TENANT}?x=1`, "query or fragment"],
    [`https://login.microsoftonline.com/${TENANT}#x`, "query or fragment"],
    ["https://login.microsoftonline.com", "has no tenant"],
    ["https://login.microsoftonline.com/", "has no tenant"],
    ["https://login.microsoftonline.com//", "has no tenant"],
    [`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, "must end at the tenant"],
    [`https://login.microsoftonline.com/${TENANT}/v2.0`, "must end at the tenant"],
    [`https://login.microsoftonline.com/${TENANT}//`, "must end at the tenant"],
    ["https://login.microsoftonline.com/common", 'tenant "common" is a multi-tenant alias'],
    [
      "https://login.microsoftonline.com/Organizations/",
      'tenant "organizations" is a multi-tenant alias',
    ],
    ["https://login.microsoftonline.com/consumers", 'tenant "consumers" is a multi-tenant alias'],
    ["https://localhost:8443/common", 'tenant "common" is a multi-tenant alias'],
    [
      "https://login.microsoftonline.com/contoso",
      "tenant must be the Directory (tenant) ID (a GUID)",
    ],
    [
      "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab",
      "tenant must be the Directory (tenant) ID (a GUID)",
    ],
    ["https://login.microsoftonline.com/adfs", "tenant must be the Directory (tenant) ID (a GUID)"],
    [
      "https://login.microsoftonline.com/con%20toso.com",
      "tenant must be the Directory (tenant) ID (a GUID)",
    ],
  ])("refuses %j (%s)", (input, words) => {
    const error = refusal(() => parseAuthorityUrl("input.connection.authorityUrl", input));
    expect(error.field).toBe("input.connection.authorityUrl");
    expect(error.message).toContain(words);
  });

  it("explains why multi-tenant aliases are refused", () => {
    const error = refusal(() => parseAuthorityUrl("f", "https://login.microsoftonline.com/common"));
    expect(error.message).toContain("application access tokens are issued by a specific directory");
    expect(error.message).toContain("Directory (tenant) ID");
  });

  it.each([
    [TENANT, true],
    [TENANT.toUpperCase(), true],
    ["00000000-0000-0000-0000-000000000000", true],
    [`{${TENANT}}`, false],
    [TENANT.replace(/-/g, ""), false],
    [`${TENANT}0`, false],
    ["g2f988bf-86f1-41af-91ab-2d7cd011db47", false],
  ])("isGuid(%j) is %s", (value, expected) => {
    expect(isGuid(value)).toBe(expected);
  });
});
