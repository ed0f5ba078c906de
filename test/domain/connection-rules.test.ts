import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_GRAPH_ENDPOINT,
  EWS_RETIRED_WARNING,
  validateConnection,
  type AccessMode,
  type AuthMethod,
  type ConnectionInput,
  type ExchangeApi,
} from "../../server/domain/connection-rules.js";
import { refusal } from "./refusal.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "8a3f4c2e-1b7d-4e6a-9c0f-2d5b8e7a1c43";
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`;
const SIMULATOR = `https://localhost:8443/${TENANT}`;
const SECRET = "Xq8~abcDEF.ghiJKL_mnoPQR-stuVWX0123456789";
const PASSWORD = " correct horse battery staple ";
const THUMBPRINT = "0123456789ABCDEF0123456789ABCDEF01234567";
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
const PRIVATE_KEY = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PKCS1_KEY = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const ONPREM_EWS = "https://mail.contoso.com/EWS/Exchange.asmx";
const EXO_EWS = "https://outlook.office365.com/EWS/Exchange.asmx";

/** A complete input for the combination; every credential a method or access could use is given. */
function input(
  api: ExchangeApi,
  authMethod: AuthMethod,
  access: AccessMode,
  extra: Partial<ConnectionInput> = {},
): ConnectionInput {
  return {
    api,
    authMethod,
    access,
    authorityUrl: SIMULATOR,
    clientId: CLIENT,
    clientSecret: SECRET,
    privateKey: PRIVATE_KEY,
    certificateThumbprint: THUMBPRINT,
    serviceUsername: "svc-mailstream@contoso.com",
    servicePassword: PASSWORD,
    ewsUrl: ONPREM_EWS,
    ...extra,
  };
}

describe("connection combination rules", () => {
  const apis: ExchangeApi[] = ["GRAPH", "EWS"];
  const methods: AuthMethod[] = ["CLIENT_SECRET", "CERTIFICATE", "NTLM"];
  const accesses: AccessMode[] = ["APPLICATION", "SERVICE_USER"];
  const refused: Record<string, [string, string]> = {
    "GRAPH CLIENT_SECRET SERVICE_USER": [
      "access",
      "Graph API does not support service user access",
    ],
    "GRAPH CERTIFICATE SERVICE_USER": ["access", "Graph API does not support service user access"],
    "GRAPH NTLM APPLICATION": ["authMethod", "Graph API does not support NTLM"],
    "GRAPH NTLM SERVICE_USER": ["authMethod", "Graph API does not support NTLM"],
    "EWS NTLM APPLICATION": ["access", "NTLM supports delegate access only"],
  };
  const all = apis.flatMap((api) =>
    methods.flatMap((method) => accesses.map((access) => [api, method, access] as const)),
  );

  it("covers all 12 combinations, 7 accepted and 5 refused", () => {
    expect(all).toHaveLength(12);
    expect(Object.keys(refused)).toHaveLength(5);
  });

  it.each(all)("%s + %s + %s", (api, method, access) => {
    const rule = refused[`${api} ${method} ${access}`];
    if (rule === undefined) {
      const { connection } = validateConnection(input(api, method, access), "input.connection");
      expect([connection.api, connection.authMethod, connection.access]).toEqual([
        api,
        method,
        access,
      ]);
    } else {
      const error = refusal(() =>
        validateConnection(input(api, method, access), "input.connection"),
      );
      expect(error.field).toBe(`input.connection.${rule[0]}`);
      expect(error.message).toContain(rule[1]);
    }
  });

  it("reports a combination before any field error", () => {
    const error = refusal(() =>
      validateConnection(
        input("GRAPH", "CLIENT_SECRET", "SERVICE_USER", { authorityUrl: "nope", clientId: "nope" }),
        "c",
      ),
    );
    expect(error.field).toBe("c.access");
  });

  it.each([
    ["api", { api: "REST" as ExchangeApi }, "api must be one of GRAPH, EWS"],
    [
      "authMethod",
      { authMethod: "BASIC" as AuthMethod },
      "authMethod must be one of CLIENT_SECRET, CERTIFICATE, NTLM",
    ],
    [
      "access",
      { access: "DELEGATED" as AccessMode },
      "access must be one of APPLICATION, SERVICE_USER",
    ],
  ])("refuses an unknown %s", (name, extra, message) => {
    const error = refusal(() =>
      validateConnection(input("GRAPH", "CLIENT_SECRET", "APPLICATION", extra), "c"),
    );
    expect(error.field).toBe(`c.${name}`);
    expect(error.message).toBe(`${message}.`);
  });
});

