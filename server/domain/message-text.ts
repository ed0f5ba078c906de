/**
 * Quotes a refused (non-secret) value for an error message. Values are echoed so the caller sees
 * which entry of a list is meant, but cut short: a message must stay readable even when the input
 * was a pasted document. Plain quotes rather than JSON escaping, so a folder path such as
 * `Inbox/A\/B` reads exactly as the caller wrote it. Secrets never go through here: their messages
 * name the field only.
 */
export function quoted(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max - 3)}...` : value;
  return `"${shown}"`;
}
