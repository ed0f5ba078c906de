import { createHash, randomBytes } from "node:crypto";

const TOKEN_PREFIX = "ms_";

/** A new random API token (256 bits). Shown once; only its hash is stored. */
export const generateToken = (): string => TOKEN_PREFIX + randomBytes(32).toString("base64url");

export const hashToken = (token: string): string =>
  createHash("sha256").update(token, "utf8").digest("hex");
