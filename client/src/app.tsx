import { Provider, useQuery } from "@urql/preact";
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { createApiClient, type ApiClient } from "./api/client";
import { errorMessage } from "./api/errors";
import { lastProject, rememberProject, storedToken, storeToken } from "./api/session";
import { useStore } from "./api/store";
import { IntegrationsPage } from "./features/integrations/integrations-page";
import { NewProjectDialog, ProjectSwitcher } from "./features/projects/project-switcher";
import { SessionContext, useSession, type Session } from "./features/session/session-context";
import { SignIn } from "./features/session/sign-in";
import { ProjectsDocument, ViewerDocument, type ProjectsQuery } from "./gql/graphql";
import { lazyPage } from "./lazy";
import { Link, match, navigate, usePath } from "./router";
import { EmptyState, ErrorState, SkeletonRows, Toasts } from "./ui/feedback";
import { Icon, Logo, type IconName } from "./ui/icons";

const NewIntegrationWizard = lazyPage(() => import("./features/integrations/wizard/wizard"));
const IntegrationPage = lazyPage(() => import("./features/integrations/integration-page"));
const BucketsPage = lazyPage(() => import("./features/buckets/buckets-page"));
const BucketPage = lazyPage(() => import("./features/buckets/bucket-page"));
const StreamsPage = lazyPage(() => import("./features/streams/streams-page"));
const StreamPage = lazyPage(() => import("./features/streams/stream-page"));
const UsagePage = lazyPage(() => import("./features/account/usage-page"));
const TokensPage = lazyPage(() => import("./features/account/tokens-page"));
const AuditPage = lazyPage(() => import("./features/account/audit-page"));

export function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [notice, setNotice] = useState<string | null>(null);
  const api = useMemo<ApiClient | null>(
    () =>
      token
        ? createApiClient(token, () => {
            storeToken(null);
            setToken(null);
            setNotice(
              "Your session ended: the token is no longer accepted (it may have been revoked).",
            );
          })
        : null,
    [token],
  );
  useEffect(() => () => api?.dispose(), [api]);

  if (!token || !api) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(value) => {
          storeToken(value);
          setNotice(null);
          setToken(value);
        }}
      />
    );
  }
  const signOut = () => {
    storeToken(null);
    setNotice("You are signed out.");
    setToken(null);
  };
  return (
    <Provider value={api.client}>
      <SignedIn token={token} api={api} signOut={signOut} />
    </Provider>
  );
}

