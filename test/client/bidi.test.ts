import { describe, expect, it } from "vitest";
import { revealBidiControls, withoutBidiControls } from "../../client/src/ui/bidi.js";

describe("bidirectional controls in mail text", () => {
  it("shows every embedding, override and isolate control as a visible marker", () => {
    expect(revealBidiControls("invoice\u202Efdp.exe")).toBe("invoice[RLO]fdp.exe");
    expect(revealBidiControls("\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069")).toBe(
      "[LRE][RLE][PDF][LRO][RLO][LRI][RLI][FSI][PDI]",
    );
  });

  it("leaves other text alone, right-to-left scripts included", () => {
    for (const text of ["Quarterly report", "שלום עולם", "مرحبا", "a\u200Fb", ""]) {
      expect(revealBidiControls(text)).toBe(text);
    }
  });

  it("removes the controls from a download's file name", () => {
    expect(withoutBidiControls("report\u202Egpj.exe")).toBe("reportgpj.exe");
  });
});
