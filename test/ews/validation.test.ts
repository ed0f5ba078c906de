import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { folderText } from "../support/expected-sync.js";
import {
  type CredentialCheckView,
  VALIDATE,
  secretConnection,
} from "../support/integration-api.js";
import { createIntegrationWith, startSyncEnv, type SyncEnv } from "../support/sync-env.js";

/**
 * "Validate & save credentials" over EWS (DOMAIN.md, EWS) through the GraphQL API against the
 * simulator's Exchange: NTLMv2 with a service user (UPN and DOMAIN\user), app-only tokens with
 * impersonation; per mailbox accessible / not found / access denied; a rejected sign-in in words.
 */
let env: SyncEnv;

beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 5, env: { MAILSTREAM_SYNC_INTERVAL: "3600" } });
  await env.server.ok(`mutation { createProject(input: { name: "ewscheck" }) { id } }`);
});
afterAll(() => env?.stop());

const ntlm = (username: string, password: string) => ({
  api: "EWS",
  authMethod: "NTLM",
  access: "SERVICE_USER",
  ewsUrl: env.sim.ewsUrl,
  serviceUsername: username,
  servicePassword: password,
});

async function validate(connection: unknown, mailboxes: string[]): Promise<CredentialCheckView> {
  return (
    await env.server.ok<{ validateCredentials: CredentialCheckView }>(VALIDATE, {
      connection,
      mailboxes,
    })
  ).validateCredentials;
}

describe("EWS validation", () => {
  it("NTLM service user: Full Access mailbox accessible, others denied, unknown not found", async () => {
    const { tenant } = env;
    const nobody = `nobody@${tenant.domain}`;
    const check = await validate(ntlm(tenant.serviceUser.username, tenant.serviceUser.password), [
      tenant.mailboxes.alice,
      tenant.mailboxes.bob,
      nobody,
    ]);
    expect(check.status).toBe("VALID");
    expect(check.mailboxes.map((m) => [m.email, m.access])).toEqual([
      [tenant.mailboxes.alice, "ACCESSIBLE"],
      [tenant.mailboxes.bob, "ACCESS_DENIED"],
      [nobody, "NOT_FOUND"],
    ]);
    expect(check.mailboxes[1]!.error).toMatch(/ErrorAccessDenied/);
    expect(check.mailboxes[2]!.error).toMatch(/ErrorNonExistentMailbox/);
  });

  it("takes DOMAIN\\user and handshakes once per connection", async () => {
    const { tenant, sim } = env;
    const local = tenant.serviceUser.username.split("@")[0]!;
    const before = sim.ewsRecord();
    const check = await validate(ntlm(`CONTOSO\\${local}`, tenant.serviceUser.password), [
      tenant.mailboxes.alice,
    ]);
    expect(check).toMatchObject({ status: "VALID", mailboxes: [{ access: "ACCESSIBLE" }] });
    const after = sim.ewsRecord();
    const fresh = after.connections.filter((c) => !before.connections.some((b) => b.id === c.id));
    expect(fresh.length).toBeGreaterThan(0);
    for (const c of fresh) expect(c.handshakes).toBeLessThanOrEqual(1);
  });

  it("a wrong password is INVALID, in words, and the password appears nowhere", async () => {
    const { tenant, server } = env;
    const check = await validate(ntlm(tenant.serviceUser.username, "Wrong-Passw0rd!"), [
      tenant.mailboxes.alice,
    ]);
    expect(check.status).toBe("INVALID");
    expect(check.error).toMatch(/rejected the NTLM sign-in of .*password is wrong/);
    expect(check.mailboxes).toEqual([
      expect.objectContaining({ email: tenant.mailboxes.alice, access: "ERROR" }),
    ]);
    const logs = server.logs.join("\n");
    expect(logs).not.toContain("Wrong-Passw0rd!");
    expect(logs).not.toContain(tenant.serviceUser.password);
    expect(logs).not.toMatch(/TlRMTVNTUAAD/); // a Type 3 message, base64
  });

  it("app-only token with impersonation: accessible, and a restricted app is denied", async () => {
    const { tenant } = env;
    const app = {
      ...secretConnection(tenant),
      api: "EWS",
      ewsUrl: env.sim.ewsUrl,
    };
    const check = await validate(app, [tenant.mailboxes.alice, `nobody@${tenant.domain}`]);
    expect(check.status).toBe("VALID");
    expect(check.mailboxes.map((m) => m.access)).toEqual(["ACCESSIBLE", "NOT_FOUND"]);
    const bad = await validate({ ...app, clientSecret: "not-the-secret" }, [
      tenant.mailboxes.alice,
    ]);
    expect(bad.status).toBe("INVALID");
    expect(bad.error).toMatch(/AADSTS7000215/);
  });

  it("creates an EWS integration enabled, with VALID credentials", async () => {
    const { tenant, server } = env;
    const created = await createIntegrationWith(server, {
      project: "ewscheck",
      name: "onprem",
      connection: ntlm(tenant.serviceUser.username, tenant.serviceUser.password),
      mailboxes: [{ email: tenant.mailboxes.alice, allTime: true }],
    });
    expect(created).toMatchObject({
      enabled: true,
      disabledReason: null,
      credentials: { status: "VALID", mailboxes: [{ access: "ACCESSIBLE" }] },
    });
    // The live folder tree and a volume estimate, over EWS too.
    const folders = await server.ok<{ mailboxFolders: string[] }>(
      `query($i: ID!, $e: String!) { mailboxFolders(integrationId: $i, email: $e) }`,
      { i: created.id, e: tenant.mailboxes.alice },
    );
    const truth = env.sim
      .folders(tenant.mailboxes.alice)
      .filter((f) => !f.isSearchFolder && f.path[1] === "Top of Information Store")
      .map((f) => folderText(f.path));
    expect(folders.mailboxFolders).toContain("Root/Top of Information Store/Inbox");
    expect(new Set(folders.mailboxFolders)).toEqual(new Set(truth));
    const estimate = await server.ok<{ estimateVolume: { messages: number } }>(
      `query($i: ID!, $m: MailboxInput!) { estimateVolume(integrationId: $i, mailbox: $m) { messages } }`,
      { i: created.id, m: { email: tenant.mailboxes.alice, allTime: true } },
    );
    expect(estimate.estimateVolume.messages).toBe(
      [...env.sim.groundTruth(tenant.mailboxes.alice)].length,
    );
  });
});