describe("connection normalization", () => {
  it("GRAPH + CLIENT_SECRET + APPLICATION keeps only the secret it uses", () => {
    expect(
      validateConnection(
        input("GRAPH", "CLIENT_SECRET", "APPLICATION", {
          authorityUrl: ` ${AUTHORITY.toUpperCase().replace("HTTPS", "https")}/ `,
          clientId: ` ${CLIENT.toUpperCase()} `,
          clientSecret: ` ${SECRET}\n`,
        }),
        "input.connection",
      ),
    ).toEqual({
      connection: {
        api: "GRAPH",
        authMethod: "CLIENT_SECRET",
        access: "APPLICATION",
        authorityUrl: AUTHORITY,
        clientId: CLIENT,
        graphEndpoint: DEFAULT_GRAPH_ENDPOINT,
        ewsUrl: null,
        serviceUsername: null,
        certificateThumbprint: null,
      },
      secrets: { clientSecret: SECRET },
      warnings: [],
    });
  });

  it("GRAPH + CERTIFICATE normalizes the key to PKCS#8 and the thumbprint to upper-case hex", () => {
    const result = validateConnection(
      input("GRAPH", "CERTIFICATE", "APPLICATION", {
        privateKey: PKCS1_KEY,
        certificateThumbprint: THUMBPRINT.toLowerCase().match(/../g)?.join(":") ?? "",
        graphEndpoint: "https://localhost:8443/",
      }),
      "c",
    );
    expect(result.secrets).toEqual({ privateKey: PRIVATE_KEY });
    expect(result.connection.certificateThumbprint).toBe(THUMBPRINT);
    expect(result.connection.graphEndpoint).toBe("https://localhost:8443");
    expect(result.connection.ewsUrl).toBeNull();
  });

  it("EWS + NTLM + SERVICE_USER keeps the password byte for byte and a DOMAIN\\user name", () => {
    const result = validateConnection(
      input("EWS", "NTLM", "SERVICE_USER", { serviceUsername: " CONTOSO\\svc-mailstream " }),
      "c",
    );
    expect(result.secrets).toEqual({ servicePassword: PASSWORD });
    expect(result.connection.serviceUsername).toBe("CONTOSO\\svc-mailstream");
    expect(result.connection.ewsUrl).toBe(ONPREM_EWS);
    expect(result.connection.certificateThumbprint).toBeNull();
    expect(result.warnings).toEqual([]);
  });

  it("EWS + CLIENT_SECRET + SERVICE_USER keeps the secret and the password, UPN lower-cased", () => {
    const result = validateConnection(
      input("EWS", "CLIENT_SECRET", "SERVICE_USER", { serviceUsername: "Svc@Contoso.com" }),
      "c",
    );
    expect(result.secrets).toEqual({ clientSecret: SECRET, servicePassword: PASSWORD });
    expect(result.connection.serviceUsername).toBe("svc@contoso.com");
  });

  it("EWS + CERTIFICATE + APPLICATION against the simulator has no warning", () => {
    const result = validateConnection(input("EWS", "CERTIFICATE", "APPLICATION"), "c");
    expect(result.secrets).toEqual({ privateKey: PRIVATE_KEY });
    expect(result.connection.serviceUsername).toBeNull();
    expect(result.warnings).toEqual([]);
  });
});

