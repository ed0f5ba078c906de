import { badInput } from "./errors.js";
import { fieldPath } from "./field-path.js";
import {
  foldFolderName,
  folderKey,
  formatFolderPath,
  parseFolderPath,
  type FolderSegments,
} from "./folder-path.js";
import { quoted } from "./message-text.js";

/** A mailbox's folder filters in their stored, canonical text form. */
export interface FolderFilters {
  allowed: string[];
  denied: string[];
}

/** Folder filters parsed and case-folded once, for a tree walk over many folders. */
export interface CompiledFolderFilters {
  /** Rule "folder filters": whether messages in this folder sync. */
  selected(folder: FolderSegments): boolean;
  /** Whether this folder or any folder below it can be selected, i.e. whether a walk descends. */
  couldContainSelected(folder: FolderSegments): boolean;
}

interface Entry {
  text: string;
  segments: string[];
  index: number;
}

/**
 * Rule "folder filters" validation (DOMAIN.md Folder filters; guide: "You can deny a folder within
 * an allowed folder. You cannot allow a folder within a denied folder."). Each entry must parse;
 * entries are rewritten canonically (the caller's case kept, trailing `/` dropped) and
 * deduplicated case-insensitively, first spelling wins. An allowed folder equal to or inside a
 * denied one is refused naming both, because it could never sync and the user surely meant
 * something else. Fields are `fieldPrefix.allowedFolders.i` / `fieldPrefix.deniedFolders.i`.
 */
export function validateFolderFilters(
  allowed: readonly string[],
  denied: readonly string[],
  fieldPrefix: string,
): FolderFilters {
  const allowedEntries = parseEntries(allowed, fieldPath(fieldPrefix, "allowedFolders"));
  const deniedEntries = parseEntries(denied, fieldPath(fieldPrefix, "deniedFolders"));
  for (const a of allowedEntries) {
    const d = deniedEntries.find((entry) => within(fold(a.segments), fold(entry.segments)));
    if (d !== undefined) {
      const how = folderKey(a.segments) === folderKey(d.segments) ? "is also" : "is inside";
      throw badInput(
        fieldPath(fieldPrefix, "allowedFolders", a.index),
        `Allowed folder ${quoted(a.text)} ${how} denied folder ${quoted(d.text)}: a folder inside a denied folder never syncs. Remove one of them (a denied folder inside an allowed one is fine).`,
      );
    }
  }
  return {
    allowed: allowedEntries.map((entry) => entry.text),
    denied: deniedEntries.map((entry) => entry.text),
  };
}

function parseEntries(entries: readonly string[], field: string): Entry[] {
  const seen = new Set<string>();
  const result: Entry[] = [];
  entries.forEach((entry, index) => {
    const segments = parseFolderPath(entry, fieldPath(field, index));
    const key = folderKey(segments);
    if (seen.has(key)) return;
    seen.add(key);
    result.push({ text: formatFolderPath(segments), segments, index });
  });
  return result;
}

/**
 * Rule "folder filters" (DOMAIN.md): a folder matches an entry when it is that folder or below it;
 * if any allowed folders are set only matching folders sync; a folder matching a denied entry
 * never syncs (deny wins). Entries must already be valid (from {@link validateFolderFilters}).
 */
export function compileFolderFilters(filters: FolderFilters): CompiledFolderFilters {
  const allowed = filters.allowed.map((text) => fold(parseFolderPath(text)));
  const denied = filters.denied.map((text) => fold(parseFolderPath(text)));
  const isDenied = (folder: string[]): boolean => denied.some((d) => within(folder, d));
  return {
    selected(folder) {
      const folded = fold(folder);
      if (isDenied(folded)) return false;
      return allowed.length === 0 || allowed.some((a) => within(folded, a));
    },
    couldContainSelected(folder) {
      const folded = fold(folder);
      if (isDenied(folded)) return false;
      if (allowed.length === 0) return true;
      // Below an allowed entry, or an ancestor on the way to one (Root → … → Inbox/Orders).
      return allowed.some((a) => within(folded, a) || within(a, folded));
    },
  };
}

/** Rule "folder filters": whether a folder syncs. Compile once when checking many folders. */
export function folderSelected(filters: FolderFilters, folder: FolderSegments): boolean {
  return compileFolderFilters(filters).selected(folder);
}

/**
 * Rule "folder filters" for a tree walk: whether this folder or a folder below it can sync, so the
 * walk knows to descend even into folders that do not sync themselves.
 */
export function folderCouldContainSelected(
  filters: FolderFilters,
  folder: FolderSegments,
): boolean {
  return compileFolderFilters(filters).couldContainSelected(folder);
}

function fold(segments: FolderSegments): string[] {
  return segments.map(foldFolderName);
}

function within(folder: readonly string[], ancestor: readonly string[]): boolean {
  return ancestor.length <= folder.length && ancestor.every((name, i) => name === folder[i]);
}
