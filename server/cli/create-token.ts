// `npm run create-token -- --name NAME [--admin] [--grant project:perm1,perm2 ...]`: mints an API
// token directly in the database (the same rules as the createApiToken mutation) and prints it once.
import "reflect-metadata";
import { parseArgs } from "node:util";
import type { Deps } from "../app/deps.js";
import { PERMISSIONS, type PermissionName, permissionFromEnum } from "../auth/permissions.js";
import { SecretKeyError, openKeyRing } from "../auth/key-check.js";
import { type GrantInput, TokenService } from "../auth/token-service.js";
import type { Viewer } from "../auth/viewer.js";
import { ConfigError, loadConfig } from "../config/config.js";
import { DomainError } from "../domain/errors.js";
import { createInProcessEventBus } from "../events/event-bus.js";
import { createLogger } from "../observability/logger.js";
import { Metrics } from "../observability/metrics.js";
import { createBlobStore } from "../storage/blob-store.js";
import { Database } from "../storage/database.js";

const USAGE = `Usage: npm run create-token -- --name NAME [--admin] [--grant PROJECT:PERMISSION,PERMISSION ...]
Permissions: ${PERMISSIONS.join(", ")}`;

class UsageError extends Error {}

/** `project:perm1,perm2`; permissions as stored (`buckets-read`) or as GraphQL names them. */
function parseGrant(text: string): GrantInput {
  const colon = text.lastIndexOf(":");
  const project = text.slice(0, colon);
  const names = text
    .slice(colon + 1)
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (colon < 1 || names.length === 0) {
    throw new UsageError(`--grant ${text}: expected PROJECT:PERMISSION[,PERMISSION...]`);
  }
  const permissions = names.map((name) => {
    const permission = /[A-Z]/.test(name) ? permissionFromEnum(name) : (name as PermissionName);
    if (!PERMISSIONS.includes(permission))
      throw new UsageError(`--grant ${text}: unknown permission '${name}'`);
    return permission;
  });
  return { project, permissions };
}

/** The command line acts as an admin: whoever can run it can read the database anyway. */
const COMMAND_LINE: Viewer = {
  tokenId: "command-line",
  name: "command line",
  admin: true,
  grants: new Map(),
};

try {
  const { values } = parseArgs({
    options: {
      name: { type: "string" },
      admin: { type: "boolean", default: false },
      grant: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  if (!values.name) throw new UsageError("--name is required");
  const grants = values.grant.map(parseGrant);
  const config = loadConfig();
  const db = await Database.open({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const deps: Deps = {
      config,
      db,
      secrets: await openKeyRing(db, config),
      log: createLogger("silent"),
      events: createInProcessEventBus(),
      blobs: createBlobStore(db, config.dataDir),
      metrics: new Metrics({ defaultMetrics: false }),
      now: () => new Date(),
    };
    const { token, created } = await new TokenService(deps).create(COMMAND_LINE, {
      name: values.name,
      admin: values.admin,
      grants,
    });
    const scope = created.token.admin
      ? "admin"
      : created.grants.map((g) => `${g.projectName}: ${g.permissions.join(", ")}`).join("; ");
    // The token alone on stdout (TOKEN=$(npm run -s create-token -- ...)); the rest on stderr.
    process.stderr.write(
      `Created API token '${created.token.name}' (${scope}), id ${created.token.id}. Shown once:\n`,
    );
    process.stdout.write(token + "\n");
  } finally {
    await db.close();
  }
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (error instanceof DomainError) {
    process.stderr.write(`Refused (${error.code}): ${error.message}\n`);
    process.exit(1);
  }
  if (error instanceof SecretKeyError) {
    process.stderr.write(`Cannot open the stored secrets: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