describe("NTLM needs no identity platform", () => {
  it("accepts NTLM without authorityUrl and clientId and stores neither", () => {
    const { connection, secrets } = validateConnection(
      {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        serviceUsername: "CONTOSO\\svc-mailstream",
        servicePassword: PASSWORD,
        ewsUrl: ONPREM_EWS,
      },
      "c",
    );
    expect(connection.authorityUrl).toBeNull();
    expect(connection.clientId).toBeNull();
    expect(connection.serviceUsername).toBe("CONTOSO\\svc-mailstream");
    expect(secrets).toEqual({ servicePassword: PASSWORD });
  });

  it("ignores an authority and client id sent with NTLM, even malformed ones", () => {
    const { connection } = validateConnection(
      input("EWS", "NTLM", "SERVICE_USER", { authorityUrl: "nope", clientId: "nope" }),
      "c",
    );
    expect([connection.authorityUrl, connection.clientId]).toEqual([null, null]);
  });
});

describe("connection field rules", () => {
  const cases: [string, ConnectionInput, string, string][] = [
    // [title, input, field, words]
    [
      "bad authority",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { authorityUrl: "http://localhost/x.com" }),
      "authorityUrl",
      "must use https",
    ],
    [
      "common tenant",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", {
        authorityUrl: "https://login.microsoftonline.com/common",
      }),
      "authorityUrl",
      "multi-tenant alias",
    ],
    [
      "authority before clientId",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { authorityUrl: "", clientId: "" }),
      "authorityUrl",
      "CLIENT_SECRET method signs in through the Microsoft identity platform, so it needs authorityUrl",
    ],
    [
      "CERTIFICATE without an authority",
      input("EWS", "CERTIFICATE", "APPLICATION", { authorityUrl: null }),
      "authorityUrl",
      "CERTIFICATE method signs in through the Microsoft identity platform, so it needs authorityUrl",
    ],
    [
      "CLIENT_SECRET without a clientId",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { clientId: undefined }),
      "clientId",
      "so it needs clientId",
    ],
    [
      "CERTIFICATE with a blank clientId",
      input("GRAPH", "CERTIFICATE", "APPLICATION", { clientId: "  " }),
      "clientId",
      "so it needs clientId",
    ],
    [
      "clientId not a GUID",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { clientId: "my-app" }),
      "clientId",
      "clientId must be the Application (client) ID, a GUID",
    ],
    [
      "clientId empty",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { clientId: " " }),
      "clientId",
      "a GUID",
    ],
    [
      "clientId with braces",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { clientId: `{${CLIENT}}` }),
      "clientId",
      "a GUID",
    ],
    [
      "missing client secret",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { clientSecret: null }),
      "clientSecret",
      "The CLIENT_SECRET method needs clientSecret",
    ],
    [
      "blank client secret",
      input("EWS", "CLIENT_SECRET", "SERVICE_USER", { clientSecret: "  " }),
      "clientSecret",
      "The CLIENT_SECRET method needs clientSecret",
    ],
    [
      "missing private key",
      input("GRAPH", "CERTIFICATE", "APPLICATION", { privateKey: undefined }),
      "privateKey",
      "The CERTIFICATE method needs privateKey",
    ],
    [
      "private key before thumbprint",
      input("GRAPH", "CERTIFICATE", "APPLICATION", { privateKey: "", certificateThumbprint: "" }),
      "privateKey",
      "needs privateKey",
    ],
    [
      "invalid private key",
      input("GRAPH", "CERTIFICATE", "APPLICATION", { privateKey: "not a key" }),
      "privateKey",
      "must be a PEM private key",
    ],
    [
      "missing thumbprint",
      input("GRAPH", "CERTIFICATE", "APPLICATION", { certificateThumbprint: null }),
      "certificateThumbprint",
      "The CERTIFICATE method needs certificateThumbprint",
    ],
    [
      "short thumbprint",
      input("EWS", "CERTIFICATE", "APPLICATION", { certificateThumbprint: "ABCD" }),
      "certificateThumbprint",
      "has 4 hex digits",
    ],
    [
      "missing service username",
      input("EWS", "NTLM", "SERVICE_USER", { serviceUsername: null }),
      "serviceUsername",
      "Service user access needs serviceUsername",
    ],
    [
      "service username not a UPN",
      input("EWS", "CLIENT_SECRET", "SERVICE_USER", { serviceUsername: "svc-mailstream" }),
      "serviceUsername",
      "sign-in name (UPN)",
    ],
    [
      "DOMAIN\\user only with NTLM",
      input("EWS", "CLIENT_SECRET", "SERVICE_USER", { serviceUsername: "CONTOSO\\svc" }),
      "serviceUsername",
      "sign-in name (UPN)",
    ],
    [
      "NTLM names both forms",
      input("EWS", "NTLM", "SERVICE_USER", { serviceUsername: "svc" }),
      "serviceUsername",
      "or DOMAIN\\user",
    ],
    [
      "missing service password",
      input("EWS", "NTLM", "SERVICE_USER", { servicePassword: null }),
      "servicePassword",
      "Service user access needs servicePassword",
    ],
    [
      "empty service password",
      input("EWS", "CERTIFICATE", "SERVICE_USER", { servicePassword: "" }),
      "servicePassword",
      "needs servicePassword",
    ],
    [
      "EWS without ewsUrl",
      input("EWS", "CLIENT_SECRET", "APPLICATION", { ewsUrl: null }),
      "ewsUrl",
      "EWS needs ewsUrl",
    ],
    [
      "EWS with blank ewsUrl",
      input("EWS", "NTLM", "SERVICE_USER", { ewsUrl: " " }),
      "ewsUrl",
      "EWS needs ewsUrl",
    ],
    [
      "ewsUrl not a URL",
      input("EWS", "NTLM", "SERVICE_USER", { ewsUrl: "mail.contoso.com/EWS" }),
      "ewsUrl",
      "ewsUrl is not a URL",
    ],
    [
      "ewsUrl over http",
      input("EWS", "NTLM", "SERVICE_USER", { ewsUrl: "http://mail.contoso.com/EWS/Exchange.asmx" }),
      "ewsUrl",
      "ewsUrl must use https",
    ],
    [
      "ewsUrl with credentials",
      input("EWS", "NTLM", "SERVICE_USER", {
        ewsUrl: "https://u:p@mail.contoso.com/EWS/Exchange.asmx",
      }),
      "ewsUrl",
      "user name or password",
    ],
    [
      "graphEndpoint over http",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", {
        graphEndpoint: "http://graph.microsoft.com",
      }),
      "graphEndpoint",
      "graphEndpoint must use https",
    ],
    [
      "graphEndpoint with a path",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", {
        graphEndpoint: "https://graph.microsoft.com/v1.0",
      }),
      "graphEndpoint",
      "origin only",
    ],
    [
      "graphEndpoint with a query",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", {
        graphEndpoint: "https://graph.microsoft.com/?a=b",
      }),
      "graphEndpoint",
      "origin only",
    ],
    [
      "graphEndpoint not a URL",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { graphEndpoint: "graph" }),
      "graphEndpoint",
      "graphEndpoint is not a URL",
    ],
  ];

  it.each(cases)("refuses %s", (_title, connection, field, words) => {
    const error = refusal(() => validateConnection(connection, "input.connection"));
    expect(error.field).toBe(`input.connection.${field}`);
    expect(error.message).toContain(words);
  });

  it("never puts a secret into a message", () => {
    const secretish = "S3cr3t-Value-That-Must-Not-Leak";
    const errors = [
      refusal(() =>
        validateConnection(
          input("GRAPH", "CERTIFICATE", "APPLICATION", { privateKey: secretish }),
          "c",
        ),
      ),
      refusal(() =>
        validateConnection(
          input("GRAPH", "CERTIFICATE", "APPLICATION", {
            privateKey: `-----BEGIN PRIVATE KEY-----\n${secretish}\n-----END PRIVATE KEY-----`,
          }),
          "c",
        ),
      ),
      refusal(() =>
        validateConnection(
          input("EWS", "CLIENT_SECRET", "SERVICE_USER", {
            clientSecret: secretish,
            serviceUsername: "x",
          }),
          "c",
        ),
      ),
      refusal(() =>
        validateConnection(
          input("EWS", "NTLM", "SERVICE_USER", { servicePassword: secretish, ewsUrl: "" }),
          "c",
        ),
      ),
    ];
    for (const error of errors) expect(error.message).not.toContain(secretish);
  });

  it("ignores ewsUrl for GRAPH and extra credentials the method does not use", () => {
    const result = validateConnection(
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { ewsUrl: "not even a url", privateKey: "x" }),
      "c",
    );
    expect(result.connection.ewsUrl).toBeNull();
    expect(result.secrets).toEqual({ clientSecret: SECRET });
  });
});

