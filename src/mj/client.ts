// MjClient: the MJ-proxy HTTP API on an undici keep-alive pool. Knows nothing of Discord.
import { hash } from "node:crypto";
import { Pool, errors as undiciErrors } from "undici";
import { MjAuthError, MjBadResponse, MjInvalidTaskId, MjNotFound, MjUnavailable } from "./errors.js";
import { splitJsonArray } from "./jsonArray.js";
import {
  type MjRequestObserver,
  type MjRequestOutcome,
  type MjRoute,
  submitOutcomeName,
} from "./requestObserver.js";
import { type LentBytes, ReusedBuffer } from "./reusedBuffer.js";
import { parseTask, rawTaskId, type SubmitResult, SubmitResultSchema, type Task } from "./schema.js";
import { isValidTaskId } from "./taskId.js";

export interface MjClientOptions {
  baseUrl: string;
  apiKey: string;
  authStyle: "bearer" | "mj-api-secret";
  /** Whole-request deadline. */
  timeoutMs?: number;
  /** Ids per list-by-condition call (new-api caps it at 1,000). */
  listChunkSize?: number;
  /** Parallel requests when falling back to one GET per id. */
  fallbackConcurrency?: number;
  connections?: number;
  /** Sent as User-Agent; names the shard when sharded. */
  userAgent?: string;
  /** Told how every request and every submit ended (for metrics). */
  observer?: MjRequestObserver;
}

export interface ImagineRequest {
  prompt: string;
  base64Array?: string[];
  botType?: "MID_JOURNEY" | "NIJI_JOURNEY";
  notifyHook?: string;
  state?: string;
}
export interface ActionRequest {
  taskId: string;
  customId: string;
  notifyHook?: string;
  state?: string;
  chooseSameChannel?: boolean;
}
export interface ModalRequest {
  taskId: string;
  prompt: string;
  maskBase64?: string;
}
export interface DescribeRequest {
  base64: string;
  botType?: "MID_JOURNEY" | "NIJI_JOURNEY";
  notifyHook?: string;
  state?: string;
}
export interface BlendRequest {
  base64Array: string[];
  dimensions?: "PORTRAIT" | "SQUARE" | "LANDSCAPE";
  botType?: "MID_JOURNEY" | "NIJI_JOURNEY";
  notifyHook?: string;
  state?: string;
}
export interface ShortenRequest {
  prompt: string;
  botType?: "MID_JOURNEY" | "NIJI_JOURNEY";
  notifyHook?: string;
  state?: string;
}

/** An animate (video) job from a starting image (the C# proxy's SubmitVideoDTO, in part). */
export interface VideoRequest {
  /** The first frame: a data URL (or a link). */
  image: string;
  prompt?: string;
  motion?: "low" | "high";
  notifyHook?: string;
  state?: string;
}
/** Puts the face of `sourceBase64` into `targetBase64` (both data URLs). */
export interface SwapFaceRequest {
  sourceBase64: string;
  targetBase64: string;
  notifyHook?: string;
  state?: string;
}

/** One task from a poll. */
export interface PolledTask {
  /** A hash of the task's JSON as upstream sent it: equal signatures, equal tasks. */
  readonly signature: string;
  /**
   * The task; null when upstream sent something that is not one; undefined when the caller said
   * it knows the signature (most polls bring nothing new, and such tasks are never parsed).
   */
  readonly task: Task | null | undefined;
}

/** What upstream answered for `asked`: ids of `asked` that no task carries are unknown upstream. */
export interface PolledChunk {
  asked: string[];
  tasks: PolledTask[];
  /**
   * True when each id was fetched on its own, so an id without a task is one upstream said it
   * does not know; a batch answer can leave ids out for other reasons.
   */
  fetchedOneByOne: boolean;
}

/**
 * A response body kept as bytes, decoded only when read as text. Bytes read into a reused buffer
 * are valid until release().
 */
class RawResponse {
  #text: string | undefined;

  constructor(
    readonly status: number,
    readonly bytes: Buffer,
    readonly release: () => void = () => {},
  ) {}

  get text(): string {
    this.#text ??= this.bytes.toString("utf8");
    return this.#text;
  }
}

