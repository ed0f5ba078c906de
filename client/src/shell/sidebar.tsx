import { useSession } from "../features/session/session-context";
import { ProjectSwitcher } from "../features/projects/project-switcher";
import type { ProjectsQuery } from "../gql/graphql";
import { Link, navigate } from "../router";
import { ACCOUNT_SECTIONS, type Section } from "../routes";
import { Icon, Logo, type IconName } from "../ui/icons";

const enc = encodeURIComponent;

/** Brand, project switcher, the sections of the selected project and of the account, the viewer. */
export function Sidebar({
  projects,
  selected,
  section,
  onClose,
}: {
  projects: ProjectsQuery["projects"];
  selected: string | null;
  section: Section;
  /** Closes the drawer on narrow screens. */
  onClose: () => void;
}) {
  const session = useSession();
  const navProject = selected ? `/p/${enc(selected)}` : null;
  return (
    <aside class="sidebar" id="sidebar" aria-label="Sidebar">
      <button
        type="button"
        class="btn btn-icon btn-sidebar sidebar-close"
        aria-label="Close menu"
        onClick={onClose}
      >
        <Icon name="x" />
      </button>
      <Link class="brand" href="/">
        <Logo size={28} />
        <span class="brand-name">Mailstream</span>
      </Link>
      <ProjectSwitcher
        projects={projects}
        current={selected}
        canCreate={session.viewer.admin}
        onSelect={(name) => {
          if (!name) return;
          const next = ACCOUNT_SECTIONS.includes(section) ? "integrations" : section;
          navigate(`/p/${enc(name)}/${next}`);
        }}
      />
      <nav class="nav" aria-label="Main">
        <NavItem
          href={navProject && `${navProject}/integrations`}
          icon="plug"
          label="Integrations"
          active={section === "integrations"}
        />
        <NavItem
          href={navProject && `${navProject}/buckets`}
          icon="bucket"
          label="Buckets"
          active={section === "buckets"}
        />
        <NavItem
          href={navProject && `${navProject}/streams`}
          icon="stream"
          label="Streams"
          active={section === "streams"}
        />
        <p class="sidebar-label">Account</p>
        <NavItem href="/usage" icon="gauge" label="Usage" active={section === "usage"} />
        <NavItem href="/tokens" icon="key" label="API tokens" active={section === "tokens"} />
        {session.viewer.admin && (
          <NavItem href="/audit" icon="shield" label="Audit log" active={section === "audit"} />
        )}
        <NavItem
          href="/explorer"
          icon="code"
          label="API explorer"
          active={section === "explorer"}
        />
      </nav>
      <div class="sidebar-footer">
        <div class="viewer">
          <span class="viewer-avatar" aria-hidden="true">
            {session.viewer.name.slice(0, 1).toUpperCase()}
          </span>
          <span class="viewer-text">
            <span class="viewer-name" title={session.viewer.name}>
              {session.viewer.name}
            </span>
            <span class="viewer-role">
              {session.viewer.admin ? "Admin token" : "Project token"}
            </span>
          </span>
        </div>
        <button
          type="button"
          class="btn btn-icon btn-sidebar"
          aria-label="Sign out"
          title="Sign out"
          onClick={session.signOut}
        >
          <Icon name="logout" />
        </button>
      </div>
    </aside>
  );
}

function NavItem({
  href,
  icon,
  label,
  active,
}: {
  href: string | null;
  icon: IconName;
  label: string;
  active: boolean;
}) {
  if (!href) {
    return (
      <span class="nav-item is-disabled" aria-disabled="true">
        <Icon name={icon} size={18} />
        {label}
      </span>
    );
  }
  return (
    <Link
      href={href}
      class={`nav-item${active ? " is-active" : ""}`}
      aria-current={active ? "page" : undefined}
    >
      <Icon name={icon} size={18} />
      {label}
    </Link>
  );
}
