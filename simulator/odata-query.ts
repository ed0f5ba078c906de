/**
 * The OData query options the mail endpoints understand, parsed the way Graph does for messages:
 * $filter on receivedDateTime, $orderby receivedDateTime, $select, $top/$skip, $count, and the
 * Prefer header (odata.maxpagesize, IdType="ImmutableId").
 */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface TimeBound {
  ms: number;
  inclusive: boolean;
}

export interface ReceivedFilter {
  lower?: TimeBound;
  upper?: TimeBound;
  /** Properties in the order they appear (Graph's $orderby/$filter rule needs it). */
  properties: string[];
  /** Canonical text, to carry in paging links. */
  text: string;
}

const COMPARISON = /^\s*(\w+)\s+(eq|ge|gt|le|lt)\s+('?)([0-9T:.+\-Z]+)\3\s*$/i;

export function parseFilter(text: string | null): ReceivedFilter | undefined {
  if (text === null || text.trim() === "") return undefined;
  const filter: ReceivedFilter = { properties: [], text };
  for (const clause of text.split(/\s+and\s+/i)) {
    const m = COMPARISON.exec(clause);
    if (!m) {
      throw new GraphHttpError(
        400,
        "BadRequest",
        `Invalid filter clause: the simulator understands receivedDateTime comparisons joined by 'and', not '${clause.trim()}'.`,
      );
    }
    const [, property = "", op = "", , literal = ""] = m;
    if (property.toLowerCase() !== "receiveddatetime") {
      throw new GraphHttpError(
        400,
        "BadRequest",
        `The simulator does not filter on '${property}'; only receivedDateTime is supported.`,
      );
    }
    const ms = parseDateLiteral(literal);
    filter.properties.push("receivedDateTime");
    const lower = op.toLowerCase();
    if (lower === "ge" || lower === "gt" || lower === "eq")
      filter.lower = { ms, inclusive: lower !== "gt" };
    if (lower === "le" || lower === "lt" || lower === "eq")
      filter.upper = { ms, inclusive: lower !== "lt" };
  }
  return filter;
}

export function parseDateLiteral(literal: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(literal) ? `${literal}T00:00:00Z` : literal);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(literal)) {
    throw new GraphHttpError(
      400,
      "BadRequest",
      `The DateTimeOffset text '${literal}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.`,
    );
  }
  return ms;
}

export function matchesFilter(filter: ReceivedFilter | undefined, receivedAt: number): boolean {
  if (!filter) return true;
  const { lower, upper } = filter;
  if (lower && (lower.inclusive ? receivedAt < lower.ms : receivedAt <= lower.ms)) return false;
  if (upper && (upper.inclusive ? receivedAt > upper.ms : receivedAt >= upper.ms)) return false;
  return true;
}

export interface OrderBy {
  property: string;
  direction: "asc" | "desc";
}

export function parseOrderBy(text: string | null): OrderBy | undefined {
  if (text === null || text.trim() === "") return undefined;
  const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (!m || m[1]?.toLowerCase() !== "receiveddatetime") {
    throw new GraphHttpError(
      400,
      "BadRequest",
      `The simulator orders messages by receivedDateTime only, not '${text}'.`,
    );
  }
  return {
    property: "receivedDateTime",
    direction: m[2]?.toLowerCase() === "asc" ? "asc" : "desc",
  };
}

/**
 * Graph's documented rule for messages: properties in $orderby must also appear in $filter, first.
 * Otherwise: 400 InefficientFilter.
 */
export function checkOrderByAgainstFilter(
  orderBy: OrderBy | undefined,
  filter: ReceivedFilter | undefined,
): void {
  if (!orderBy || !filter) return;
  if (filter.properties[0]?.toLowerCase() !== orderBy.property.toLowerCase()) {
    throw new GraphHttpError(
      400,
      "InefficientFilter",
      "The restriction or sort order is too complex for this operation.",
    );
  }
}

export function parseSelect(
  text: string | null,
  allowed: ReadonlySet<string>,
  typeName: string,
): string[] | undefined {
  if (text === null || text.trim() === "") return undefined;
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const name = raw.trim();
    const known = [...allowed].find((a) => a.toLowerCase() === name.toLowerCase());
    if (!known) {
      throw new GraphHttpError(
        400,
        "RequestBroker--ParseUri",
        `Could not find a property named '${name}' on type '${typeName}'.`,
      );
    }
    out.push(known);
  }
  return out;
}

export function parseCount(text: string | null, name: string, max: number): number | undefined {
  if (text === null) return undefined;
  if (!/^\d+$/.test(text))
    throw new GraphHttpError(400, "BadRequest", `Invalid value '${text}' for ${name}.`);
  return Math.min(Number(text), max);
}

export interface Preferences {
  maxPageSize?: number;
  immutableIds: boolean;
  /** Value for the Preference-Applied response header. */
  applied: string[];
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  const prefs: Preferences = { immutableIds: false, applied: [] };
  for (const part of text.split(",")) {
    const [rawKey = "", ...rest] = part.split("=");
    const key = rawKey.trim().toLowerCase();
    const value = rest.join("=").trim().replace(/^"|"$/g, "");
    if (key === "odata.maxpagesize" && /^\d+$/.test(value) && Number(value) > 0) {
      prefs.maxPageSize = Number(value);
      prefs.applied.push(`odata.maxpagesize=${value}`);
    } else if (key === "idtype" && value.toLowerCase() === "immutableid") {
      prefs.immutableIds = true;
      prefs.applied.push('IdType="ImmutableId"');
    }
  }
  return prefs;
}
