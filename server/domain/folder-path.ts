import { badInput } from "./errors.js";
import { quoted } from "./message-text.js";

/** A folder path as its folder names from the mailbox root, unescaped. */
export type FolderSegments = readonly string[];

const EXAMPLE = "Root/Top of Information Store/Inbox";

/**
 * Rule "folder path syntax" (DOMAIN.md Folder filters): names separated by `/`, a `/` inside a
 * name written `\/` and a backslash `\\`; one trailing `/` is ignored; empty names are refused.
 * Any other backslash sequence is refused rather than kept literally, so every accepted text has
 * exactly one meaning and {@link formatFolderPath} gives it back unchanged.
 * Surrounding whitespace of the whole entry is trimmed; whitespace inside names is kept, since
 * Exchange folder names may contain it.
 */
export function parseFolderPath(text: string, field = "folder"): string[] {
  const path = text.trim();
  if (path === "") {
    throw badInput(field, `Folder path is empty; write it from the mailbox root, e.g. ${EXAMPLE}.`);
  }
  if (path.startsWith("/")) {
    throw badInput(
      field,
      `Folder path ${quoted(path)} starts with "/"; write it from the mailbox root without a leading "/", e.g. ${EXAMPLE}.`,
    );
  }
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === "\\") {
      const next = path[i + 1];
      if (next !== "/" && next !== "\\") {
        throw badInput(
          field,
          `Folder path ${quoted(path)} has a "\\" that escapes nothing; write "\\/" for a "/" inside a folder name and "\\\\" for a backslash.`,
        );
      }
      current += next;
      i++;
    } else if (ch === "/") {
      if (current === "") {
        throw badInput(
          field,
          `Folder path ${quoted(path)} has an empty folder name ("//"); separate folder names with a single "/".`,
        );
      }
      segments.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (current !== "") segments.push(current);
  return segments;
}

/** Writes folder names as path text, escaping `\` and `/`; the inverse of {@link parseFolderPath}. */
export function formatFolderPath(segments: FolderSegments): string {
  return segments.map((name) => name.replace(/[\\/]/g, (ch) => `\\${ch}`)).join("/");
}

/**
 * Rule "folder comparison is case-insensitive", for one folder name. Exchange treats folder names
 * case-insensitively and they may be in any script. Upper- then lower-casing after NFC
 * normalization approximates Unicode full case folding (ß ≡ SS ≡ ss, ς ≡ σ, composed ≡ decomposed
 * accents). It is locale-independent on purpose: toLocaleLowerCase would make the Turkish dotted
 * I match differently depending on the server's locale.
 */
export function foldFolderName(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}

/**
 * Rule "folder comparison is case-insensitive": two paths with the same key are the same folder.
 * The key is itself a readable, escaped path.
 */
export function folderKey(segments: FolderSegments): string {
  return formatFolderPath(segments.map(foldFolderName));
}

/**
 * Rule "a folder matches an entry when it is that folder or below it", comparing names
 * case-insensitively. `isSameOrBelow(["Root","Inbox","Orders"], ["root","INBOX"])` is true.
 */
export function isSameOrBelow(folder: FolderSegments, ancestor: FolderSegments): boolean {
  if (ancestor.length > folder.length) return false;
  return ancestor.every((name, i) => foldFolderName(name) === foldFolderName(folder[i] ?? ""));
}
