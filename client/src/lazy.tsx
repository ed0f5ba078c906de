import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { SkeletonRows } from "./ui/feedback";

/**
 * Route-level code splitting without preact/compat: the first render shows a placeholder the
 * shape of a page, the chunk loads once and is cached for later visits.
 */
export function lazyPage<P extends object>(
  load: () => Promise<{ default: ComponentType<P> }>,
): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const start = () => {
    pending ??= load().then((module) => (loaded = module.default));
    return pending;
  };
  function LazyPage(props: P) {
    const [, setReady] = useState(loaded !== null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      start().then(
        () => live && setReady(true),
        () => {
          pending = null;
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (failed) {
      return (
        <div class="callout callout-danger" role="alert">
          <div class="callout-body">
            <strong>This page could not be loaded.</strong> The dashboard may have been updated
            since this tab was opened.
          </div>
          <button type="button" class="btn btn-sm" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      );
    }
    if (!loaded) return <SkeletonRows rows={4} height={72} />;
    const Page = loaded;
    return <Page {...props} />;
  }
  return LazyPage;
}
