import { describe, expect, it } from "vitest";
import {
  foldFolderName,
  folderKey,
  formatFolderPath,
  isSameOrBelow,
  parseFolderPath,
} from "../../server/domain/folder-path.js";
import { refusal } from "./refusal.js";

describe("folder path syntax rule", () => {
  it.each<[string, string[]]>([
    ["Root", ["Root"]],
    [
      "Root/Top of Information Store/Inbox/Orders",
      ["Root", "Top of Information Store", "Inbox", "Orders"],
    ],
    ["Root/Inbox/", ["Root", "Inbox"]],
    ["  Root/Inbox  ", ["Root", "Inbox"]],
    ["Root/Inbox/A\\/B", ["Root", "Inbox", "A/B"]],
    ["Root/Inbox/A\\/", ["Root", "Inbox", "A/"]],
    ["Root/Inbox/\\/", ["Root", "Inbox", "/"]],
    ["Root/C:\\\\Temp", ["Root", "C:\\Temp"]],
    ["Root/ends with backslash\\\\/", ["Root", "ends with backslash\\"]],
    ["Root/ spaced name /x", ["Root", " spaced name ", "x"]],
    ["Root/Boîte de réception/Commandes", ["Root", "Boîte de réception", "Commandes"]],
    ["Root/受信トレイ/注文", ["Root", "受信トレイ", "注文"]],
    ["Root/Входящие 📥", ["Root", "Входящие 📥"]],
  ])("parses %j", (text, segments) => {
    expect(parseFolderPath(text)).toEqual(segments);
  });

  it.each([
    ["", "is empty"],
    ["   ", "is empty"],
    ["/Root/Inbox", 'starts with "/"'],
    ["/", 'starts with "/"'],
    ["Root//Inbox", "empty folder name"],
    ["Root/Inbox//", "empty folder name"],
    ["Root\\Inbox", "escapes nothing"],
    ["Root/Inbox\\", "escapes nothing"],
    ["Root/In\\box", "escapes nothing"],
  ])("refuses %j (%s)", (text, words) => {
    const error = refusal(() => parseFolderPath(text, "input.filters.allowedFolders.3"));
    expect(error.field).toBe("input.filters.allowedFolders.3");
    expect(error.message).toContain(words);
  });

  it("explains how to escape in the backslash message", () => {
    const error = refusal(() => parseFolderPath("Root\\Inbox"));
    expect(error.field).toBe("folder");
    expect(error.message).toBe(
      'Folder path "Root\\Inbox" has a "\\" that escapes nothing; write "\\/" for a "/" inside a folder name and "\\\\" for a backslash.',
    );
  });

  it.each<[string[], string]>([
    [["Root", "Inbox"], "Root/Inbox"],
    [["Root", "A/B"], "Root/A\\/B"],
    [["Root", "C:\\Temp"], "Root/C:\\\\Temp"],
    [["Root", "\\/"], "Root/\\\\\\/"],
    [["Root", "受信トレイ"], "Root/受信トレイ"],
  ])("formats %j as %j and parses it back", (segments, text) => {
    expect(formatFolderPath(segments)).toBe(text);
    expect(parseFolderPath(text)).toEqual(segments);
  });
});

describe("folder comparison is case-insensitive", () => {
  it.each([
    ["Inbox", "INBOX"],
    ["Inbox", "inbox"],
    ["Boîte", "BOÎTE"],
    ["Straße", "STRASSE"],
    ["ΣΟΦΟΣ", "σοφος"],
    ["ΣΟΦΟΣ", "σοφοσ"],
    ["Входящие", "ВХОДЯЩИЕ"],
    ["caf\u00e9", "CAFE\u0301"],
  ])("%j ≡ %j", (a, b) => {
    expect(foldFolderName(a)).toBe(foldFolderName(b));
  });

  it.each([
    ["Inbox", "Inbox2"],
    ["Orders", "Order"],
    ["café", "cafe"],
    ["受信", "送信"],
  ])("%j ≢ %j", (a, b) => {
    expect(foldFolderName(a)).not.toBe(foldFolderName(b));
  });

  it("keys whole paths, keeping escapes", () => {
    expect(folderKey(["Root", "Top of Information Store", "INBOX"])).toBe(
      "root/top of information store/inbox",
    );
    expect(folderKey(["Root", "A/B"])).toBe("root/a\\/b");
    // A name holding "/" is not the same folder as two nested folders.
    expect(folderKey(["Root", "A/B"])).not.toBe(folderKey(["Root", "A", "B"]));
  });

  it.each<[string[], string[], boolean]>([
    [["Root", "Inbox"], ["Root", "Inbox"], true],
    [["Root", "Inbox", "Orders"], ["root", "INBOX"], true],
    [["Root", "Inbox", "Orders", "2024"], ["Root"], true],
    [["Root", "Inbox"], ["Root", "Inbox", "Orders"], false],
    [["Root", "Inbox2"], ["Root", "Inbox"], false],
    [["Root", "Sent"], ["Root", "Inbox"], false],
    [["Root", "A/B"], ["Root", "A"], false],
    [["Root", "A", "B"], ["Root", "A/B"], false],
    [["Root", "Straße", "x"], ["root", "STRASSE"], true],
    [["Root"], [], true],
  ])("isSameOrBelow(%j, %j) is %s", (folder, ancestor, expected) => {
    expect(isSameOrBelow(folder, ancestor)).toBe(expected);
  });
});
