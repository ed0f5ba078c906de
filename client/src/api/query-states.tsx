import type { UseQueryExecute, UseQueryState } from "@urql/preact";
import type { ComponentChildren } from "preact";
import { ErrorState, SkeletonRows } from "../ui/feedback";
import { errorMessage } from "./errors";

/**
 * A list page's query: skeleton rows while it first loads, the error with "Try again" when it
 * failed with nothing to show, the empty state when the list is empty, and the list otherwise.
 */
export function QueryStates({
  result,
  refetch,
  skeleton,
  isEmpty,
  empty,
  children,
}: {
  result: Pick<UseQueryState, "fetching" | "error" | "data">;
  refetch: UseQueryExecute;
  skeleton: { rows: number; height: number };
  isEmpty: boolean;
  empty: ComponentChildren;
  children: ComponentChildren;
}) {
  if (result.fetching && !result.data) return <SkeletonRows {...skeleton} />;
  if (result.error && !result.data) {
    return (
      <ErrorState
        message={errorMessage(result.error) ?? ""}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  return <>{isEmpty ? empty : children}</>;
}
