import express, { type Request, type Response, type Router } from "express";
import type { Logger } from "../observability/logger.js";
import type { IncomingNotification, NotificationService } from "./notification-service.js";

/**
 * `POST <public path>/notifications/graph` and `…/graph/lifecycle`, where Microsoft Graph delivers
 * change and lifecycle notifications. A `validationToken` query is the subscription handshake:
 * echoed at once as text/plain. Anything else is acknowledged with 202 before any work (Graph
 * wants an answer within 3 s) and checked asynchronously; no token is needed, the clientState is
 * the proof, and nothing in a notification is ever stored.
 */
export function createNotificationRouter(
  service: NotificationService,
  publicPath: string,
  maxBodyBytes: number,
  log: Logger,
): Router {
  const router = express.Router();
  const base = `${publicPath.replace(/\/+$/, "")}/notifications/graph`;
  const handler = (req: Request, res: Response): void => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Cache-Control", "no-store");
    const token = req.query.validationToken;
    if (typeof token === "string") {
      service.countValidation();
      res.status(200).type("text/plain; charset=utf-8").send(token);
      return;
    }
    let items: IncomingNotification[];
    try {
      const body = JSON.parse(typeof req.body === "string" ? req.body : "") as { value?: unknown };
      if (!Array.isArray(body.value)) throw new Error("no value array");
      items = body.value.filter(
        (v): v is IncomingNotification => typeof v === "object" && v !== null,
      );
    } catch {
      res.status(400).type("text/plain").send("Expected a change notification collection.");
      return;
    }
    res.status(202).end();
    setImmediate(() => {
      service.receive(items).catch((error: unknown) => {
        log.error({ err: error }, "processing change notifications failed");
      });
    });
  };
  const text = express.text({ type: () => true, limit: maxBodyBytes });
  router.post(base, text, handler);
  router.post(`${base}/lifecycle`, text, handler);
  return router;
}
