import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentBlobRow, AttachmentRow } from "../../server/storage/entities/index.js";
import { attachContent } from "../../server/storage/attachment-store.js";
import type { IncomingAttachment } from "../../server/storage/message-store.js";
import { startTestServer, ADMIN_TOKEN, type TestServer } from "../support/test-server.js";
import {
  type ProjectRef,
  createProject,
  createToken,
  incomingMessage,
  storeAndPublish,
} from "./fixtures.js";

let server: TestServer;
let project: ProjectRef;
let bucketId: string;
let readerToken: string;

beforeAll(async () => {
  server = await startTestServer();
  const made = await createProject(server, "downloads");
  project = made.project;
  bucketId = made.bucketIds.inbox!;
  await createProject(server, "elsewhere");
  readerToken = (
    await createToken(server, [{ project: "downloads", permissions: ["MESSAGES_READ"] }])
  ).token;
});
afterAll(() => server.stop());

function attachment(name: string, contentType: string, size: number): IncomingAttachment {
  return {
    graphId: `att-${randomBytes(4).toString("hex")}`,
    name,
    contentType,
    size,
    inline: false,
    kind: "file",
    contentSha256: null,
  };
}

/** A message with attachments whose contents are then stored, as the sync engine does. */
async function messageWithContents(
  files: { name: string; contentType: string; data: Buffer | null }[],
) {
  const [message] = await storeAndPublish(server, project, bucketId, [
    incomingMessage({
      attachments: files.map((f) => attachment(f.name, f.contentType, f.data?.length ?? 0)),
    }),
  ]);
  const { db, blobs } = server.app.deps;
  const rows = await db.read((m) => m.findBy(AttachmentRow, { messageId: message!.id }));
  const references: Record<string, string | null> = {};
  for (const file of files) {
    const row = rows.find((r) => r.name === file.name)!;
    if (!file.data) {
      references[file.name] = null;
      continue;
    }
    const stored = await blobs.put(file.data);
    references[file.name] = await db.transaction((m) => attachContent(m, row.id, stored));
  }
  return { messageId: message!.id, references };
}

const download = (reference: string, token: string | null = readerToken, method = "GET") =>
  fetch(`${server.url}/attachments/${reference}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

describe("attachment downloads", () => {
  it("streams the stored bytes with their type, length and a download disposition", async () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(200_000)]);
    const { messageId, references } = await messageWithContents([
      { name: "Invoice 42.pdf", contentType: "application/pdf", data: pdf },
      { name: "not fetched.bin", contentType: "application/octet-stream", data: null },
    ]);
    const reference = references["Invoice 42.pdf"]!;
    expect(reference).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const listed = await server.ok<{
      message: { attachments: { name: string; size: number; reference: string | null }[] };
    }>(
      `query($id: ID!) { message(id: $id) { attachments { name contentType size inline reference } } }`,
      { id: messageId },
      readerToken,
    );
    expect(listed.message.attachments).toEqual([
      {
        name: "Invoice 42.pdf",
        contentType: "application/pdf",
        size: pdf.length,
        inline: false,
        reference,
      },
      {
        name: "not fetched.bin",
        contentType: "application/octet-stream",
        size: 0,
        inline: false,
        reference: null,
      },
    ]);

    const response = await download(reference);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-length")).toBe(String(pdf.length));
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="Invoice 42.pdf"; filename*=UTF-8''Invoice%2042.pdf`,
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await response.arrayBuffer()).equals(pdf)).toBe(true);

    const head = await download(reference, readerToken, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(pdf.length));
  });

  it("answers 401 without a valid token and the same 404 for every other refusal", async () => {
    const { references } = await messageWithContents([
      { name: "secret.txt", contentType: "text/plain", data: Buffer.from("top secret") },
    ]);
    const reference = references["secret.txt"]!;
    const outsider = await createToken(server, [
      { project: "elsewhere", permissions: ["MESSAGES_READ"] },
    ]);
    const bucketsOnly = await createToken(server, [
      { project: "downloads", permissions: ["BUCKETS_READ", "STREAMS_CONSUME"] },
    ]);
    const revoked = await createToken(server, [
      { project: "downloads", permissions: ["MESSAGES_READ"] },
    ]);
    await server.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: revoked.id });

    for (const token of [null, "ms_unknown", revoked.token]) {
      const response = await download(reference, token);
      expect(response.status, String(token)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    const refusals = [
      await download(reference, outsider.token),
      await download(reference, bucketsOnly.token),
      await download(randomBytes(32).toString("base64url")),
      await download("not-a-reference"),
      await download(reference.slice(0, -1)),
    ];
    const bodies = await Promise.all(refusals.map((r) => r.text()));
    expect(refusals.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).not.toContain("secret");
    expect((await download(reference)).status).toBe(200);
    expect((await download(reference, ADMIN_TOKEN)).status).toBe(200);
  });

  it("serves hostile names and types as harmless downloads", async () => {
    const { references } = await messageWithContents([
      {
        name: '../../evil"\r\nSet-Cookie: x=1;.html',
        contentType: "text/html",
        data: Buffer.from("<script>alert(1)</script>"),
      },
      {
        name: "Résumé – 2026.docx",
        contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        data: Buffer.from("docx"),
      },
      { name: "odd.bin", contentType: "text/html\r\nX-Evil: 1", data: Buffer.from("odd") },
    ]);
    const html = await download(references['../../evil"\r\nSet-Cookie: x=1;.html']!);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toBe("text/html");
    const disposition = html.headers.get("content-disposition")!;
    expect(disposition.startsWith("attachment;")).toBe(true);
    expect(disposition).not.toMatch(/[\r\n\\]|\.\.\//);
    expect(disposition.match(/"/g)).toHaveLength(2);
    expect(html.headers.get("set-cookie")).toBeNull();
    expect(html.headers.get("content-security-policy")).toContain("sandbox");

    const docx = await download(references["Résumé – 2026.docx"]!);
    expect(docx.headers.get("content-disposition")).toBe(
      `attachment; filename="R_sum_ _ 2026.docx"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%202026.docx`,
    );
    const odd = await download(references["odd.bin"]!);
    expect(odd.headers.get("content-type")).toBe("application/octet-stream");
    expect(odd.headers.get("x-evil")).toBeNull();
  });

  it("stores each content once and gives every attachment its own unguessable reference", async () => {
    const data = Buffer.from(`shared logo ${Date.now()}`);
    const first = await messageWithContents([{ name: "logo.png", contentType: "image/png", data }]);
    const second = await messageWithContents([
      { name: "logo.png", contentType: "image/png", data },
    ]);
    const a = first.references["logo.png"]!;
    const b = second.references["logo.png"]!;
    expect(a).not.toBe(b);
    const { sha256 } = await server.app.deps.blobs.put(data);
    const blobs = await server.app.deps.db.read((m) => m.findBy(AttachmentBlobRow, { sha256 }));
    expect(blobs).toHaveLength(1);
    expect(Number(blobs[0]!.size)).toBe(data.length);
    expect(Buffer.from(await (await download(a)).arrayBuffer()).equals(data)).toBe(true);
    expect(Buffer.from(await (await download(b)).arrayBuffer()).equals(data)).toBe(true);
  });
});