/** After the batch route answered 404/405, try it again only after this long. */
const BATCH_REPROBE_MS = 15 * 60 * 1000;

export class MjClient {
  readonly #pool: Pool;
  /** Holds each list-by-condition answer while it is split, signed and parsed. */
  readonly #pollBuffer = new ReusedBuffer();
  readonly #basePath: string;
  readonly #authHeader: [string, string];
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #listChunkSize: number;
  readonly #fallbackConcurrency: number;
  readonly #observer: MjRequestObserver | undefined;
  #batchUnsupportedUntil = 0;
  #answers = 0;

  constructor(options: MjClientOptions) {
    const base = new URL(options.baseUrl);
    this.#basePath = base.pathname.replace(/\/+$/, "");
    this.#authHeader =
      options.authStyle === "bearer"
        ? ["authorization", `Bearer ${options.apiKey}`]
        : ["mj-api-secret", options.apiKey];
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#userAgent = options.userAgent ?? "mjrelay";
    this.#listChunkSize = Math.max(1, options.listChunkSize ?? 1000);
    this.#fallbackConcurrency = Math.max(1, options.fallbackConcurrency ?? 8);
    this.#observer = options.observer;
    this.#pool = new Pool(base.origin, {
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(this.#timeoutMs, 10_000),
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  /** Answers upstream gave so far (anything but a transport failure, 401/403, 429 or 5xx). */
  get answers(): number {
    return this.#answers;
  }

  /** One task. Throws MjNotFound for an unknown id, whichever way the server says it. */
  async fetchTask(id: string): Promise<Task> {
    const task = parseTask((await this.#fetchTaskBody(id)).body);
    if (!task) throw new MjBadResponse("the answer is not a task", 200);
    return task;
  }

  /**
   * What upstream knows of many tasks, with as few calls as the server allows: list-by-condition
   * in chunks, or one GET per id (bounded concurrency) when the server lacks that route. Yields
   * one chunk at a time, so a caller works on a thousand tasks, not on all of them at once. The
   * answer may hold tasks that were not asked for; the caller matches them by id. Tasks whose
   * signature `known` accepts come unparsed; the others are parsed as their chunk arrives, so the
   * chunk's bytes are not kept while the caller works through it.
   */
  async *pollTasks(
    ids: readonly string[],
    known: (signature: string) => boolean = () => false,
  ): AsyncGenerator<PolledChunk> {
    const unique = [...new Set(ids)];
    for (const id of unique) if (!isValidTaskId(id)) throw new MjInvalidTaskId();
    for (let start = 0; start < unique.length; start += this.#listChunkSize) {
      const asked = unique.slice(start, start + this.#listChunkSize);
      const tasks =
        Date.now() >= this.#batchUnsupportedUntil ? await this.#listByCondition(asked, known) : undefined;
      if (tasks) yield { asked, tasks, fetchedOneByOne: false };
      else yield { asked, tasks: await this.#fetchOneByOne(asked, known), fetchedOneByOne: true };
    }
  }

  /** The seed of a finished task's image. */
  async imageSeed(id: string): Promise<string> {
    const path = `/mj/task/${encodeTaskId(id)}/image-seed`;
    return this.#observed("/mj/task/:id/image-seed", async () => {
      const response = await this.#request("GET", path);
      if (isEmptyNotFound(response)) throw new MjNotFound(id);
      const body = parseJson(response);
      const result = SubmitResultSchema.safeParse(body);
      if (result.success && result.data.code === 1 && typeof result.data.result === "string") {
        return result.data.result;
      }
      if (looksLikeNotFound(response.status, body)) throw new MjNotFound(id);
      throw new MjBadResponse("the answer carries no seed", response.status);
    });
  }

  submitImagine(request: ImagineRequest): Promise<SubmitResult> {
    return this.#submit("imagine", request);
  }

  async submitAction(request: ActionRequest): Promise<SubmitResult> {
    if (!isValidTaskId(request.taskId)) throw new MjInvalidTaskId();
    return this.#submit("action", request);
  }

  async submitModal(request: ModalRequest): Promise<SubmitResult> {
    if (!isValidTaskId(request.taskId)) throw new MjInvalidTaskId();
    return this.#submit("modal", request);
  }

  submitDescribe(request: DescribeRequest): Promise<SubmitResult> {
    return this.#submit("describe", request);
  }

  submitBlend(request: BlendRequest): Promise<SubmitResult> {
    return this.#submit("blend", request);
  }

  submitShorten(request: ShortenRequest): Promise<SubmitResult> {
    return this.#submit("shorten", request);
  }

  submitVideo(request: VideoRequest): Promise<SubmitResult> {
    return this.#submit("video", request);
  }

  /** Face swap lives outside /mj/submit (midjourney-proxy's InsightFace route). */
  swapFace(request: SwapFaceRequest): Promise<SubmitResult> {
    return this.#post("/mj/insight-face/swap", "swap_face", request);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** undefined when the server lacks the batch route (the caller falls back to single fetches). */
  async #listByCondition(
    asked: string[],
    known: (signature: string) => boolean,
  ): Promise<PolledTask[] | undefined> {
    const path = "/mj/task/list-by-condition";
    return this.#observed(
      path,
      async () => {
        const response = await this.#request("POST", path, { ids: asked }, this.#pollBuffer);
        try {
          if (response.status === 404 || response.status === 405) {
            this.#batchUnsupportedUntil = Date.now() + BATCH_REPROBE_MS;
            return undefined;
          }
          // Split, not decoded: only the tasks whose bytes changed since the last poll get parsed.
          const elements = response.status < 300 ? splitJsonArray(response.bytes) : null;
          if (!elements) throw new MjBadResponse("list-by-condition did not answer a list", response.status);
          return elements.map((bytes) => polledTask(bytes, known, () => parseTaskBytes(bytes)));
        } finally {
          response.release();
        }
      },
      (tasks) => (tasks ? "ok" : "unsupported"),
    );
  }

  async #fetchOneByOne(asked: string[], known: (signature: string) => boolean): Promise<PolledTask[]> {
    const found: PolledTask[] = [];
    let next = 0;
    const worker = async () => {
      while (next < asked.length) {
        const id = asked[next++]!;
        const answer = await this.#fetchTaskBody(id).catch((error: unknown) => {
          if (error instanceof MjNotFound) return undefined;
          throw error;
        });
        if (answer) found.push(polledTask(answer.bytes, known, () => parseTask(answer.body)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#fallbackConcurrency, asked.length) }, worker));
    return found;
  }

  /** One task as upstream sent it: its JSON bytes and the parsed body. */
  async #fetchTaskBody(id: string): Promise<{ bytes: Buffer; body: unknown }> {
    const path = `/mj/task/${encodeTaskId(id)}/fetch`;
    return this.#observed("/mj/task/:id/fetch", async () => {
      const response = await this.#request("GET", path);
      // Java proxy: 200 with an empty body; C# proxy: 204.
      if (isEmptyNotFound(response)) throw new MjNotFound(id);
      const body = parseJson(response);
      if (response.status < 300 && rawTaskId(body) !== null) return { bytes: response.bytes, body };
      if (looksLikeNotFound(response.status, body)) throw new MjNotFound(id);
      throw new MjBadResponse("the answer is not a task", response.status);
    });
  }

  #submit(route: string, request: object): Promise<SubmitResult> {
    return this.#post(`/mj/submit/${route}`, route, request);
  }

