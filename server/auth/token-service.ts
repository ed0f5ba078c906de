import type { Deps } from "../app/deps.js";
import { badInput, conflict, notFound } from "../domain/errors.js";
import { validateApiName } from "../domain/names.js";
import { INPUT_LIMITS, limitCount } from "../domain/input-limits.js";
import type { ApiTokenRow, ProjectRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import { projectByName } from "../storage/project-store.js";
import {
  anyToken,
  grantsOfToken,
  insertGrant,
  insertToken,
  markTokenRevoked,
  namedGrantsOfToken,
  tokenByHash,
  tokenById,
  tokenByIdOrFail,
  tokensByAge,
  touchToken,
} from "../storage/token-store.js";
import { PERMISSIONS, type PermissionName } from "./permissions.js";
import { generateToken, hashToken } from "./token-hash.js";
import { type Viewer, requireAdmin } from "./viewer.js";
import { lockStartupWork } from "../storage/startup-lock.js";
import { audited } from "../audit/audit-trail.js";

export interface GrantInput {
  project: string;
  permissions: PermissionName[];
}

export interface NewToken {
  name: string;
  admin?: boolean | null;
  grants?: GrantInput[] | null;
}

export interface TokenWithGrants {
  token: ApiTokenRow;
  grants: { projectName: string; permissions: PermissionName[] }[];
}

/** How often `lastUsedAt` is written at most, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** How long a subscription may rely on a token's last known state before checking again. */
const ACTIVE_CACHE_MS = 1_000;

export class TokenService {
  private readonly activeCache = new Map<string, { active: boolean; until: number }>();

  constructor(private readonly deps: Deps) {}

  /** Resolves a bearer token to its viewer; null when absent, revoked or unknown. */
  async authenticate(token: string): Promise<Viewer | null> {
    const row = await this.deps.db.read((m) => tokenByHash(m, hashToken(token)));
    if (!row || row.revokedAt) return null;
    const grants = await this.deps.db.read((m) => grantsOfToken(m, row.id));
    const now = this.deps.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.deps.db.transaction((m) => touchToken(m, row.id, now));
    }
    return {
      tokenId: row.id,
      name: row.name,
      admin: row.admin,
      grants: new Map(grants.map((g) => [g.projectId, new Set(g.permissions as PermissionName[])])),
    };
  }

  /** Is this token still valid? (Long-lived subscriptions re-check before each event.) */
  async isActive(tokenId: string): Promise<boolean> {
    const cached = this.activeCache.get(tokenId);
    if (cached && cached.until > Date.now()) return cached.active;
    const row = await this.deps.db.read((m) => tokenById(m, tokenId));
    const active = !!row && !row.revokedAt;
    this.activeCache.set(tokenId, { active, until: Date.now() + ACTIVE_CACHE_MS });
    return active;
  }

  /**
   * On a first start with an empty database: makes the bootstrap admin token (the configured one
   * or a new one). Returns the token when it was generated here, so the caller prints it once.
   */
  async bootstrap(
    configured: string | null,
  ): Promise<{ generated: string | null; created: boolean }> {
    return this.deps.db.transaction(async (m) => {
      // Processes starting at once on one database: one bootstraps, the others then see its token.
      await lockStartupWork(m);
      if (await anyToken(m)) return { generated: null, created: false };
      const token = configured ?? generateToken();
      await insertToken(m, {
        id: newId(),
        name: "bootstrap admin",
        tokenHash: hashToken(token),
        admin: true,
        createdAt: this.deps.now(),
        lastUsedAt: null,
        revokedAt: null,
      });
      return { generated: configured ? null : token, created: true };
    });
  }

  create(viewer: Viewer, input: NewToken): Promise<{ token: string; created: TokenWithGrants }> {
    const target = { type: "ApiToken", name: input.name };
    return audited(this.deps, viewer, "createApiToken", target, async (trail) => {
      // The grants' projects and permissions, never the token (it exists only in the answer).
      trail.note({
        admin: input.admin ?? false,
        grants: input.grants?.map((g) => `${g.project}:${g.permissions.join("+")}`).join(" "),
      });
      requireAdmin(viewer, "create API tokens");
      const name = input.name.trim();
      if (!name || name.length > 256) {
        throw badInput(
          "input.name",
          "Give the token a name of 1 to 256 characters, e.g. 'nightly-export'.",
        );
      }
      const grants = input.grants ?? [];
      limitCount("input.grants", grants.length, INPUT_LIMITS.maxListEntries);
      if (!input.admin && grants.length === 0) {
        throw badInput(
          "input.grants",
          "A token needs admin: true or at least one grant ({ project, permissions }) to be of use.",
        );
      }
      return trail.transaction(async (m) => {
        const resolved: { project: ProjectRow; permissions: PermissionName[] }[] = [];
        for (const [index, grant] of grants.entries()) {
          validateApiName(`input.grants.${index}.project`, grant.project);
          const project = await projectByName(m, grant.project);
          if (!project)
            throw notFound(`Project '${grant.project}' (grants[${index}]) was not found.`);
          if (resolved.some((r) => r.project.id === project.id)) {
            throw conflict(
              `Project '${grant.project}' is granted twice; list its permissions once.`,
            );
          }
          const permissions = [...new Set(grant.permissions)].filter((p) =>
            PERMISSIONS.includes(p),
          );
          if (permissions.length === 0) {
            throw badInput(
              `input.grants.${index}.permissions`,
              "A grant needs at least one permission.",
            );
          }
          resolved.push({ project, permissions });
        }
        const token = generateToken();
        const row = await insertToken(m, {
          id: newId(),
          name,
          tokenHash: hashToken(token),
          admin: input.admin ?? false,
          createdAt: this.deps.now(),
          lastUsedAt: null,
          revokedAt: null,
        });
        trail.about({ id: row.id });
        for (const grant of resolved) {
          await insertGrant(m, {
            id: newId(),
            tokenId: row.id,
            projectId: grant.project.id,
            permissions: grant.permissions,
          });
        }
        return {
          token,
          created: {
            token: row,
            grants: resolved.map((g) => ({
              projectName: g.project.name,
              permissions: g.permissions,
            })),
          },
        };
      });
    });
  }

  /** Admins see every active token; any other token sees itself. */
  async list(viewer: Viewer): Promise<TokenWithGrants[]> {
    const rows = await this.deps.db.read((m) =>
      tokensByAge(m, viewer.admin ? null : viewer.tokenId),
    );
    const active = rows.filter((r) => !r.revokedAt);
    return Promise.all(active.map((row) => this.withGrants(row)));
  }

  async viewerToken(viewer: Viewer): Promise<TokenWithGrants> {
    const row = await this.deps.db.read((m) => tokenByIdOrFail(m, viewer.tokenId));
    return this.withGrants(row);
  }

  /** An admin revokes any token; any token may revoke itself. */
  async revoke(viewer: Viewer, id: string): Promise<boolean> {
    await audited(this.deps, viewer, "revokeApiToken", { type: "ApiToken", id }, (trail) =>
      trail.transaction(async (m) => {
        const row = await tokenById(m, id);
        const visible = row && !row.revokedAt && (viewer.admin || row.id === viewer.tokenId);
        if (!visible) throw notFound(`API token '${id}' was not found.`);
        trail.about({ name: row.name });
        await markTokenRevoked(m, row, this.deps.now());
        this.activeCache.delete(row.id);
      }),
    );
    // After the commit: open subscriptions of the token end and its sockets close.
    this.deps.events.publish("accessRevoked", { kind: "TOKEN_REVOKED", tokenId: id });
    return true;
  }

  private async withGrants(token: ApiTokenRow): Promise<TokenWithGrants> {
    const grants = await this.deps.db.read((m) => namedGrantsOfToken(m, token.id));
    return {
      token,
      grants: grants.map((g) => ({
        projectName: g.projectName,
        permissions: g.permissions as PermissionName[],
      })),
    };
  }
}
