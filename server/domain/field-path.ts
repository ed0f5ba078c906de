/**
 * Builds the dotted input path a DomainError carries in `field`, e.g.
 * `input.mailboxes.0.allowedFolders.2`. List positions are written as plain numbers so a client can
 * split on "." and walk its own input object without parsing brackets.
 */
export function fieldPath(prefix: string, ...parts: readonly (string | number)[]): string {
  const all = prefix === "" ? parts : [prefix, ...parts];
  return all.join(".");
}
