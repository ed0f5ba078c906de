import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Database } from "./database.js";
import { AttachmentBlobChunkRow, AttachmentBlobRow } from "./entities/index.js";

/**
 * Attachment contents, content-addressed by SHA-256: the same bytes are stored once however many
 * messages carry them. Where they live depends on the database: on SQLite (one process) in the
 * data dir; on PostgreSQL in the database itself, so every process of a deployment serves every
 * download and nothing is shared on local disk.
 */
export interface BlobStore {
  /** Stores `data` (if new) and answers its address. Done before the page that refers to it commits. */
  put(data: Buffer): Promise<{ sha256: string; size: number }>;
  /** The stored size, or null when the contents are not stored. */
  size(sha256: string): Promise<number | null>;
  /** The contents as a stream, read a piece at a time (never the whole blob in memory). */
  open(sha256: string): Readable;
}

export const sha256Of = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

function checkDigest(sha256: string): void {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("not a sha256 hex digest");
}

export function createBlobStore(db: Database, dataDir: string): BlobStore {
  return db.dialect === "postgres" ? new DatabaseBlobStore(db) : new FileBlobStore(dataDir);
}

/**
 * In the data dir (`attachments/ab/abcdef…`). Writes go to a temp file first and are renamed into
 * place, so a crash never leaves a half-written blob under its final name.
 */
export class FileBlobStore implements BlobStore {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "attachments");
  }

  pathOf(sha256: string): string {
    checkDigest(sha256);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Of(data);
    const path = this.pathOf(sha256);
    if (!existsSync(path)) {
      await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
      const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temp, data, { mode: 0o600 });
      await rename(temp, path);
    }
    return { sha256, size: data.length };
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }
}

/**
 * Bytes per stored chunk. Chunks rather than one `bytea` per attachment: a download reads one
 * chunk per query as the client takes it (a 30 MB attachment costs ~256 KB of memory, not 30 MB
 * plus the driver's hex-decoding copy), and no single value nears PostgreSQL's 1 GB field limit.
 */
export const BLOB_CHUNK_BYTES = 256 * 1024;

/** The last chunk's number for contents of `size` bytes (empty contents have one empty chunk). */
const lastChunkOf = (size: number): number => Math.max(0, Math.ceil(size / BLOB_CHUNK_BYTES) - 1);

/**
 * In PostgreSQL: `attachment_blob_chunk` rows (sha256, seq, data), written in one transaction with
 * the `attachment_blob` row, so a last chunk means every chunk is there. (The `attachment_blob`
 * row alone does not: a deployment that kept contents in data dirs before has rows without
 * chunks, and those contents are stored again here when a resync fetches them.) Processes storing
 * the same contents at once both succeed (conflicting inserts do nothing).
 */
export class DatabaseBlobStore implements BlobStore {
  constructor(private readonly db: Database) {}

  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Of(data);
    const last = lastChunkOf(data.length);
    await this.db.transaction(async (m) => {
      if (await m.existsBy(AttachmentBlobChunkRow, { sha256, seq: last })) return;
      for (let seq = 0; seq <= last; seq++) {
        const bytes = data.subarray(seq * BLOB_CHUNK_BYTES, (seq + 1) * BLOB_CHUNK_BYTES);
        await m
          .createQueryBuilder()
          .insert()
          .into(AttachmentBlobChunkRow)
          .values({ sha256, seq, data: bytes })
          .orIgnore()
          .execute();
      }
      await m
        .createQueryBuilder()
        .insert()
        .into(AttachmentBlobRow)
        .values({ sha256, size: String(data.length), createdAt: new Date() })
        .orIgnore()
        .execute();
    });
    return { sha256, size: data.length };
  }

  async size(sha256: string): Promise<number | null> {
    checkDigest(sha256);
    return this.db.read(async (m) => {
      const row = await m.findOneBy(AttachmentBlobRow, { sha256 });
      if (!row) return null;
      const size = Number(row.size);
      const complete = await m.existsBy(AttachmentBlobChunkRow, { sha256, seq: lastChunkOf(size) });
      return complete ? size : null;
    });
  }

  open(sha256: string): Readable {
    checkDigest(sha256);
    const db = this.db;
    async function* chunks(): AsyncGenerator<Buffer> {
      // Pulled by the stream as the client reads: one chunk in memory at a time.
      for (let seq = 0; ; seq++) {
        const row = await db.read((m) =>
          m.findOne(AttachmentBlobChunkRow, { where: { sha256, seq }, select: { data: true } }),
        );
        if (!row) return;
        if (row.data.length > 0) yield row.data;
      }
    }
    return Readable.from(chunks(), { objectMode: false, highWaterMark: BLOB_CHUNK_BYTES });
  }
}
