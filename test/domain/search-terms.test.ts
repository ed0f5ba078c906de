import { describe, expect, it } from "vitest";
import {
  fts5Query,
  indexedText,
  MAX_SEARCH_WORDS,
  parseSearch,
  tsQuery,
} from "../../server/domain/search-terms.js";

/** DOMAIN.md, Buckets: what a search word is, and the queries both databases are given. */
describe("search terms", () => {
  it("cut text into lower-cased words without accents, addresses into their parts", () => {
    expect(indexedText("Rénové café, alice@Fabrikam.com!")).toBe("renove cafe alice fabrikam com");
    expect(indexedText("2291-A/b")).toBe("2291 a b");
    expect(indexedText("x".repeat(101) + " kept")).toBe("kept");
  });

  it("match the last word as a prefix from two characters, a single one as a whole word", () => {
    expect(parseSearch("Invoice ove")).toEqual({ words: ["invoice"], prefix: "ove" });
    expect(parseSearch("ab")).toEqual({ words: [], prefix: "ab" });
    expect(parseSearch("invoice a")).toEqual({ words: ["invoice", "a"], prefix: null });
    expect(parseSearch("é")).toEqual({ words: ["e"], prefix: null });
    expect(parseSearch("same SAME same")).toEqual({ words: [], prefix: "same" });
  });

  it("give each database only quoted words and its own operators", () => {
    expect(fts5Query(parseSearch('say "NEAR" OR* it'))).toBe('"say" "near" "or" "it"*');
    expect(fts5Query(parseSearch("x y"))).toBe('"x" "y"');
    expect(tsQuery(parseSearch("invoice ove"))).toBe("invoice & ove:*");
    expect(tsQuery(parseSearch("invoice a"))).toBe("invoice & a");
  });

  it("refuse a search without words or with too many, naming the field", () => {
    for (const text of ["", "  ", "*()", '"'])
      expect(() => parseSearch(text)).toThrow(/at least one word/);
    const many = Array.from({ length: MAX_SEARCH_WORDS + 1 }, (_, i) => `w${i}`).join(" ");
    expect(() => parseSearch(many)).toThrow(/at most 16 words/);
    expect(() => parseSearch("?", "filter.search")).toThrow(
      expect.objectContaining({ code: "BAD_USER_INPUT", field: "filter.search" }),
    );
  });
});
