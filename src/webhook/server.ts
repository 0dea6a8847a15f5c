// The bot's own HTTP server: notifyHook callbacks from upstream (POST /hooks/mj/<secret>), a
// health check (GET /healthz) and metrics (GET /metrics). A callback is answered at once; the
// Discord work happens after. Slow or idle clients cannot hold it: headers and bodies each get
// 10 s (checked every second, not by Node's 30-second sweep), and connections beyond the cap are
// closed at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.js";
import { parseTask, type Task } from "../mj/schema.js";
import type { HookTarget, TrackingStore } from "../tracking/store.js";
import { HookSecretResolver } from "./hookSecrets.js";
import type { MetricsEndpoint } from "./metricsEndpoint.js";

/** Upstream sends one Task per callback; anything near this size is not one. */
export const MAX_CALLBACK_BYTES = 1024 * 1024;

export interface WebhookServerOptions {
  host: string;
  port: number;
  store: TrackingStore;
  logger: Logger;
  /** True while the Discord connection is up. */
  isDiscordReady: () => boolean;
  onCallback: (target: HookTarget, task: Task) => Promise<void>;
  /** Serves GET /metrics; without it the route is unknown. */
  metrics?: MetricsEndpoint;
  /** Told how each callback was answered. */
  countCallback?: (outcome: CallbackOutcome) => void;
  /** Connections held open at once (HTTP_MAX_CONNECTIONS); more are closed on arrival. */
  maxConnections?: number;
  /** A request's headers must arrive within this long of its first byte. */
  headersTimeoutMs?: number;
  /** Its body must arrive within this long of its headers. */
  bodyTimeoutMs?: number;
}

/** How a callback was answered: accepted (204), or why it was refused. */
export type CallbackOutcome =
  | "accepted"
  | "unknown_secret"
  | "too_large"
  | "too_slow"
  | "not_json"
  | "not_task";

const DEFAULT_MAX_CONNECTIONS = 256;
const DEFAULT_TIMEOUT_MS = 10_000;
/** How often Node checks its header and request deadlines (its default is 30 s). */
const DEADLINE_CHECK_MS = 1000;

class BodyTooLarge extends Error {}
class BodyTooSlow extends Error {}

function readBody(request: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      reject(new BodyTooSlow());
      request.pause();
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(new BodyTooLarge());
        request.pause();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    request.on("error", fail);
  });
}

function refusalReason(error: unknown): { reason: string; status: number } {
  if (error instanceof BodyTooLarge) return { reason: "body larger than 1 MiB", status: 400 };
  if (error instanceof BodyTooSlow) return { reason: "body too slow", status: 408 };
  return { reason: "body is not JSON", status: 400 };
}

function answer(response: ServerResponse, status: number, body?: object): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

export class WebhookServer {
  readonly #options: WebhookServerOptions;
  readonly #server: Server;
  readonly #pending = new Set<Promise<void>>();
  readonly #hooks: HookSecretResolver;
  readonly #bodyTimeoutMs: number;
  /** Why the store failed the last health check (logged when it changes). */
  #storeProblem: string | null = null;

  constructor(options: WebhookServerOptions) {
    this.#options = options;
    this.#hooks = new HookSecretResolver(options.store);
    const headersTimeout = options.headersTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#server = createServer(
      {
        headersTimeout,
        // The whole request: headers, then the body's own deadline (enforced in readBody too).
        requestTimeout: headersTimeout + this.#bodyTimeoutMs,
        connectionsCheckingInterval: DEADLINE_CHECK_MS,
      },
      (request, response) => {
        this.#handle(request, response).catch((error: unknown) => {
          options.logger.error({ err: error }, "webhook request failed");
          if (!response.headersSent) answer(response, 500, { error: "internal error" });
        });
      },
    );
    // Node starts the header deadline at a request's first byte: a connection that sends
    // nothing at all is closed by this inactivity timeout instead.
    this.#server.timeout = headersTimeout;
    this.#server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.#server.on("drop", () =>
      options.logger.debug("HTTP connection refused: HTTP_MAX_CONNECTIONS are open"),
    );
  }

  /** Starts listening; resolves with the port (useful when configured as 0). */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Stops accepting callbacks and waits for the ones already accepted to be applied. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
    await Promise.allSettled(this.#pending);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === "/healthz" && (request.method === "GET" || request.method === "HEAD")) {
      return this.#health(response);
    }
    if (
      path === "/metrics" &&
      this.#options.metrics &&
      (request.method === "GET" || request.method === "HEAD")
    ) {
      return this.#options.metrics(request, response);
    }
    const hook = /^\/hooks\/mj\/([^/]+)\/?$/.exec(path);
    if (!hook?.[1] || request.method !== "POST") return answer(response, 404, { error: "not found" });
    const target = await this.#hooks.resolve(hook[1]);
    const count = this.#options.countCallback ?? (() => {});
    if (!target) {
      count("unknown_secret");
      // The secret is never logged: it is the only credential upstream can carry.
      this.#options.logger.warn(
        { ip: request.socket.remoteAddress },
        "callback with an unknown secret refused",
      );
      return answer(response, 404, { error: "not found" });
    }
    let task: Task | null;
    try {
      const body = await readBody(request, MAX_CALLBACK_BYTES, this.#bodyTimeoutMs);
      task = parseTask(JSON.parse(body.toString("utf8")));
    } catch (error) {
      const { reason, status } = refusalReason(error);
      count(
        error instanceof BodyTooLarge ? "too_large" : error instanceof BodyTooSlow ? "too_slow" : "not_json",
      );
      this.#options.logger.warn({ reason, hook: target.kind }, "callback refused");
      response.setHeader("connection", "close");
      return answer(response, status, { error: reason });
    }
    if (!task) {
      count("not_task");
      this.#options.logger.warn({ hook: target.kind }, "callback refused: body is not a task");
      return answer(response, 400, { error: "body is not a task" });
    }
    count("accepted");
    answer(response, 204);
    const where =
      target.kind === "feed" ? { hook: "feed", guildId: target.guildId, channelId: target.channelId } : {};
    const applying = this.#options
      .onCallback(target, task)
      .catch((error: unknown) =>
        this.#options.logger.error({ err: error, taskId: task.id, ...where }, "could not apply a callback"),
      )
      .finally(() => this.#pending.delete(applying));
    this.#pending.add(applying);
  }

  async #health(response: ServerResponse): Promise<void> {
    const discord = this.#options.isDiscordReady();
    const store = await this.#storeWritable();
    answer(response, discord && store ? 200 : 503, {
      status: discord && store ? "ok" : "unavailable",
      discord,
      store,
    });
  }

  /** A real write: a store that only answers reads would lose everything the bot records. */
  async #storeWritable(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const problem = await Promise.race([
      this.#options.store.checkWritable().then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(resolve, 2000, "a write took longer than 2 s");
      }),
    ]);
    clearTimeout(timer);
    if (problem !== this.#storeProblem) {
      if (problem)
        this.#options.logger.error({ reason: problem }, "health check: the store cannot be written");
      else this.#options.logger.info("health check: the store can be written again");
      this.#storeProblem = problem;
    }
    return problem === null;
  }
}
