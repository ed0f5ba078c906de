/**
 * Rule "text a database cannot hold is made storable, and the fact recorded" (DOMAIN.md, Sync):
 * mail from Microsoft may carry NUL characters (U+0000, which PostgreSQL's text cannot hold),
 * unpaired UTF-16 surrogates (not encodable as UTF-8), or bodies larger than a row should be.
 * Each repair is described in words on the stored message (`Message.storageNotes`).
 */

/** Longest body (text or HTML) stored, in UTF-16 code units: 8 M, ~16 MB. */
export const MAX_BODY_CHARS = 8 * 1024 * 1024;
/** Longest subject, name, address or attachment name stored. */
export const MAX_SHORT_TEXT_CHARS = 16 * 1024;

const NUL = /\u0000/g;

/** `text` without NUL characters and with unpaired surrogates replaced by U+FFFD. */
export function storableText(
  text: string,
  field: string,
  notes: string[],
  maxChars = MAX_SHORT_TEXT_CHARS,
): string {
  let out = text;
  if (out.includes("\u0000")) {
    const count = out.match(NUL)!.length;
    out = out.replace(NUL, "");
    notes.push(`${field}: ${count} NUL character${count === 1 ? "" : "s"} removed`);
  }
  if (!out.isWellFormed()) {
    out = out.toWellFormed();
    notes.push(`${field}: unpaired UTF-16 surrogates replaced by U+FFFD`);
  }
  if (out.length > maxChars) {
    notes.push(
      `${field}: truncated from ${out.length.toLocaleString("en-US")} to ${maxChars.toLocaleString("en-US")} characters`,
    );
    out = out.slice(0, maxChars).toWellFormed();
  }
  return out;
}

/** True when a value a person typed holds a character no database column can keep. */
export function hasUnstorableCharacter(text: string): boolean {
  return text.includes("\u0000") || !text.isWellFormed();
}
