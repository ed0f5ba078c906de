import { describe, expect, it } from "vitest";
import {
  compileFolderFilters,
  folderCouldContainSelected,
  folderSelected,
  validateFolderFilters,
  type FolderFilters,
} from "../../server/domain/folder-filter.js";
import { parseFolderPath } from "../../server/domain/folder-path.js";
import { refusal } from "./refusal.js";

const TOIS = "Root/Top of Information Store";
const path = (text: string): string[] => parseFolderPath(text);

describe("folder filters validation", () => {
  it("returns canonical entries in the user's case, trailing slash dropped", () => {
    expect(
      validateFolderFilters(
        [`${TOIS}/Inbox/`, `  ${TOIS}/Boîte de réception  `],
        [`${TOIS}/Inbox/Spam\\/Junk/`],
        "input.filters",
      ),
    ).toEqual({
      allowed: [`${TOIS}/Inbox`, `${TOIS}/Boîte de réception`],
      denied: [`${TOIS}/Inbox/Spam\\/Junk`],
    });
  });

  it("deduplicates case-insensitively, first spelling wins", () => {
    expect(
      validateFolderFilters(
        [`${TOIS}/Inbox`, `root/top of information store/INBOX/`, `${TOIS}/Sent Items`],
        [`${TOIS}/Inbox/Old`, `${TOIS}/INBOX/OLD`],
        "",
      ),
    ).toEqual({
      allowed: [`${TOIS}/Inbox`, `${TOIS}/Sent Items`],
      denied: [`${TOIS}/Inbox/Old`],
    });
  });

  it("accepts empty lists and a denied folder inside an allowed one", () => {
    expect(validateFolderFilters([], [], "f")).toEqual({ allowed: [], denied: [] });
    expect(validateFolderFilters([`${TOIS}/Inbox`], [`${TOIS}/Inbox/Newsletters`], "f")).toEqual({
      allowed: [`${TOIS}/Inbox`],
      denied: [`${TOIS}/Inbox/Newsletters`],
    });
  });

  it("keeps a name holding an escaped / apart from nested folders", () => {
    expect(validateFolderFilters([`${TOIS}/A\\/B`], [`${TOIS}/A/B`], "f")).toEqual({
      allowed: [`${TOIS}/A\\/B`],
      denied: [`${TOIS}/A/B`],
    });
  });

  it.each([
    ["equal", [`${TOIS}/Inbox`], [`${TOIS}/Inbox`], "is also denied folder"],
    ["equal but for case", [`${TOIS}/inbox/`], [`${TOIS}/INBOX`], "is also denied folder"],
    ["inside", [`${TOIS}/Inbox/Orders`], [`${TOIS}/Inbox`], "is inside denied folder"],
    ["deep inside", [`${TOIS}/Inbox/A/B/C`], [`${TOIS}/Inbox/a`], "is inside denied folder"],
  ])("refuses an allowed folder %s a denied one, naming both", (_how, allowed, denied, words) => {
    const error = refusal(() =>
      validateFolderFilters(
        [`${TOIS}/Sent Items`, ...allowed],
        denied,
        "input.mailboxes.2.filters",
      ),
    );
    expect(error.field).toBe("input.mailboxes.2.filters.allowedFolders.1");
    expect(error.message).toContain(
      `Allowed folder "${(allowed[0] ?? "").trim().replace(/\/$/, "")}"`,
    );
    expect(error.message).toContain(`${words} "${denied[0]}"`);
    expect(error.message).toContain("a denied folder inside an allowed one is fine");
  });

  it("reports an unparsable entry at its own index", () => {
    const allowedError = refusal(() =>
      validateFolderFilters([`${TOIS}/Inbox`, "Root//Inbox"], [], "input.filters"),
    );
    expect(allowedError.field).toBe("input.filters.allowedFolders.1");
    expect(allowedError.message).toContain("empty folder name");
    const deniedError = refusal(() => validateFolderFilters([], ["", "x"], "input.filters"));
    expect(deniedError.field).toBe("input.filters.deniedFolders.0");
    expect(deniedError.message).toContain("is empty");
  });
});

