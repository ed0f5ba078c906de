import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";
import express, { Router } from "express";

export interface DashboardRouteOptions {
  /** The Vite build output (`npm run build:client`); default: client/dist of this checkout. */
  distDir?: string;
}

/** Paths the dashboard never answers, so its index.html fallback cannot shadow the API. */
const SERVER_PATHS = ["/graphql", "/attachments", "/healthz"];

/**
 * Security headers for the dashboard page. Scripts and styles come only from our origin (inline
 * styles are allowed for the message viewer's sandboxed HTML, which inherits this policy);
 * connections only to our origin (HTTP and the graphql-ws socket); no framing.
 */
const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

/** client/dist, from server/http (tsx, vitest) or dist/server/http (after tsc). */
function defaultDistDir(): string {
  const candidates = ["../../client/dist", "../../../client/dist"].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? candidates[0]!;
}

/**
 * The dashboard at `/` (RUNNING.md): hashed build assets with a one-year immutable cache, other
 * static files briefly cached, and index.html for every other GET that asks for HTML, so client
 * routes such as /p/demo/integrations survive a reload. Mount it after the API routes.
 */
export function createDashboardRouter(options: DashboardRouteOptions = {}): Router {
  const distDir = options.distDir ?? defaultDistDir();
  const indexFile = join(distDir, "index.html");
  const router = Router();

  // Served as their declared type only: a browser never sniffs a script out of a static file.
  const nosniff = {
    setHeaders: (res: ServerResponse) => res.setHeader("X-Content-Type-Options", "nosniff"),
  };
  router.use(
    "/assets",
    express.static(join(distDir, "assets"), {
      immutable: true,
      maxAge: "365d",
      index: false,
      fallthrough: false,
      ...nosniff,
    }),
  );
  router.use(
    express.static(distDir, { index: false, maxAge: "1h", dotfiles: "ignore", ...nosniff }),
  );
  router.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (SERVER_PATHS.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    if (!req.accepts("html")) return next();
    if (!existsSync(indexFile)) {
      res
        .status(503)
        .type("text/plain")
        .send("The dashboard is not built yet: run `npm run build:client`.");
      return;
    }
    res.set(PAGE_HEADERS);
    res.sendFile(indexFile);
  });
  return router;
}
