// What MjClient reports about each request it makes, for metrics, without knowing who counts.

/** The MJ API routes, named by their path with the task id templated. */
export type MjRoute =
  | "/mj/task/:id/fetch"
  | "/mj/task/list-by-condition"
  | "/mj/task/:id/image-seed"
  | `/mj/submit/${string}`
  | "/mj/insight-face/swap";

/**
 * How one request ended: `ok` (an answer of the expected kind), `not_found`, `unsupported` (the
 * server lacks the route), `auth_error` (401/403), `timeout`, `unavailable` (refused or reset
 * connections, 5xx, 429), `bad_response` (HTML, non-JSON, the wrong shape), `error` (anything else).
 */
export type MjRequestOutcome =
  | "ok"
  | "not_found"
  | "unsupported"
  | "auth_error"
  | "timeout"
  | "unavailable"
  | "bad_response"
  | "error";

/** A submit's outcome: what its result code says, or `error` when no result came. */
export type SubmitOutcomeName =
  | "accepted"
  | "queued"
  | "modal"
  | "queue_full"
  | "banned_prompt"
  | "not_found"
  | "invalid"
  | "failed"
  | "error";

export interface MjRequestObserver {
  onRequest(route: MjRoute, outcome: MjRequestOutcome): void;
  /** `kind` is the submit route's name: imagine, action, modal, describe, blend, shorten... */
  onSubmit(kind: string, outcome: SubmitOutcomeName): void;
}

/** The name of a submit result code (see the provider's result codes: 1, 21, 22, 23, 24, 3, 4, 9). */
export function submitOutcomeName(code: number): SubmitOutcomeName {
  switch (code) {
    case 1:
      return "accepted";
    case 22:
      return "queued";
    case 21:
      return "modal";
    case 23:
      return "queue_full";
    case 24:
      return "banned_prompt";
    case 3:
      return "not_found";
    case 4:
      return "invalid";
    default:
      return "failed";
  }
}
