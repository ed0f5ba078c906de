import type { Crumb } from "../routes";
import { useStore } from "../api/store";
import { useSession } from "../features/session/session-context";
import { Link } from "../router";
import { Icon } from "../ui/icons";

const enc = encodeURIComponent;

/** Breadcrumbs (the project first) and whether live updates are flowing. */
export function Topbar({
  project,
  projectTitle,
  crumbs,
  menuOpen,
  onMenu,
}: {
  project: string | null;
  projectTitle: string | undefined;
  crumbs: Crumb[];
  menuOpen: boolean;
  onMenu: () => void;
}) {
  return (
    <header class="topbar">
      <button
        type="button"
        class="btn btn-icon menu-button"
        aria-label="Menu"
        aria-controls="sidebar"
        aria-expanded={menuOpen}
        onClick={onMenu}
      >
        <Icon name="menu" />
      </button>
      <nav aria-label="Breadcrumb" class="breadcrumbs">
        <ol>
          {project && (
            <li>
              <Link href={`/p/${enc(project)}/integrations`}>{projectTitle ?? project}</Link>
            </li>
          )}
          {crumbs.map((crumb, i) => (
            <li key={i}>
              {crumb.href ? (
                <Link href={crumb.href}>{crumb.label}</Link>
              ) : (
                <span aria-current={i === crumbs.length - 1 ? "page" : undefined}>
                  {crumb.label}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <LiveIndicator />
    </header>
  );
}

const LIVE_TEXT = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

/** Whether live updates are flowing; a console that silently stops updating would mislead. */
function LiveIndicator() {
  const status = useStore(useSession().live);
  return (
    <span class={`live live-${status}`} role="status" title="Live updates over WebSocket">
      <span class="live-dot" aria-hidden="true" />
      {LIVE_TEXT[status]}
    </span>
  );
}
