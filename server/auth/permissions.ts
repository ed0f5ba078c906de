/** The per-project permissions of DOMAIN.md, as stored (kebab-case) and as GraphQL names them. */
export const PERMISSIONS = [
  "integrations-read",
  "integrations-write",
  "buckets-read",
  "buckets-write",
  "streams-read",
  "streams-admin",
  "streams-consume",
  "messages-read",
] as const;

export type PermissionName = (typeof PERMISSIONS)[number];

export const permissionToEnum = (p: PermissionName): string => p.toUpperCase().replace("-", "_");
export const permissionFromEnum = (value: string): PermissionName =>
  value.toLowerCase().replace("_", "-") as PermissionName;
