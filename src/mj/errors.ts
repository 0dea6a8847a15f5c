// Typed failures of the MJ-proxy API. Messages are safe to log: they never contain the API key.

export abstract class MjError extends Error {
  abstract readonly kind: "not-found" | "auth" | "unavailable" | "bad-response" | "invalid-id";
}

/** The task id is unknown upstream (or belongs to another account). */
export class MjNotFound extends MjError {
  readonly kind = "not-found";
  override name = "MjNotFound";
  constructor(readonly taskId: string) {
    super(`MJ task ${taskId} was not found upstream`);
  }
}

/** HTTP 401/403: the API key is wrong or lacks access. An operator problem. */
export class MjAuthError extends MjError {
  readonly kind = "auth";
  override name = "MjAuthError";
  constructor(readonly status: number) {
    super(`MJ API refused the API key (HTTP ${status})`);
  }
}

/** Timeouts, refused or reset connections, 5xx: worth retrying later. */
export class MjUnavailable extends MjError {
  readonly kind = "unavailable";
  override name = "MjUnavailable";
  /** No answer in time (the request, or the connection to the API). */
  readonly timedOut: boolean;
  /** The system's code of a failed connection (ECONNREFUSED, ENOTFOUND, ...), when it gave one. */
  readonly connectionCode: string | undefined;
  constructor(
    readonly reason: string,
    readonly status?: number,
    options?: ErrorOptions & { timedOut?: boolean; connectionCode?: string },
  ) {
    super(`MJ API unavailable: ${reason}`, options);
    this.timedOut = options?.timedOut ?? false;
    this.connectionCode = options?.connectionCode;
  }
}

/** A body that is not what the route returns: HTML error pages, non-JSON, wrong shape. */
export class MjBadResponse extends MjError {
  readonly kind = "bad-response";
  override name = "MjBadResponse";
  constructor(
    readonly reason: string,
    readonly status: number,
    /** The body was an HTML page (a proxy's or a gateway's error page), not the API's JSON. */
    readonly html = false,
  ) {
    super(`MJ API sent an unexpected response (HTTP ${status}): ${reason}`);
  }
}

/** A task id that cannot be sent upstream (empty, too long, odd characters). */
export class MjInvalidTaskId extends MjError {
  readonly kind = "invalid-id";
  override name = "MjInvalidTaskId";
  constructor() {
    super("Task ids are 1–64 letters, digits, '-' or '_'");
  }
}