  /** A submit-style POST; `kind` names it for the observer (imagine, action, ..., swap_face). */
  async #post(path: MjRoute, kind: string, request: object): Promise<SubmitResult> {
    let result: SubmitResult | undefined;
    try {
      result = await this.#observed(path, async () => {
        const response = await this.#request("POST", path, request);
        const parsed = SubmitResultSchema.safeParse(parseJson(response));
        if (!parsed.success)
          throw new MjBadResponse(`${path.slice(4)} did not answer a submit result`, response.status);
        return parsed.data;
      });
      return result;
    } finally {
      this.#observer?.onSubmit(kind, result ? submitOutcomeName(result.code) : "error");
    }
  }

  /** Runs one request's work and tells the observer how it ended. */
  async #observed<T>(
    route: MjRoute,
    work: () => Promise<T>,
    outcomeOf: (value: T) => MjRequestOutcome = () => "ok",
  ): Promise<T> {
    const observer = this.#observer;
    if (!observer) return work();
    try {
      const value = await work();
      observer.onRequest(route, outcomeOf(value));
      return value;
    } catch (error) {
      observer.onRequest(route, requestOutcomeOf(error));
      throw error;
    }
  }

  /**
   * Sends one request; maps transport failures, 401/403 and 5xx to typed errors. With `into`, the
   * body is read into that reused buffer: the caller releases the response once done with it.
   */
  async #request(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    into?: ReusedBuffer,
  ): Promise<RawResponse> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.#userAgent,
      [this.#authHeader[0]]: this.#authHeader[1],
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let status: number;
    let read: LentBytes;
    try {
      const response = await this.#pool.request({
        method,
        path: this.#basePath + path,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.statusCode;
      read = into
        ? await into.read(response.body)
        : { bytes: Buffer.from(await response.body.arrayBuffer()), release: () => {} };
    } catch (error) {
      const { reason, ...how } = transportFailure(error);
      throw new MjUnavailable(reason, undefined, { cause: error, ...how });
    }
    const failure =
      status === 401 || status === 403
        ? new MjAuthError(status)
        : // 429: a rate-limiting gateway in front of the API; transient, never "not found".
          status >= 500 || status === 429
          ? new MjUnavailable(`HTTP ${status}`, status)
          : undefined;
    if (failure) {
      read.release();
      throw failure;
    }
    this.#answers += 1;
    return new RawResponse(status, read.bytes, read.release);
  }
}

