import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BLOB_CHUNK_BYTES,
  type BlobStore,
  createBlobStore,
} from "../../server/storage/blob-store.js";
import { Database } from "../../server/storage/database.js";
import { AttachmentBlobRow } from "../../server/storage/entities/index.js";
import { createScratchDatabase, postgresAdminUrl } from "../support/database.js";

/**
 * Attachment contents on both databases: in the data dir on SQLite, in chunks in PostgreSQL. The
 * same contract either way: content-addressed, stored once, read back exactly, streamed.
 */
let db: Database;
let blobs: BlobStore;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "mailstream-blobs-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | null = null;
  const adminUrl = postgresAdminUrl();
  if (adminUrl) {
    const scratch = await createScratchDatabase(adminUrl);
    cleanups.push(scratch.drop);
    databaseUrl = scratch.url;
  }
  db = await Database.open({ dataDir, databaseUrl });
  cleanups.unshift(() => db.close());
  blobs = createBlobStore(db, dataDir);
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function readAll(sha256: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of blobs.open(sha256)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe("the blob store", () => {
  it("reads back exactly what it stored, at every size around a chunk boundary", async () => {
    for (const size of [0, 1, BLOB_CHUNK_BYTES - 1, BLOB_CHUNK_BYTES, 2 * BLOB_CHUNK_BYTES + 7]) {
      const data = randomBytes(size);
      const stored = await blobs.put(data);
      expect(stored).toEqual({ sha256: sha(data), size });
      expect(await blobs.size(stored.sha256)).toBe(size);
      expect((await readAll(stored.sha256)).equals(data)).toBe(true);
    }
  });

  it("stores the same contents once, also when stored concurrently", async () => {
    const data = randomBytes(BLOB_CHUNK_BYTES + 10);
    const results = await Promise.all([blobs.put(data), blobs.put(data), blobs.put(data)]);
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect((await readAll(sha(data))).equals(data)).toBe(true);
  });

  it("counts recorded contents that are not there as not stored, until they are stored again", async () => {
    const data = Buffer.from("contents kept elsewhere before");
    await db.transaction((m) =>
      m.insert(AttachmentBlobRow, {
        sha256: sha(data),
        size: String(data.length),
        createdAt: new Date(),
      }),
    );
    expect(await blobs.size(sha(data))).toBeNull();
    await blobs.put(data);
    expect(await blobs.size(sha(data))).toBe(data.length);
    expect(await text(blobs.open(sha(data)))).toBe("contents kept elsewhere before");
  });

  it("answers null for contents it never stored", async () => {
    expect(await blobs.size(sha(Buffer.from("never")))).toBeNull();
  });
});
