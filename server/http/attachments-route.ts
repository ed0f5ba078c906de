import { pipeline } from "node:stream/promises";
import { Router, type Response } from "express";
import type { Viewer } from "../auth/viewer.js";
import { hasPermission, unauthenticatedMessage } from "../auth/viewer.js";
import { bearerToken } from "./auth-header.js";
import type { Logger } from "../observability/logger.js";
import { findAttachmentByReference } from "../storage/attachment-store.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { Database } from "../storage/database.js";

export interface AttachmentsRouteDeps {
  db: Database;
  blobs: BlobStore;
  log: Logger;
  /** Resolves an `Authorization` header (create-app's shared authenticator). */
  authenticate(header: unknown): Promise<Viewer | null>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** `type/subtype` with optional `; name=value` parameters (RFC 9110 media-type syntax). */
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))*$`,
);

/**
 * `GET /attachments/<reference>` (RUNNING.md): the stored contents of an attachment, for a bearer
 * token holding `messages-read` on its project (DOMAIN.md, Attachments). Without a valid token the
 * answer is 401; for any other refusal — unknown reference, another project, a missing permission,
 * contents not stored — it is the same 404, so a caller cannot learn whether a reference exists.
 * Contents are served as a download (never rendered by the browser on our origin).
 */
export function createAttachmentsRouter(deps: AttachmentsRouteDeps): Router {
  const router = Router();
  router.get("/:reference", async (req, res) => {
    const viewer = await deps.authenticate(req.headers.authorization);
    if (!viewer) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="mailstream"');
      const tokenRejected = bearerToken(req.headers.authorization) !== null;
      res.status(401).json({ error: unauthenticatedMessage(tokenRejected) });
      return;
    }
    const reference = req.params.reference ?? "";
    const attachment = await deps.db.read((m) => findAttachmentByReference(m, reference));
    if (!attachment || !hasPermission(viewer, attachment.projectId, "messages-read")) {
      notFound(res);
      return;
    }
    const size = await deps.blobs.size(attachment.sha256);
    if (size === null) {
      deps.log.warn(
        { sha256: attachment.sha256 },
        "attachment contents recorded but missing from the blob store",
      );
      notFound(res);
      return;
    }
    res.status(200);
    res.setHeader(
      "Content-Type",
      MEDIA_TYPE.test(attachment.contentType) ? attachment.contentType : "application/octet-stream",
    );
    res.setHeader("Content-Length", String(size));
    res.setHeader("Content-Disposition", contentDisposition(attachment.name));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    res.setHeader("Cache-Control", "private, no-store");
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    try {
      await pipeline(deps.blobs.open(attachment.sha256), res);
    } catch (error) {
      // A client that goes away mid-download ends up here too; nothing left to answer.
      deps.log.debug({ err: error }, "attachment download ended early");
      res.destroy();
    }
  });
  return router;
}

function notFound(res: Response): void {
  res.status(404).json({ error: "Not found." });
}

/**
 * `attachment` with the name made harmless: no quotes, backslashes, path separators or control
 * characters, an ASCII `filename` for old clients and the exact name (UTF-8) in `filename*`.
 */
export function contentDisposition(name: string): string {
  const cleaned = Array.from(
    name
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "_")
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\/:*?<>|]/g, "_")
      .replace(/^[\s.]+/, "")
      .trim(),
  )
    .slice(0, 200)
    .join("");
  const safe = cleaned === "" ? "attachment" : cleaned;
  const ascii = safe.replace(/[^\x20-\x7e]/g, "_").replace(/%/g, "_");
  const encoded = encodeURIComponent(safe).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
