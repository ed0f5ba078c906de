import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject, incomingMessage, storeAndPublish } from "../live/fixtures.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const READ = `query($id: ID!) {
  bucket(id: $id) { messageCount messages { edges { node { subject bodyText folder mailbox sequenceId } } } }
  project(name: "identity") { usage { messagesCreated unitsCharged } }
}`;

type Read = {
  bucket: { messageCount: number; messages: { edges: { node: Record<string, string> }[] } };
  project: { usage: { messagesCreated: number; unitsCharged: number } };
};

describe("a message's identity in its bucket (DOMAIN.md, Sync)", () => {
  it("is its Message-ID: a later copy updates mailbox and folder only, and is not charged again", async () => {
    const { project, bucketIds } = await createProject(server, "identity");
    const first = incomingMessage({ subject: "Original", bodyText: "first body" });
    await storeAndPublish(server, project, bucketIds.inbox!, [first]);
    const before = await server.ok<Read>(READ, { id: bucketIds.inbox });

    await storeAndPublish(server, project, bucketIds.inbox!, [
      {
        ...first,
        graphId: "moved-copy",
        mailbox: "archive@contoso.com",
        folder: "Root/Top of Information Store/Archive",
        subject: "Rewritten",
        bodyText: "second body",
      },
    ]);
    const after = await server.ok<Read>(READ, { id: bucketIds.inbox });
    expect(after.bucket.messageCount).toBe(1);
    expect(after.bucket.messages.edges[0]!.node).toEqual({
      subject: "Original",
      bodyText: "first body",
      folder: "Root/Top of Information Store/Archive",
      mailbox: "archive@contoso.com",
      sequenceId: before.bucket.messages.edges[0]!.node.sequenceId,
    });
    expect(after.project.usage).toEqual({ messagesCreated: 1, unitsCharged: 1 });
  });
});
