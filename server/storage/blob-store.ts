import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, type ReadStream } from "node:fs";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Attachment contents, content-addressed in the data dir (`attachments/ab/abcdef…`): the same
 * bytes are stored once however many messages carry them. Writes go to a temp file first and are
 * renamed into place, so a crash never leaves a half-written blob under its final name.
 */
export class BlobStore {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "attachments");
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("not a sha256 hex digest");
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash("sha256").update(data).digest("hex");
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

  open(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
  }
}
