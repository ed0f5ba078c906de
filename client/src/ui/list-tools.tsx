import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Icon } from "./icons";
import { pageNumbers } from "./page-numbers";

export interface SortOption<T> {
  label: string;
  compare: (a: T, b: T) => number;
}

/**
 * Search, sort and page numbers for a list held in the browser (projects have tens to a few
 * thousand integrations, buckets, streams or tokens): the search matches any of the texts
 * `textOf` gives, case-insensitively; page numbers appear past one page.
 */
export function useListTools<T>(
  items: readonly T[],
  options: {
    /** What the list is of, for labels: "buckets". */
    noun: string;
    textOf: (item: T) => (string | null | undefined)[];
    sorts: Record<string, SortOption<T>>;
    pageSize?: number;
  },
): { visible: T[]; controls: ComponentChildren; pager: ComponentChildren; matched: number } {
  const pageSize = options.pageSize ?? 25;
  const sortKeys = Object.keys(options.sorts);
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState(sortKeys[0]!);
  const [page, setPage] = useState(0);
  const needle = query.trim().toLowerCase();
  const matched = needle
    ? items.filter((item) =>
        options.textOf(item).some((text) => text?.toLowerCase().includes(needle)),
      )
    : [...items];
  matched.sort(options.sorts[sort]!.compare);
  const pages = Math.max(1, Math.ceil(matched.length / pageSize));
  const current = Math.min(page, pages - 1);
  const visible = matched.slice(current * pageSize, (current + 1) * pageSize);

  const controls = (
    <div class="list-tools">
      <label class="list-search">
        <Icon name="search" size={16} />
        <input
          class="input"
          type="search"
          aria-label={`Search ${options.noun}`}
          placeholder={`Search ${options.noun}`}
          value={query}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setPage(0);
          }}
        />
      </label>
      <label class="list-sort">
        <Icon name="sort" size={16} />
        <select
          class="select"
          aria-label={`Sort ${options.noun}`}
          value={sort}
          onChange={(e) => setSort(e.currentTarget.value)}
        >
          {sortKeys.map((key) => (
            <option key={key} value={key}>
              {options.sorts[key]!.label}
            </option>
          ))}
        </select>
      </label>
      {needle && (
        <span class="muted" role="status">
          {matched.length} of {items.length}
        </span>
      )}
    </div>
  );

  const pager =
    pages > 1 ? (
      <nav class="page-numbers" aria-label={`Pages of ${options.noun}`}>
        {pageNumbers(current, pages).map((n, i) =>
          n === null ? (
            <span key={`gap${i}`} class="muted" aria-hidden="true">
              …
            </span>
          ) : (
            <button
              key={n}
              type="button"
              class={`btn btn-sm${n === current ? " btn-primary" : ""}`}
              aria-label={`Page ${n + 1}`}
              aria-current={n === current ? "page" : undefined}
              onClick={() => setPage(n)}
            >
              {n + 1}
            </button>
          ),
        )}
      </nav>
    ) : null;

  return { visible, controls, pager, matched: matched.length };
}

export const byText =
  <T,>(get: (item: T) => string) =>
  (a: T, b: T) =>
    get(a).localeCompare(get(b));
export const byNumberDesc =
  <T,>(get: (item: T) => number) =>
  (a: T, b: T) =>
    get(b) - get(a);
