import { useQuery } from "@urql/preact";
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "../api/errors";
import { lastProject, rememberProject } from "../api/session";
import { NewProjectDialog } from "../features/projects/project-switcher";
import { useSession } from "../features/session/session-context";
import { ProjectsDocument } from "../gql/graphql";
import { Link, navigate, usePath } from "../router";
import { Redirect, resolveRoute, type Section } from "../routes";
import { EmptyState, ErrorState, SkeletonRows, Toasts } from "../ui/feedback";
import { Icon } from "../ui/icons";
import "./shell.css";
import { Sidebar } from "./sidebar";
import { Topbar } from "./topbar";

const enc = encodeURIComponent;

/** The frame around every signed-in page: sidebar, breadcrumbs, the page the route table names. */
export function Shell() {
  const path = usePath();
  const [projects, refetchProjects] = useQuery({ query: ProjectsDocument });
  const [creatingProject, setCreatingProject] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
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
  // On a phone the sidebar is a drawer: it closes when a link in it is followed, and on Escape.
  useEffect(() => setMenuOpen(false), [path]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setMenuOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [menuOpen]);

  const section: Section = route && route !== "home" ? route.section : "integrations";
  const projectTitle = list.find((p) => p.name === selected)?.title;
  const crumbs = route && route !== "home" ? route.crumbs : [];
  useEffect(() => {
    document.title = [
      ...crumbs.map((c) => c.label).reverse(),
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
    content = route.render();
  }

  return (
    <div class={`app${menuOpen ? " is-menu-open" : ""}`}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar
        projects={list}
        selected={selected}
        section={section}
        onClose={() => setMenuOpen(false)}
      />
      <div class="sidebar-scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />
      <div class="main-column">
        <Topbar
          project={routeProject}
          projectTitle={projectTitle}
          crumbs={crumbs}
          menuOpen={menuOpen}
          onMenu={() => setMenuOpen(!menuOpen)}
        />
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
