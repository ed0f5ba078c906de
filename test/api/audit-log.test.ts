import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CREATE,
  UPDATE_CONNECTION,
  VALIDATE,
  certificateConnection,
  expectRefused,
  secretConnection,
} from "../support/integration-api.js";
import { snapshot } from "../support/snapshot.js";
import { startSyncEnv, type SyncEnv } from "../support/sync-env.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/test-server.js";
import { createToken } from "../live/fixtures.js";

/** Distinctive enough that finding them anywhere can only mean a leak. */
const CLIENT_SECRET = "audit-canary-client-secret-9d3e";
const SERVICE_PASSWORD = "audit-canary-service-password-51ab";
const EWS_URL = "https://mail.contoso.com/EWS/Exchange.asmx";

const AUDIT_LOG = `query($project: String, $first: Int, $after: String) {
  auditLog(project: $project, first: $first, after: $after) {
    edges { cursor node {
      id at tokenId tokenName action project targetType targetId targetName outcome summary
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Entry {
  id: string;
  at: string;
  tokenId: string;
  tokenName: string;
  action: string;
  project: string | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  outcome: string;
  summary: string;
}
interface AuditPage {
  auditLog: {
    edges: { cursor: string; node: Entry }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

let env: SyncEnv;
let server: TestServer;
let adminTokenId: string;

beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 5 });
  server = env.server;
  const viewer = await server.ok<{ viewer: { id: string } }>(`{ viewer { id } }`);
  adminTokenId = viewer.viewer.id;
});
afterAll(() => env?.stop());

const entries = async (variables: Record<string, unknown> = {}): Promise<Entry[]> =>
  (await server.ok<AuditPage>(AUDIT_LOG, { first: 500, ...variables })).auditLog.edges.map(
    (e) => e.node,
  );

describe("the audit log", () => {
  it("records who did what to which target, newest first", async () => {
    await server.ok(`mutation { createProject(input: { name: "audited", title: "A" }) { id } }`);
    const bucket = await server.ok<{ createBucket: { id: string } }>(
      `mutation { createBucket(input: { project: "audited", name: "inbox" }) { id } }`,
    );
    await server.ok(
      `mutation { updateProject(name: "audited", input: { unitBudget: 500 }) { id } }`,
    );
    const [update, create, project] = await entries({ project: "audited" });
    expect(project).toMatchObject({
      tokenId: adminTokenId,
      tokenName: "bootstrap admin",
      action: "createProject",
      project: "audited",
      targetType: "Project",
      targetName: "audited",
      outcome: "OK",
    });
    expect(create).toMatchObject({
      action: "createBucket",
      targetType: "Bucket",
      targetId: bucket.createBucket.id,
      targetName: "inbox",
      outcome: "OK",
    });
    expect(update).toMatchObject({ action: "updateProject", summary: "unitBudget=500" });
    expect(Number(update!.id)).toBeGreaterThan(Number(create!.id));
    expect(new Date(update!.at).getTime()).toBeGreaterThanOrEqual(new Date(project!.at).getTime());
  });

  it("logs a refusal with its error code, separately: the refused change itself leaves nothing", async () => {
    await server.ok(`mutation { createProject(input: { name: "guarded" }) { id } }`);
    const reader = await createToken(server, [
      { project: "guarded", permissions: ["BUCKETS_READ"] },
    ]);
    await expectRefused(
      server,
      `mutation { createBucket(input: { project: "guarded", name: "nope" }) { id } }`,
      {},
      { code: "FORBIDDEN" },
      reader.token,
    );
    await expectRefused(
      server,
      `mutation { createProject(input: { name: "guarded" }) { id } }`,
      {},
      { code: "CONFLICT" },
    );
    const [conflict, forbidden] = await entries({ project: "guarded" });
    expect(forbidden).toMatchObject({
      tokenId: reader.id,
      action: "createBucket",
      targetName: "nope",
      outcome: "FORBIDDEN",
    });
    expect(conflict).toMatchObject({ action: "createProject", outcome: "CONFLICT" });
    // The refused bucket was never made.
    const buckets = await server.ok<{ project: { buckets: unknown[] } }>(
      `{ project(name: "guarded") { buckets { id } } }`,
    );
    expect(buckets.project.buckets).toEqual([]);
  });

  it("never holds a client secret, private key or service password", async () => {
    const { tenant } = env;
    await server.ok(`mutation { createProject(input: { name: "secretive" }) { id } }`);
    const created = await server.ok<{ createIntegration: { id: string } }>(CREATE, {
      input: {
        project: "secretive",
        name: "graph",
        enabled: false,
        connection: { ...secretConnection(tenant), clientSecret: tenant.app.clientSecret },
      },
    });
    const id = created.createIntegration.id;
    const certificate = certificateConnection(tenant);
    await server.ok(UPDATE_CONNECTION, { id, connection: certificate });
    // Refused (bad secret), and so logged as a refusal: still without the secret.
    await server.gql(UPDATE_CONNECTION, {
      id,
      connection: { ...secretConnection(tenant), clientSecret: CLIENT_SECRET },
    });
    await server.ok(CREATE, {
      input: {
        project: "secretive",
        name: "ews",
        connection: {
          api: "EWS",
          authMethod: "NTLM",
          access: "SERVICE_USER",
          ewsUrl: EWS_URL,
          serviceUsername: "svc@contoso.com",
          servicePassword: SERVICE_PASSWORD,
        },
      },
    });
    await server.gql(VALIDATE, {
      connection: { ...secretConnection(tenant), clientSecret: CLIENT_SECRET },
      mailboxes: [tenant.mailboxes.alice],
    });
    const token = await server.ok<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "audited-token", admin: true }) { token } }`,
    );

    const logged = await entries({ project: "secretive" });
    expect(logged.map((e) => `${e.action} ${e.outcome}`)).toEqual([
      "createIntegration OK",
      "updateIntegrationConnection BAD_USER_INPUT",
      "updateIntegrationConnection OK",
      "createIntegration OK",
      "createProject OK",
    ]);
    expect(logged[3]!.summary).toContain("authMethod=CLIENT_SECRET");
    const all = JSON.stringify(
      await server.app.deps.db.dataSource.query(`SELECT * FROM "audit_log"`),
    );
    expect(all).toContain("validateCredentials");
    expect(all).toContain("audited-token");
    for (const secret of [
      CLIENT_SECRET,
      tenant.app.clientSecret,
      SERVICE_PASSWORD,
      certificate.privateKey!.split("\n")[1]!,
      token.createApiToken.token,
      ADMIN_TOKEN,
    ]) {
      expect(all, secret).not.toContain(secret);
    }
  });

  it("pages newest first by cursor, across all projects or one", async () => {
    for (const name of ["paged-1", "paged-2", "paged-3"])
      await server.ok(`mutation($name: String!) { createProject(input: { name: $name }) { id } }`, {
        name,
      });
    const first = await server.ok<AuditPage>(AUDIT_LOG, { first: 2 });
    expect(first.auditLog.edges.map((e) => e.node.project)).toEqual(["paged-3", "paged-2"]);
    expect(first.auditLog.pageInfo).toEqual({
      hasNextPage: true,
      endCursor: first.auditLog.edges[1]!.cursor,
    });
    const next = await server.ok<AuditPage>(AUDIT_LOG, {
      first: 1,
      after: first.auditLog.pageInfo.endCursor,
    });
    expect(next.auditLog.edges.map((e) => e.node.project)).toEqual(["paged-1"]);
    const one = await server.ok<AuditPage>(AUDIT_LOG, { project: "paged-2" });
    expect(one.auditLog.edges.map((e) => e.node.action)).toEqual(["createProject"]);
    expect(one.auditLog.pageInfo.hasNextPage).toBe(false);
    const bad = await server.gql(AUDIT_LOG, { after: "not-a-cursor" });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("is readable by admin tokens only", async () => {
    await server.ok(`mutation { createProject(input: { name: "readers" }) { id } }`);
    const member = await createToken(server, [
      { project: "readers", permissions: ["INTEGRATIONS_READ", "INTEGRATIONS_WRITE"] },
    ]);
    for (const project of [null, "readers"]) {
      const refused = await server.gql(AUDIT_LOG, { project }, member.token);
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(refused.data).toBeNull();
    }
    const anonymous = await server.gql(AUDIT_LOG, {}, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("an entry and its change", () => {
  let isolated: TestServer;
  beforeAll(async () => {
    isolated = await startTestServer();
  });
  afterAll(() => isolated?.stop());

  it("commit together: when the entry cannot be written, the change is rolled back", async () => {
    await isolated.ok(`mutation { createProject(input: { name: "kept" }) { id } }`);
    await isolated.app.deps.db.dataSource.query(`ALTER TABLE "audit_log" RENAME TO "audit_gone"`);
    const before = await snapshotWithout(isolated);
    for (const mutation of [
      `mutation { createProject(input: { name: "lost" }) { id } }`,
      `mutation { updateProject(name: "kept", input: { title: "changed" }) { id } }`,
    ]) {
      const result = await isolated.gql(mutation);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["INTERNAL_SERVER_ERROR"]);
    }
    expect(await snapshotWithout(isolated)).toBe(before);
    const projects = await isolated.ok<{ projects: { name: string; title: string }[] }>(
      `{ projects { name title } }`,
    );
    expect(projects.projects).toEqual([{ name: "kept", title: "kept" }]);
    expect(isolated.logs.join("")).toContain("could not log a refusal");
  });
});

/** snapshot() reads audit_log, renamed away in that test: every other table, as it does. */
async function snapshotWithout(target: TestServer): Promise<string> {
  const renamed = `ALTER TABLE "audit_gone" RENAME TO "audit_log"`;
  await target.app.deps.db.dataSource.query(renamed);
  try {
    return await snapshot(target);
  } finally {
    await target.app.deps.db.dataSource.query(`ALTER TABLE "audit_log" RENAME TO "audit_gone"`);
  }
}
