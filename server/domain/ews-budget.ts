/**
 * Rule "a principal (service user or app) stays under Exchange's default EWSMaxConcurrency of 27
 * requests in flight, across all of its mailboxes" (DOMAIN.md, EWS), on several processes: the
 * mailboxes of one principal may be spread over every live process, and each process only knows
 * its own requests, so each keeps to an equal part of the 27 — never more than it is configured
 * for, and never less than one (a principal must still make progress).
 *
 * With more than 27 live processes the floor of one lets the sum exceed 27; that many processes
 * per deployment is beyond what this rule covers.
 */
export const EWS_MAX_CONCURRENCY = 27;

/**
 * Requests in flight one process allows each EWS principal: max(1, min(configured,
 * ⌊27 ÷ live processes⌋)). `processes` counts this process too, so a count below one (our own
 * heartbeat not seen yet) or one that is not a number is taken as one, and a fraction as the next
 * whole process (the safe side); a configuration is rounded down, and one that is not a number
 * gives the floor of one.
 */
export function ewsBudgetPerProcess(configured: number, processes: number): number {
  const live = Number.isNaN(processes) ? 1 : Math.max(1, Math.ceil(processes));
  const own = Number.isNaN(configured) ? 1 : Math.floor(configured);
  return Math.max(1, Math.min(own, Math.floor(EWS_MAX_CONCURRENCY / live)));
}
