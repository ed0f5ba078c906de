/**
 * Rule "text from mail never reorders what is around it": the Unicode embedding, override and
 * isolate controls (U+202A–U+202E, U+2066–U+2069) let a sender make `invoice\u202Efdp.exe` read as
 * "invoiceexe.pdf". Subjects and attachment names show them as visible markers instead (and are
 * rendered inside `<bdi>`, so right-to-left text stays right-to-left without leaking past its
 * element).
 */
const CONTROLS: Record<string, string> = {
  "\u202A": "LRE",
  "\u202B": "RLE",
  "\u202C": "PDF",
  "\u202D": "LRO",
  "\u202E": "RLO",
  "\u2066": "LRI",
  "\u2067": "RLI",
  "\u2068": "FSI",
  "\u2069": "PDI",
};
const CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;

/** `text` with each bidirectional control replaced by a visible marker such as `[RLO]`. */
export function revealBidiControls(text: string): string {
  return text.replace(CONTROL, (ch) => `[${CONTROLS[ch]}]`);
}

/** A file name without bidirectional controls (for the name a download is saved under). */
export function withoutBidiControls(name: string): string {
  return name.replace(CONTROL, "");
}
