/**
 * Folder paths as filters write them: `/` between names, `\/` for a slash inside a name and `\\`
 * for a backslash. People read names, not escapes: `Inbox/Invoices\/Receipts` is the folder
 * "Invoices/Receipts" inside "Inbox". Free of imports, so test/client can check it under Node.
 */
export function folderNames(path: string): string[] {
  const names: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === "\\" && (path[i + 1] === "/" || path[i + 1] === "\\")) {
      current += path[i + 1];
      i++;
    } else if (c === "/") {
      names.push(current);
      current = "";
    } else current += c;
  }
  names.push(current);
  return names;
}

/** The folder's own name, unescaped. */
export function folderName(path: string): string {
  const names = folderNames(path);
  return names[names.length - 1] || path;
}

/** The whole path for reading: names unescaped, separated by " › " so a "/" in a name stays one name. */
export function displayFolder(path: string): string {
  return folderNames(path)
    .filter((n, i) => n !== "" || i > 0)
    .join(" › ");
}
