import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphCredentialChecker } from "../../server/exchange/credential-check.js";
import type { ResolvedConnection } from "../../server/integrations/credential-checker.js";
import { startExchangeFixture, type ExchangeFixture } from "./exchange-fixture.js";

let fx: ExchangeFixture;

beforeAll(async () => {
  fx = await startExchangeFixture({ messagesPerMailbox: 120 });
});

afterAll(() => fx.stop());

function resolved(overrides: Partial<ResolvedConnection> = {}): ResolvedConnection {
  return {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: fx.demo.authorityUrl,
    clientId: fx.demo.restrictedApp.clientId,
    clientSecret: fx.demo.restrictedApp.clientSecret,
    graphEndpoint: fx.demo.graphEndpoint,
    ewsUrl: null,
    serviceUsername: null,
    certificateThumbprint: null,
    ...overrides,
  };
}

describe("credential check", () => {
  it("tells accessible, not found and access denied mailboxes apart in one check", async () => {
    const { alice, carol, dave, erin } = fx.demo.mailboxes;
    const result = await new GraphCredentialChecker({ outbound: fx.outbound }).check(resolved(), [
      alice,
      "nobody@contoso.com",
      carol,
      dave,
      erin,
    ]);
    expect(result.status).toBe("VALID");
    expect(result.error).toBeNull();
    expect(result.mailboxes.map((m) => [m.email, m.access])).toEqual([
      [alice, "ACCESSIBLE"],
      ["nobody@contoso.com", "NOT_FOUND"],
      [carol, "ACCESS_DENIED"],
      // Unlicensed / on-premises: Graph cannot read them, which is not "not found" (issue 15, bug 5).
      [dave, "NOT_ENABLED_FOR_REST"],
      [erin, "NOT_ENABLED_FOR_REST"],
    ]);
    expect(result.mailboxes[1]?.error).toMatch(/^ErrorInvalidUser: /);
    expect(result.mailboxes[2]?.error).toMatch(/^ErrorAccessDenied: Access to OData is disabled/);
    expect(result.mailboxes[3]?.error).toMatch(/^MailboxNotEnabledForRESTAPI: /);
  });

  it("proves access with a mail request, not the user object", async () => {
    fx.sim.resetStats();
    await new GraphCredentialChecker({ outbound: fx.outbound }).check(resolved(), [
      fx.demo.mailboxes.carol,
    ]);
    const graph = fx.sim.requestLog.filter((e) => e.target === "graph").map((e) => e.path);
    expect(graph).toHaveLength(1);
    expect(graph[0]).toMatch(/\/mailFolders\/inbox/);
  });

  it("is INVALID with the identity platform's error when no token can be had", async () => {
    const result = await new GraphCredentialChecker({ outbound: fx.outbound }).check(
      resolved({ clientSecret: "wrong" }),
      [fx.demo.mailboxes.alice],
    );
    expect(result.status).toBe("INVALID");
    expect(result.error).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(result.mailboxes).toEqual([
      { email: fx.demo.mailboxes.alice, access: "ERROR", error: "Not checked: no access token" },
    ]);
  });

  it("checks certificate credentials (SHA-256 thumbprint) too", async () => {
    const cert = fx.demo.app.certificate;
    const result = await new GraphCredentialChecker({ outbound: fx.outbound }).check(
      resolved({
        authMethod: "CERTIFICATE",
        clientId: fx.demo.app.clientId,
        clientSecret: undefined,
        privateKey: cert.privateKeyPem,
        certificateThumbprint: cert.sha256Thumbprint.toLowerCase(),
      }),
      [fx.demo.mailboxes.carol],
    );
    expect(result.status).toBe("VALID");
    expect(result.mailboxes[0]?.access).toBe("ACCESSIBLE");
  });
});

describe("folder tree", () => {
  it("walks every folder from msgfolderroot with paths from Root, hidden folders included, search folders skipped", async () => {
    const email = fx.demo.mailboxes.alice;
    const folders = await fx.client().listFolders(email);
    const truth = fx.sim
      .folders(email)
      .filter((f) => f.path[1] === "Top of Information Store" && !f.isSearchFolder);
    expect(folders.map((f) => f.id).sort()).toEqual(truth.map((f) => f.id).sort());
    for (const f of folders) {
      const t = truth.find((x) => x.id === f.id);
      expect(f.path).toEqual(t?.path);
      expect(f.totalItemCount).toBe(t?.totalItemCount);
      expect(f.isHidden).toBe(t?.isHidden);
    }
    const paths = folders.map((f) => f.path.slice(2));
    expect(paths).toContainEqual(["Inbox", "Invoices/Receipts"]);
    expect(paths).toContainEqual(["Inbox", "Ünïcödé – 日本語 📬"]);
    expect(paths).toContainEqual(["Inbox", "Projects", "Alpha", "Deep", "Deeper"]);
    expect(paths).toContainEqual(["Yammer Root", "Inbound"]);
    expect(folders[0]?.path).toEqual(["Root", "Top of Information Store"]);
    const index = new Map(folders.map((f, i) => [f.id, i]));
    for (const f of folders.slice(1))
      expect(index.get(f.parentId ?? "")).toBeLessThan(index.get(f.id) ?? -1);
  });

  it("marks search folders when asked for them", async () => {
    const folders = await fx
      .client()
      .listFolders(fx.demo.mailboxes.alice, { includeSearchFolders: true });
    const search = folders.filter((f) => f.isSearchFolder);
    expect(search.map((f) => f.path.slice(2))).toEqual([["Inbox", "Recent mail"]]);
  });

  it("pages childFolders beyond Graph's first page", async () => {
    const folders = await fx.client().listFolders(fx.demo.mailboxes.bob);
    const projects = folders.filter(
      (f) => f.path.slice(2, 4).join("/") === "Inbox/Projects" && f.path.length === 5,
    );
    expect(projects).toHaveLength(13);
  });

  it("sees a folder created later", async () => {
    const email = fx.demo.mailboxes.bob;
    fx.sim.createFolder(email, ["Inbox"], "Brand new");
    const folders = await fx.client().listFolders(email);
    expect(folders.map((f) => f.path.slice(2).join("/"))).toContain("Inbox/Brand new");
  });
});
