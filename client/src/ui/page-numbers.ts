/* Free of imports, so test/client can check it under Node. */

/** First, last, and the pages around the current one; null for a gap. */
export function pageNumbers(current: number, pages: number): (number | null)[] {
  const shown = new Set([0, pages - 1, current - 1, current, current + 1]);
  const out: (number | null)[] = [];
  for (let n = 0; n < pages; n++) {
    if (!shown.has(n)) continue;
    if (out.length > 0 && out[out.length - 1] !== n - 1) out.push(null);
    out.push(n);
  }
  return out;
}