describe("connection warnings", () => {
  it.each([
    [
      "EWS + OAuth against login.microsoftonline.com",
      input("EWS", "CLIENT_SECRET", "APPLICATION", { authorityUrl: AUTHORITY }),
      true,
    ],
    [
      "EWS against the US Government cloud",
      input("EWS", "CERTIFICATE", "APPLICATION", {
        authorityUrl: `https://login.microsoftonline.us/${TENANT}`,
      }),
      true,
    ],
    [
      "EWS at outlook.office365.com",
      input("EWS", "CLIENT_SECRET", "SERVICE_USER", { ewsUrl: EXO_EWS }),
      true,
    ],
    [
      "EWS on premises with the simulator authority",
      input("EWS", "CLIENT_SECRET", "APPLICATION"),
      false,
    ],
    [
      "NTLM on premises, whatever the authority",
      input("EWS", "NTLM", "SERVICE_USER", { authorityUrl: AUTHORITY }),
      false,
    ],
    [
      "GRAPH against Microsoft's cloud",
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { authorityUrl: AUTHORITY }),
      false,
    ],
  ])("EWS retirement: %s → %s", (_title, connection, warned) => {
    const { warnings } = validateConnection(connection, "c");
    expect(warnings.includes(EWS_RETIRED_WARNING)).toBe(warned);
  });

  it("says when and what to do in the EWS warning", () => {
    expect(EWS_RETIRED_WARNING).toContain(
      "Exchange Online retired Exchange Web Services on 2026-10-01",
    );
    expect(EWS_RETIRED_WARNING).toContain("Use api GRAPH");
  });

  it("warns that Exchange Online refuses NTLM", () => {
    const { warnings } = validateConnection(
      input("EWS", "NTLM", "SERVICE_USER", { ewsUrl: EXO_EWS }),
      "c",
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(EWS_RETIRED_WARNING);
    expect(warnings[1]).toContain("NTLM against Exchange Online");
  });

  it("warns about a client secret that looks like the secret's ID, without quoting it", () => {
    const secretId = "d9c4b5a2-3e1f-4a6b-8c7d-0e9f1a2b3c4d";
    const { warnings } = validateConnection(
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { clientSecret: secretId }),
      "c",
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("clientSecret looks like a GUID");
    expect(warnings[0]).not.toContain(secretId);
  });

  it.each([
    [`https://login.microsoftonline.com/${TENANT}`, undefined, false],
    [`https://login.microsoftonline.com/${TENANT}`, "https://graph.microsoft.us", true],
    [`https://login.microsoftonline.us/${TENANT}`, "https://graph.microsoft.us", false],
    [`https://login.microsoftonline.us/${TENANT}`, "https://dod-graph.microsoft.us", false],
    [`https://login.microsoftonline.us/${TENANT}`, undefined, true],
    [
      `https://login.partner.microsoftonline.cn/${TENANT}`,
      "https://microsoftgraph.chinacloudapi.cn",
      false,
    ],
    [`https://login.chinacloudapi.cn/${TENANT}`, undefined, true],
    [SIMULATOR, "https://localhost:8443", false],
  ])("Graph cloud mismatch: %s with %s → %s", (authorityUrl, graphEndpoint, warned) => {
    const { warnings } = validateConnection(
      input("GRAPH", "CLIENT_SECRET", "APPLICATION", { authorityUrl, graphEndpoint }),
      "c",
    );
    expect(warnings.some((w) => w.includes("belongs to another cloud"))).toBe(warned);
  });
});