function SignedIn({ token, api, signOut }: { token: string; api: ApiClient; signOut: () => void }) {
  const [viewer] = useQuery({ query: ViewerDocument });
  if (viewer.fetching && !viewer.data) {
    return (
      <div class="boot" aria-busy="true">
        <Logo size={36} />
        <p class="muted">Loading your workspace…</p>
      </div>
    );
  }
  if (!viewer.data) {
    return (
      <div class="boot">
        <ErrorState message={errorMessage(viewer.error) ?? "Unknown error"} />
        <button type="button" class="btn" onClick={signOut}>
          Sign out
        </button>
      </div>
    );
  }
  const session: Session = { token, viewer: viewer.data.viewer, live: api.live, signOut };
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

type Section = "integrations" | "buckets" | "streams" | "usage" | "tokens" | "audit";

interface Route {
  section: Section | null;
  project: string | null;
  crumbs: { label: string; href?: string }[];
  render: (projects: ProjectsQuery["projects"]) => ComponentChildren;
}

function resolveRoute(path: string): Route | "home" | null {
  const pathname = path.split("?")[0]!;
  if (pathname === "/" || pathname === "") return "home";
  let m: Record<string, string> | null;
  if ((m = match("/p/:project", pathname))) {
    return {
      section: "integrations",
      project: m.project!,
      crumbs: [],
      render: () => <Redirect to={`/p/${enc(m!.project!)}/integrations`} />,
    };
  }
  if ((m = match("/p/:project/integrations", pathname))) {
    const project = m.project!;
    return {
      section: "integrations",
      project,
      crumbs: [{ label: "Integrations" }],
      render: () => <IntegrationsPage project={project} />,
    };
  }
  if ((m = match("/p/:project/integrations/new", pathname))) {
    const project = m.project!;
    return {
      section: "integrations",
      project,
      crumbs: [
        { label: "Integrations", href: `/p/${enc(project)}/integrations` },
        { label: "New integration" },
      ],
      render: () => <NewIntegrationWizard project={project} />,
    };
  }
  if ((m = match("/p/:project/integrations/:name", pathname))) {
    const { project, name } = m as { project: string; name: string };
    return {
      section: "integrations",
      project,
      crumbs: [{ label: "Integrations", href: `/p/${enc(project)}/integrations` }, { label: name }],
      render: () => <IntegrationPage project={project} name={name} />,
    };
  }
  if ((m = match("/p/:project/buckets", pathname))) {
    const project = m.project!;
    return {
      section: "buckets",
      project,
      crumbs: [{ label: "Buckets" }],
      render: () => <BucketsPage project={project} />,
    };
  }
  const bucketMatch =
    match("/p/:project/buckets/:bucket", pathname) ??
    match("/p/:project/buckets/:bucket/messages/:message", pathname);
  if (bucketMatch) {
    const { project, bucket, message } = bucketMatch as {
      project: string;
      bucket: string;
      message?: string;
    };
    return {
      section: "buckets",
      project,
      crumbs: [{ label: "Buckets", href: `/p/${enc(project)}/buckets` }, { label: bucket }],
      render: () => <BucketPage project={project} bucket={bucket} messageId={message ?? null} />,
    };
  }
  if ((m = match("/p/:project/streams", pathname))) {
    const project = m.project!;
    return {
      section: "streams",
      project,
      crumbs: [{ label: "Streams" }],
      render: () => <StreamsPage project={project} />,
    };
  }
  if ((m = match("/p/:project/streams/:name", pathname))) {
    const { project, name } = m as { project: string; name: string };
    return {
      section: "streams",
      project,
      crumbs: [{ label: "Streams", href: `/p/${enc(project)}/streams` }, { label: name }],
      render: () => <StreamPage project={project} name={name} />,
    };
  }
  if (pathname === "/usage") {
    return {
      section: "usage",
      project: null,
      crumbs: [{ label: "Usage" }],
      render: () => <UsagePage />,
    };
  }
  if (pathname === "/tokens") {
    return {
      section: "tokens",
      project: null,
      crumbs: [{ label: "API tokens" }],
      render: () => <TokensPage />,
    };
  }
  if (pathname === "/audit") {
    return {
      section: "audit",
      project: null,
      crumbs: [{ label: "Audit log" }],
      render: () => <AuditPage />,
    };
  }
  return null;
}

const enc = encodeURIComponent;

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Shell() {
  const session = useSession();
  const path = usePath();
  const [projects, refetchProjects] = useQuery({ query: ProjectsDocument });
  const [creatingProject, setCreatingProject] = useState(false);
  const route = resolveRoute(path);
  const list = projects.data?.projects ?? [];
  const routeProject = route && route !== "home" ? route.project : null;
  const selected =
    routeProject ??
    (list.some((p) => p.name === lastProject()) ? lastProject() : (list[0]?.name ?? null));

  useEffect(() => {
    if (routeProject) rememberProject(routeProject);
  }, [routeProject]);

  useFocusOnNavigate(path);

  const section: Section =
    route && route !== "home" && route.section ? route.section : "integrations";
  const projectTitle = list.find((p) => p.name === selected)?.title;
  useEffect(() => {
    const crumbs = route && route !== "home" ? route.crumbs.map((c) => c.label) : [];
    document.title = [
      ...crumbs.reverse(),
      routeProject ? (projectTitle ?? routeProject) : null,
      "Mailstream",
    ]
      .filter(Boolean)
      .join(" · ");
  }, [path, projectTitle]);

  let content: ComponentChildren;
  if (projects.fetching && !projects.data) {
    content = <SkeletonRows rows={4} height={72} />;
  } else if (projects.error && !projects.data) {
    content = (
      <ErrorState
        message={errorMessage(projects.error) ?? ""}
        onRetry={() => refetchProjects({ requestPolicy: "network-only" })}
      />
    );
  } else if (route === "home") {
    content = selected ? (
      <Redirect to={`/p/${enc(selected)}/integrations`} />
    ) : (
      <NoProjects onCreate={() => setCreatingProject(true)} />
    );
  } else if (route === null) {
    content = (
      <EmptyState
        icon="info"
        title="Page not found"
        action={
          <Link class="btn" href="/">
            Go to the dashboard
          </Link>
        }
      >
        There is nothing at <code>{path}</code>.
      </EmptyState>
    );
  } else if (route.project && !list.some((p) => p.name === route.project)) {
    content = (
      <EmptyState
        icon="info"
        title="Project not found"
        action={
          <Link class="btn" href="/">
            Go to the dashboard
          </Link>
        }
      >
        No project named <code>{route.project}</code> is visible to this token.
      </EmptyState>
    );
  } else {
    content = route.render(list);
  }

  const navProject = selected ? `/p/${enc(selected)}` : null;
  const crumbs = route && route !== "home" ? route.crumbs : [];
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <aside class="sidebar" aria-label="Sidebar">
        <Link class="brand" href="/">
          <Logo size={28} />
          <span class="brand-name">Mailstream</span>
        </Link>
        <ProjectSwitcher
          projects={list}
          current={selected}
          canCreate={session.viewer.admin}
          onSelect={(name) => {
            if (!name) return;
            const next =
              section === "usage" || section === "tokens" || section === "audit"
                ? "integrations"
                : section;
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
      <div class="main-column">
        <header class="topbar">
          <nav aria-label="Breadcrumb" class="breadcrumbs">
            <ol>
              {routeProject && (
                <li>
                  <Link href={`/p/${enc(routeProject)}/integrations`}>
                    {projectTitle ?? routeProject}
                  </Link>
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
        <main id="main" class="content" tabIndex={-1}>
          {content}
        </main>
      </div>
      <NewProjectDialog
        open={creatingProject}
        onClose={() => setCreatingProject(false)}
        onCreated={(name) => {
          setCreatingProject(false);
          navigate(`/p/${enc(name)}/integrations`);
        }}
      />
      <Toasts />
    </div>
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

function NoProjects({ onCreate }: { onCreate: () => void }) {
  const { viewer } = useSession();
  return (
    <EmptyState
      icon="plug"
      title="No projects yet"
      action={
        viewer.admin ? (
          <button type="button" class="btn btn-primary" onClick={onCreate}>
            <Icon name="plus" /> Create a project
          </button>
        ) : undefined
      }
    >
      {viewer.admin
        ? "A project holds integrations, the buckets they sync into and the streams that read them. Create one to connect your first Exchange mailboxes."
        : "This token has no permission on any project. Ask an admin for a token with project grants."}
    </EmptyState>
  );
}

/** Moves focus to the new page's heading after navigation, so screen readers announce it. */
function useFocusOnNavigate(path: string) {
  const first = useRef(true);
  // Opening a message keeps focus in the message list (same page, different selection).
  const pathname = path.split("?")[0]!.replace(/\/messages\/[^/]+$/, "");
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => {
      const target =
        document.querySelector<HTMLElement>("main h1") ?? document.getElementById("main");
      if (target && !target.contains(document.activeElement)) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      }
    }, 50);
    return () => clearTimeout(timer);
  }, [pathname]);
}