/** Java proxy: 200 with an empty body; C# proxy: 204. An empty 4xx is something else. */
function isEmptyNotFound(response: RawResponse): boolean {
  if (response.status === 204) return true;
  return (response.status === 200 || response.status === 404) && response.text.trim() === "";
}

function polledTask(
  bytes: Uint8Array,
  known: (signature: string) => boolean,
  parse: () => Task | null,
): PolledTask {
  const signature = hash("sha1", bytes, "base64");
  return { signature, task: known(signature) ? undefined : parse() };
}

const utf8 = new TextDecoder();

function parseTaskBytes(bytes: Uint8Array): Task | null {
  try {
    return parseTask(JSON.parse(utf8.decode(bytes)));
  } catch {
    return null;
  }
}

function encodeTaskId(id: string): string {
  if (!isValidTaskId(id)) throw new MjInvalidTaskId();
  return encodeURIComponent(id);
}

function parseJson(response: RawResponse): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    const looksHtml = /^\s*</.test(response.text);
    throw new MjBadResponse(
      looksHtml ? "an HTML page instead of JSON" : "a body that is not JSON",
      response.status,
      looksHtml,
    );
  }
}

/** new-api: 400 {"code":4,"description":"task_no_found "}; others: 404 or code 3/4 with "not found". */
function looksLikeNotFound(status: number, body: unknown): boolean {
  if (status === 404) return true;
  if (body === null || typeof body !== "object") return false;
  const { code, description } = body as { code?: unknown; description?: unknown };
  const text = typeof description === "string" ? description.toLowerCase() : "";
  return (code === 3 || code === 4) && /no[t_ ]*found|not exist|task_no_found/.test(text);
}

function requestOutcomeOf(error: unknown): MjRequestOutcome {
  if (error instanceof MjNotFound) return "not_found";
  if (error instanceof MjAuthError) return "auth_error";
  if (error instanceof MjUnavailable) return error.timedOut ? "timeout" : "unavailable";
  if (error instanceof MjBadResponse) return "bad_response";
  return "error";
}

/** What went wrong before the API answered: for the log (`reason`), and for the user's words. */
function transportFailure(error: unknown): { reason: string; timedOut: boolean; connectionCode?: string } {
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return { reason: "timed out", timedOut: true };
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return { reason: "connection timed out", timedOut: true };
  }
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError")
      return { reason: "timed out", timedOut: true };
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") {
      return { reason: `connection failed (${code})`, timedOut: false, connectionCode: code };
    }
  }
  return { reason: "connection failed", timedOut: false };
}
