import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

/**
 * History-API routing in ~60 lines: the dashboard has a dozen routes and no nested layouts, so a
 * router package would cost more bytes than it saves. The server answers every client route with
 * index.html (server/http/dashboard-route.ts).
 */
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener("popstate", notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  notify();
}

export function currentPath(): string {
  return window.location.pathname + window.location.search;
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return path;
}

/** `/p/:project/integrations/:name` against a pathname → params, or null. */
export function match(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = pathname.split("?")[0]!.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

export const encode = encodeURIComponent;

interface LinkProps {
  href: string;
  children?: ComponentChildren;
  class?: string;
  title?: string;
  "aria-current"?: "page" | "step" | undefined;
  "aria-label"?: string;
  onClick?: (event: MouseEvent) => void;
}

/** An ordinary anchor (so middle-click and "open in new tab" work) that navigates in place. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}