describe("folder filters rule (selection)", () => {
  const cases: [string, FolderFilters, string, boolean, boolean][] = [
    // [title, filters, folder, selected, couldContainSelected]
    ["no filters: everything", { allowed: [], denied: [] }, `${TOIS}/Inbox`, true, true],
    ["no filters: the root", { allowed: [], denied: [] }, "Root", true, true],
    [
      "allowed: the folder itself",
      { allowed: [`${TOIS}/Inbox`], denied: [] },
      `${TOIS}/Inbox`,
      true,
      true,
    ],
    [
      "allowed: a subfolder",
      { allowed: [`${TOIS}/Inbox`], denied: [] },
      `${TOIS}/Inbox/Orders/2024`,
      true,
      true,
    ],
    [
      "allowed: case-insensitive",
      { allowed: [`${TOIS}/Inbox`], denied: [] },
      "ROOT/top of information store/INBOX",
      true,
      true,
    ],
    [
      "allowed: a sibling is not",
      { allowed: [`${TOIS}/Inbox`], denied: [] },
      `${TOIS}/Sent Items`,
      false,
      false,
    ],
    [
      "allowed: a prefix-named sibling is not",
      { allowed: [`${TOIS}/Inbox`], denied: [] },
      `${TOIS}/Inbox2`,
      false,
      false,
    ],
    [
      "allowed: an ancestor is walked, not synced",
      { allowed: [`${TOIS}/Inbox/Orders`], denied: [] },
      TOIS,
      false,
      true,
    ],
    [
      "allowed: the root is walked, not synced",
      { allowed: [`${TOIS}/Inbox/Orders`], denied: [] },
      "Root",
      false,
      true,
    ],
    [
      "allowed: the direct parent is walked",
      { allowed: [`${TOIS}/Inbox/Orders`], denied: [] },
      `${TOIS}/Inbox`,
      false,
      true,
    ],
    [
      "allowed: one of several",
      { allowed: [`${TOIS}/Inbox`, `${TOIS}/Archive`], denied: [] },
      `${TOIS}/Archive/2020`,
      true,
      true,
    ],
    [
      "denied: the folder itself",
      { allowed: [], denied: [`${TOIS}/Junk Email`] },
      `${TOIS}/Junk Email`,
      false,
      false,
    ],
    [
      "denied: a subfolder",
      { allowed: [], denied: [`${TOIS}/Junk Email`] },
      `${TOIS}/JUNK EMAIL/x`,
      false,
      false,
    ],
    [
      "denied: its parent still syncs",
      { allowed: [], denied: [`${TOIS}/Inbox/Spam`] },
      `${TOIS}/Inbox`,
      true,
      true,
    ],
    [
      "denied inside allowed: allowed part syncs",
      { allowed: [`${TOIS}/Inbox`], denied: [`${TOIS}/Inbox/Spam`] },
      `${TOIS}/Inbox/Orders`,
      true,
      true,
    ],
    [
      "denied inside allowed: denied part does not",
      { allowed: [`${TOIS}/Inbox`], denied: [`${TOIS}/Inbox/Spam`] },
      `${TOIS}/Inbox/Spam/Old`,
      false,
      false,
    ],
    [
      "deny wins over allowed below it",
      { allowed: [`${TOIS}/Inbox/Orders`], denied: [`${TOIS}/Inbox`] },
      `${TOIS}/Inbox/Orders`,
      false,
      false,
    ],
    [
      "escaped slash: the named folder",
      { allowed: [`${TOIS}/A\\/B`], denied: [] },
      `${TOIS}/A\\/B/x`,
      true,
      true,
    ],
    [
      "escaped slash: not nested A/B",
      { allowed: [`${TOIS}/A\\/B`], denied: [] },
      `${TOIS}/A/B`,
      false,
      false,
    ],
    [
      "unicode case-insensitive",
      { allowed: [`${TOIS}/Boîte de réception`], denied: [] },
      `${TOIS}/BOÎTE DE RÉCEPTION/Factures`,
      true,
      true,
    ],
  ];

  it.each(cases)("%s", (_title, filters, folder, selected, could) => {
    expect(folderSelected(filters, path(folder))).toBe(selected);
    expect(folderCouldContainSelected(filters, path(folder))).toBe(could);
    const compiled = compileFolderFilters(filters);
    expect(compiled.selected(path(folder))).toBe(selected);
    expect(compiled.couldContainSelected(path(folder))).toBe(could);
  });

  it("a tree walk with allowed Inbox/Orders descends Root → Inbox and syncs only Orders", () => {
    const filters = compileFolderFilters({ allowed: [`${TOIS}/Inbox/Orders`], denied: [] });
    const tree = [
      "Root",
      TOIS,
      `${TOIS}/Inbox`,
      `${TOIS}/Inbox/Orders`,
      `${TOIS}/Inbox/Orders/Urgent`,
      `${TOIS}/Inbox/Other`,
      `${TOIS}/Sent Items`,
      "Root/Recoverable Items",
    ];
    expect(tree.filter((f) => filters.couldContainSelected(path(f)))).toEqual(tree.slice(0, 5));
    expect(tree.filter((f) => filters.selected(path(f)))).toEqual([
      `${TOIS}/Inbox/Orders`,
      `${TOIS}/Inbox/Orders/Urgent`,
    ]);
  });
});
