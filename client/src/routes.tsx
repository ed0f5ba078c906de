import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { IntegrationsPage } from "./features/integrations/integrations-page";
import { lazyPage } from "./lazy";
import { match, navigate } from "./router";

const NewIntegrationWizard = lazyPage(() => import("./features/integrations/wizard/wizard"));
const IntegrationPage = lazyPage(() => import("./features/integrations/integration-page"));
const BucketsPage = lazyPage(() => import("./features/buckets/buckets-page"));
const BucketPage = lazyPage(() => import("./features/buckets/bucket-page"));
const StreamsPage = lazyPage(() => import("./features/streams/streams-page"));
const StreamPage = lazyPage(() => import("./features/streams/stream-page"));
const UsagePage = lazyPage(() => import("./features/account/usage-page"));
const TokensPage = lazyPage(() => import("./features/account/tokens-page"));
const AuditPage = lazyPage(() => import("./features/account/audit-page"));
const ExplorerPage = lazyPage(() => import("./features/explorer/explorer-page"));

/** The sidebar entry a page belongs to. */
export type Section =
  "integrations" | "buckets" | "streams" | "usage" | "tokens" | "audit" | "explorer";

/** Sections outside any project: switching project from one of them goes to Integrations. */
export const ACCOUNT_SECTIONS: readonly Section[] = ["usage", "tokens", "audit", "explorer"];

export interface Crumb {
  label: string;
  href?: string;
}

type Params = Record<string, string>;

interface RouteDefinition {
  /** `/p/:project/...`: a `:project` parameter names the project the page belongs to. */
  patterns: string[];
  section: Section;
  crumbs: (params: Params) => Crumb[];
  render: (params: Params) => ComponentChildren;
}

export interface Route {
  section: Section;
  project: string | null;
  crumbs: Crumb[];
  render: () => ComponentChildren;
}

const enc = encodeURIComponent;
const integrations = (p: Params): Crumb => ({
  label: "Integrations",
  href: `/p/${enc(p.project!)}/integrations`,
});
const buckets = (p: Params): Crumb => ({ label: "Buckets", href: `/p/${enc(p.project!)}/buckets` });
const streams = (p: Params): Crumb => ({ label: "Streams", href: `/p/${enc(p.project!)}/streams` });

/** Every page of the dashboard, first match wins. */
export const ROUTES: RouteDefinition[] = [
  {
    patterns: ["/p/:project"],
    section: "integrations",
    crumbs: () => [],
    render: (p) => <Redirect to={`/p/${enc(p.project!)}/integrations`} />,
  },
  {
    patterns: ["/p/:project/integrations"],
    section: "integrations",
    crumbs: () => [{ label: "Integrations" }],
    render: (p) => <IntegrationsPage project={p.project!} />,
  },
  {
    patterns: ["/p/:project/integrations/new"],
    section: "integrations",
    crumbs: (p) => [integrations(p), { label: "New integration" }],
    render: (p) => <NewIntegrationWizard project={p.project!} />,
  },
  {
    patterns: ["/p/:project/integrations/:name"],
    section: "integrations",
    crumbs: (p) => [integrations(p), { label: p.name! }],
    render: (p) => <IntegrationPage project={p.project!} name={p.name!} />,
  },
  {
    patterns: ["/p/:project/buckets"],
    section: "buckets",
    crumbs: () => [{ label: "Buckets" }],
    render: (p) => <BucketsPage project={p.project!} />,
  },
  {
    patterns: ["/p/:project/buckets/:bucket", "/p/:project/buckets/:bucket/messages/:message"],
    section: "buckets",
    crumbs: (p) => [buckets(p), { label: p.bucket! }],
    render: (p) => (
      <BucketPage project={p.project!} bucket={p.bucket!} messageId={p.message ?? null} />
    ),
  },
  {
    patterns: ["/p/:project/streams"],
    section: "streams",
    crumbs: () => [{ label: "Streams" }],
    render: (p) => <StreamsPage project={p.project!} />,
  },
  {
    patterns: ["/p/:project/streams/:name"],
    section: "streams",
    crumbs: (p) => [streams(p), { label: p.name! }],
    render: (p) => <StreamPage project={p.project!} name={p.name!} />,
  },
  {
    patterns: ["/usage"],
    section: "usage",
    crumbs: () => [{ label: "Usage" }],
    render: () => <UsagePage />,
  },
  {
    patterns: ["/tokens"],
    section: "tokens",
    crumbs: () => [{ label: "API tokens" }],
    render: () => <TokensPage />,
  },
  {
    patterns: ["/audit"],
    section: "audit",
    crumbs: () => [{ label: "Audit log" }],
    render: () => <AuditPage />,
  },
  {
    patterns: ["/explorer"],
    section: "explorer",
    crumbs: () => [{ label: "API explorer" }],
    render: () => <ExplorerPage />,
  },
];

/** The page at a path: "home" for `/`, null when nothing matches. */
export function resolveRoute(path: string): Route | "home" | null {
  const pathname = path.split("?")[0]!;
  if (pathname === "/" || pathname === "") return "home";
  for (const route of ROUTES) {
    for (const pattern of route.patterns) {
      const params = match(pattern, pathname);
      if (!params) continue;
      return {
        section: route.section,
        project: params.project ?? null,
        crumbs: route.crumbs(params),
        render: () => route.render(params),
      };
    }
  }
  return null;
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
