import type { ComponentChildren } from "preact";
import { createStore, useStore } from "../api/store";
import { Icon, type IconName } from "./icons";

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: IconName;
  title: string;
  children?: ComponentChildren;
  action?: ComponentChildren;
}) {
  return (
    <div class="empty-state">
      <span class="empty-icon">
        <Icon name={icon} size={22} />
      </span>
      <h2 class="empty-title">{title}</h2>
      {children && <div class="empty-text">{children}</div>}
      {action && <div class="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div class="callout callout-danger" role="alert">
      <Icon name="alert" size={18} />
      <div class="callout-body">
        <strong>Could not load this page.</strong> {message}
      </div>
      {onRetry && (
        <button type="button" class="btn btn-sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Callout({
  tone,
  icon,
  children,
  title,
}: {
  tone: "info" | "warn" | "danger" | "ok";
  icon?: IconName;
  title?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const defaultIcon: IconName = tone === "ok" ? "check" : tone === "info" ? "info" : "alert";
  return (
    <div class={`callout callout-${tone}`}>
      <Icon name={icon ?? defaultIcon} size={18} />
      <div class="callout-body">
        {title && <strong class="callout-title">{title}</strong>}
        {children}
      </div>
    </div>
  );
}

/** Placeholder rows the size of the real ones, so nothing jumps when data arrives. */
export function SkeletonRows({ rows = 3, height = 56 }: { rows?: number; height?: number }) {
  return (
    <div class="skeleton-rows" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} class="skeleton" style={{ height: `${height}px` }} />
      ))}
    </div>
  );
}

interface Toast {
  id: number;
  tone: "ok" | "danger" | "info";
  text: string;
}

const toasts = createStore<Toast[]>([]);
let nextToast = 1;

/** Announces the outcome of an action (polite live region) and fades after a few seconds. */
export function toast(text: string, tone: Toast["tone"] = "ok"): void {
  const id = nextToast++;
  toasts.set([...toasts.get(), { id, tone, text }].slice(-4));
  setTimeout(
    () => toasts.set(toasts.get().filter((t) => t.id !== id)),
    tone === "danger" ? 8000 : 4000,
  );
}

export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.tone}`}>
          <Icon name={t.tone === "danger" ? "alert" : t.tone === "info" ? "info" : "check"} />
          <span>{t.text}</span>
        </div>
      ))}
    </div>
  );
}
