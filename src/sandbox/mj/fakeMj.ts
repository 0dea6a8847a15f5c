// A fake MJ-proxy server on 127.0.0.1 for tests and the benchmark: scripted task timelines, both
// auth styles, the three server families' ways of saying "unknown task", submit routes with the
// real result codes, notifyHook callbacks, and faults on demand.
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Agent, request } from "undici";
import { waitForCondition } from "../waitForCondition.js";
import { mp4For, pngFor, TINY_WEBP } from "./sampleMedia.js";
import { TASK_TEMPLATES, type TemplateName } from "./taskTemplates.js";

export type Json = Record<string, unknown>;
export type TaskJson = Json & { id: string };

export interface Timeline {
  /** Each step is merged into the task in turn. */
  steps: Json[];
  /** manual: the test calls advance(); perFetch: one step after each time the task is served; everyMs: by time. */
  advance?: "manual" | "perFetch" | { everyMs: number };
}

export interface MjRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: unknown;
  raw: string;
  at: number;
}

export type FaultKind =
  | "500"
  | "502-html"
  | "html-200"
  | "timeout"
  | "reset"
  | "unauthorized"
  | "empty"
  | "429-empty"
  /** list-by-condition answers [] (a batch route that leaves tasks out). */
  | "empty-list";
export type RouteName = "fetch" | "list" | "seed" | "submit";

export interface FakeMjOptions {
  apiKey?: string;
  authStyle?: "bearer" | "mj-api-secret";
  family?: "new-api" | "java" | "csharp";
  /** false: list-by-condition answers 404, like old proxies. */
  listByCondition?: boolean;
  listChunkCap?: number;
  /** Callbacks: send each twice, or hold them and send the latest first. */
  callbackMode?: { duplicate?: boolean };
  /**
   * Plays submits itself (the sandbox's simulated jobs, which add their tasks to `fake`): the
   * submit result to answer, or undefined to leave the route to the fake's own timelines.
   */
  submits?: (route: string, body: Json | undefined, fake: FakeMj) => Json | undefined;
  /** Files served to anyone at GET paths (a provider's image host); undefined: not one of them. */
  publicFiles?: (path: string) => PublicFile | undefined;
}

export interface PublicFile {
  contentType: string;
  bytes: Buffer;
}

interface TaskEntry {
  task: TaskJson;
  steps: Json[];
  mode: Timeline["advance"];
  timer?: NodeJS.Timeout;
  notifyHook?: string;
  /** Every state the task has been in, with when. */
  history: { at: number; task: TaskJson }[];
}

interface Fault {
  kind: FaultKind;
  route?: RouteName | RegExp;
  count: number;
}

type SubmitRoute = "imagine" | "action" | "modal" | "describe" | "blend" | "shorten" | "video" | "swap-face";

/** A file at /media/<path>: bytes with a type (sent after `delayMs`), a redirect, or an error status. */
export type ServedMedia =
  | { contentType: string; bytes: Buffer; delayMs?: number }
  | { redirect: string }
  | { status: number };

interface ScriptedSubmit {
  result: Json;
  task?: Json;
  timeline?: Timeline;
}

const clone = <T>(value: T): T => structuredClone(value);

function fixtureTask(name: TemplateName): TaskJson {
  return clone(TASK_TEMPLATES[name]) as TaskJson;
}

let idCounter = 0;
/** 16 digits like real ids: the millisecond clock plus a counter. */
export function newTaskId(): string {
  idCounter = (idCounter + 1) % 1000;
  return `${Date.now()}${String(idCounter).padStart(3, "0")}`;
}

/** Rewrites the job hash in button customIds so a derived task's buttons are its own. */
function withHash(task: TaskJson, hash: string): TaskJson {
  const buttons = Array.isArray(task.buttons) ? (task.buttons as Json[]) : [];
  return {
    ...task,
    buttons: buttons.map((button) => ({
      ...button,
      customId: String(button.customId).replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
        hash,
      ),
    })),
  };
}

function randomHash(): string {
  const hex = randomBytes(16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SUBMITTED -> 30% -> 70% -> SUCCESS (imagine-success.json with its buttons), for task `id`. */
export function imagineTimeline(id: string, overrides: Json = {}): { task: TaskJson; steps: Json[] } {
  const hash = randomHash();
  const final = withHash({ ...fixtureTask("imagine-success.json"), id, ...overrides }, hash);
  return {
    task: { ...fixtureTask("imagine-submitted.json"), id, ...overrides },
    steps: [
      { status: "IN_PROGRESS", progress: "30%", startTime: Date.now() },
      { progress: "70%", imageUrl: "https://cdn.example.com/preview.webp" },
      { ...final, finishTime: Date.now(), properties: { ...(final.properties as Json), messageHash: hash } },
    ],
  };
}

function upscaleTimeline(id: string, parent: TaskJson): { task: TaskJson; steps: Json[] } {
  const hash = randomHash();
  const final = withHash({ ...fixtureTask("upscale-success.json"), id }, hash);
  return {
    task: { ...final, status: "SUBMITTED", progress: "0%", buttons: [], imageUrl: "", finishTime: null },
    steps: [
      { status: "IN_PROGRESS", progress: "50%" },
      { ...final, promptEn: parent.promptEn ?? final.promptEn, properties: { messageHash: hash } },
    ],
  };
}

function describeTimeline(id: string): { task: TaskJson; steps: Json[] } {
  const final = { ...fixtureTask("describe-success-seed.json"), id };
  return {
    task: { ...final, status: "SUBMITTED", progress: "0%", buttons: [], promptEn: "", finishTime: null },
    steps: [{ status: "IN_PROGRESS", progress: "50%" }, final],
  };
}

/**
 * A /video job as the C# proxy reports it: SUBMITTED -> 40% -> SUCCESS with the grid .mp4 in
 * imageUrl, and four videos with WebP thumbnails in videoUrls and again in imageUrls; its files
 * are served by the fake at `origin`.
 */
export function videoTimeline(
  id: string,
  origin: string,
  overrides: Json = {},
): { task: TaskJson; steps: Json[] } {
  const prompt = typeof overrides.prompt === "string" ? overrides.prompt : "";
  const hash = randomHash();
  const videos = Array.from({ length: 4 }, (_, i) => ({
    url: `${origin}/media/video/${hash}/0_${i}.mp4`,
    thumbnail: `${origin}/media/${hash}/0_${i}_640_N.webp`,
  }));
  const buttons = [
    ...videos.map((_, i) => ({
      customId: `MJ::JOB::video_virtual_upscale::${i + 1}::${hash}`,
      emoji: "",
      label: `U${i + 1}`,
      type: 2,
      style: 2,
    })),
    { customId: `MJ::JOB::reroll::0::${hash}::SOLO`, emoji: "🔄", label: "", type: 2, style: 2 },
  ];
  const base = {
    id,
    action: "VIDEO",
    prompt,
    promptEn: prompt,
    description: `/video ${prompt}`.trim(),
    state: "",
    submitTime: Date.now(),
    startTime: null,
    finishTime: null,
    imageUrl: "",
    imageUrls: [],
    videoUrl: "",
    videoUrls: [],
    progress: "0%",
    failReason: "",
    buttons: [],
    properties: {},
    status: "SUBMITTED",
    ...overrides,
  };
  return {
    task: base,
    steps: [
      { status: "IN_PROGRESS", progress: "40%", startTime: Date.now() },
      {
        status: "SUCCESS",
        progress: "100%",
        finishTime: Date.now(),
        imageUrl: `${origin}/media/${hash}/grid.mp4`,
        videoUrl: `${origin}/media/${hash}/grid.mp4`,
        videoUrls: videos,
        imageUrls: videos,
        buttons,
        properties: { finalPrompt: prompt, messageHash: hash },
      },
    ],
  };
}

/** An insight-face swap: SUBMITTED -> 50% -> SUCCESS with one image served by the fake at `origin`. */
export function swapFaceTimeline(id: string, origin: string): { task: TaskJson; steps: Json[] } {
  return {
    task: {
      ...fixtureTask("imagine-submitted.json"),
      id,
      action: "SWAP_FACE",
      prompt: "",
      promptEn: "",
      submitTime: Date.now(),
    },
    steps: [
      { status: "IN_PROGRESS", progress: "50%", startTime: Date.now() },
      {
        status: "SUCCESS",
        progress: "100%",
        finishTime: Date.now(),
        imageUrl: `${origin}/media/${id}/swap.png`,
      },
    ],
  };
}

function actionOf(customId: string): string {
  if (customId.includes("::upsample::") || /::upsample_/.test(customId)) return "UPSCALE";
  if (customId.includes("::reroll::")) return "REROLL";
  if (/::(high_|low_)?variation::/.test(customId)) return "VARIATION";
  if (customId.includes("::Outpaint::")) return "ZOOM";
  if (customId.includes("::pan_")) return "PAN";
  return "ACTION";
}

export class FakeMj {
  readonly requests: MjRequest[] = [];
  readonly callbacks: { url: string; task: TaskJson; status: number }[] = [];
  /**
   * Like midjourney-proxy's notify pool (`mj.notify-pool-size`, 10 by default): a bounded set of
   * kept-alive connections, with callbacks queued behind them.
   */
  readonly #callbackAgent = new Agent({ connections: 10 });
  readonly callbackErrors: unknown[] = [];
  readonly apiKey: string;
  readonly authStyle: "bearer" | "mj-api-secret";
  readonly family: "new-api" | "java" | "csharp";
  url = "";
  readonly #options: FakeMjOptions;
  readonly #tasks = new Map<string, TaskEntry>();
  readonly #faults: Fault[] = [];
  readonly #scripted = new Map<SubmitRoute, ScriptedSubmit[]>();
  readonly #seeds = new Map<string, string>();
  readonly #media = new Map<string, ServedMedia>();
  readonly #events = new EventEmitter();
  readonly #sockets = new Set<Socket>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  #latencyMs = 0;
  #closed = false;

  constructor(options: FakeMjOptions = {}) {
    this.#options = options;
    this.apiKey = options.apiKey ?? `sk-fake-${randomBytes(12).toString("hex")}`;
    this.authStyle = options.authStyle ?? "bearer";
    this.family = options.family ?? "new-api";
    this.#events.setMaxListeners(0);
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  // ---- tasks -------------------------------------------------------------------------------

  addTask(
    task: TaskJson,
    timeline: Timeline = { steps: [] },
    options: { notifyHook?: string } = {},
  ): TaskJson {
    const entry: TaskEntry = {
      task: clone(task),
      steps: clone(timeline.steps),
      mode: timeline.advance ?? "manual",
      history: [],
      ...(options.notifyHook ? { notifyHook: options.notifyHook } : {}),
    };
    this.#tasks.set(task.id, entry);
    this.#changed(entry);
    const mode = entry.mode;
    if (typeof mode === "object") {
      entry.timer = setInterval(() => {
        if (entry.steps.length === 0) clearInterval(entry.timer);
        else this.advance(task.id);
      }, mode.everyMs);
      entry.timer.unref();
    }
    return clone(entry.task);
  }

  /** An IMAGINE task that goes SUBMITTED -> 30% -> 70% -> SUCCESS. */
  addImagine(
    id = newTaskId(),
    advance: Timeline["advance"] = "manual",
    options: { notifyHook?: string } = {},
  ) {
    const { task, steps } = imagineTimeline(id);
    return this.addTask(task, { steps, advance }, options);
  }

  task(id: string): TaskJson | undefined {
    const entry = this.#tasks.get(id);
    return entry ? clone(entry.task) : undefined;
  }

  /** Every state of the task so far, with the time it was entered. */
  snapshots(id: string): { at: number; task: TaskJson }[] {
    return this.#tasks.get(id)?.history ?? [];
  }

  advance(id: string): TaskJson {
    const entry = this.#entry(id);
    const step = entry.steps.shift();
    if (step) {
      entry.task = { ...entry.task, ...clone(step) };
      this.#changed(entry);
    }
    return clone(entry.task);
  }

  finish(id: string): TaskJson {
    const entry = this.#entry(id);
    while (entry.steps.length > 0) this.advance(id);
    return clone(entry.task);
  }

  setTask(id: string, patch: Json): TaskJson {
    const entry = this.#entry(id);
    entry.task = { ...entry.task, ...clone(patch) };
    this.#changed(entry);
    return clone(entry.task);
  }

  /** Upstream no longer knows the task: every route answers "unknown" for it. */
  forget(id: string): void {
    const entry = this.#tasks.get(id);
    if (entry) clearInterval(entry.timer);
    this.#tasks.delete(id);
    this.#events.emit("change");
  }

  setNotifyHook(id: string, url: string): void {
    this.#entry(id).notifyHook = url;
  }

  setSeed(id: string, seed: string): void {
    this.#seeds.set(id, seed);
  }

  // ---- result files ----------------------------------------------------------------------------

  /** The URL of a result file; any `.png`, `.webp` or `.mp4` path is served with made-up bytes. */
  mediaUrl(path: string): string {
    return `${this.url}/media/${path}`;
  }

  /** What /media/<path> answers instead of the made-up file; returns its URL. */
  serveMedia(path: string, media: ServedMedia): string {
    this.#media.set(path, media);
    return this.mediaUrl(path);
  }

  // ---- scripting -----------------------------------------------------------------------------

  /** The next submit on `route` answers `result` (and creates `task` with `timeline` when given). */
  nextSubmitResult(
    route: SubmitRoute,
    result: Json,
    options: { task?: Json; timeline?: Timeline } = {},
  ): void {
    const queue = this.#scripted.get(route) ?? [];
    queue.push({ result, ...options });
    this.#scripted.set(route, queue);
  }

  failNext(kind: FaultKind, options: { route?: RouteName | RegExp; count?: number } = {}): void {
    this.#faults.push({
      kind,
      count: options.count ?? 1,
      ...(options.route ? { route: options.route } : {}),
    });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  requestsTo(path: string | RegExp): MjRequest[] {
    return this.requests.filter((r) => (typeof path === "string" ? r.path === path : path.test(r.path)));
  }

  /** How many times upstream was asked about `id` (single fetches and batches). */
  pollsOf(id: string): number {
    let count = 0;
    for (const r of this.requests) {
      if (r.path === `/mj/task/${id}/fetch`) count += 1;
      else if (r.path === "/mj/task/list-by-condition" && (r.body as { ids?: unknown })?.ids) {
        if (((r.body as { ids: unknown[] }).ids ?? []).includes(id)) count += 1;
      }
    }
    return count;
  }

  // ---- callbacks -----------------------------------------------------------------------------

  /** Posts `body` (a task, or raw text) to `url` like a proxy's notifyHook call. */
  async sendCallback(url: string, body: unknown): Promise<{ status: number; body: string }> {
    const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const response = await request(url, {
      dispatcher: this.#callbackAgent,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  // ---- waiting -------------------------------------------------------------------------------

  /** Resolves with the first truthy value of `check`, re-checked on every request and every 10 ms. */
  waitFor<T>(check: () => T | undefined | null | false, { timeoutMs = 10_000 } = {}): Promise<T> {
    return waitForCondition(this.#events, check, timeoutMs, () => {
      const last = this.requests
        .slice(-5)
        .map((r) => `${r.method} ${r.path}`)
        .join(", ");
      return `fake MJ: condition not met within ${timeoutMs} ms (last requests: ${last})`;
    });
  }

  waitForRequest(predicate: (r: MjRequest) => boolean, options?: { timeoutMs?: number }): Promise<MjRequest> {
    return this.waitFor(() => this.requests.find(predicate), options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    void this.#callbackAgent.destroy();
    for (const entry of this.#tasks.values()) clearInterval(entry.timer);
    for (const response of this.#hanging) response.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  #entry(id: string): TaskEntry {
    const entry = this.#tasks.get(id);
    if (!entry) throw new Error(`fake MJ has no task ${id}`);
    return entry;
  }

  #changed(entry: TaskEntry): void {
    const snapshot = clone(entry.task);
    entry.history.push({ at: Date.now(), task: snapshot });
    this.#events.emit("change");
    if (!entry.notifyHook || this.#closed) return;
    const url = entry.notifyHook;
    const times = this.#options.callbackMode?.duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      this.sendCallback(url, snapshot).then(
        (answer) => {
          this.callbacks.push({ url, task: snapshot, status: answer.status });
          this.#events.emit("change");
        },
        (error: unknown) => this.callbackErrors.push(error),
      );
    }
  }

  #authorized(req: IncomingMessage): boolean {
    if (this.authStyle === "bearer") return req.headers.authorization === `Bearer ${this.apiKey}`;
    return req.headers["mj-api-secret"] === this.apiKey;
  }

  #unauthorized(res: ServerResponse): void {
    if (this.family === "new-api") {
      json(res, 401, { error: { message: "invalid token", type: "new_api_error" } });
    } else if (this.family === "csharp") {
      res.writeHead(401, { "content-type": "text/plain" }).end("Authorization header missing.");
    } else {
      res.writeHead(401).end();
    }
  }

  #takeFault(route: RouteName): FaultKind | undefined {
    const index = this.#faults.findIndex(
      (fault) =>
        fault.route === undefined ||
        fault.route === route ||
        (fault.route instanceof RegExp && fault.route.test(route)),
    );
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.#faults.splice(index, 1);
    return fault.kind;
  }

  #applyFault(kind: FaultKind, res: ServerResponse): void {
    switch (kind) {
      case "500":
        return json(res, 500, { code: 9, description: "internal error" });
      case "502-html":
        res.writeHead(502, { "content-type": "text/html" });
        return void res.end(
          "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
        );
      case "html-200":
        res.writeHead(200, { "content-type": "text/html" });
        return void res.end("<!doctype html><html><body>Please log in</body></html>");
      case "timeout":
        this.#hanging.add(res);
        res.on("close", () => this.#hanging.delete(res));
        return;
      case "reset":
        return void res.socket?.destroy();
      case "unauthorized":
        return this.#unauthorized(res);
      case "empty":
        return void res.writeHead(200).end();
      case "429-empty":
        return void res.writeHead(429).end();
      case "empty-list":
        return json(res, 200, []);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    this.requests.push({ method: req.method ?? "GET", path, headers, body, raw, at: Date.now() });
    this.#events.emit("change");
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));

    // Files the sandbox draws for its jobs, then those registered with serveMedia().
    const file = req.method === "GET" ? this.#options.publicFiles?.(path) : undefined;
    if (file) {
      res.writeHead(200, { "content-type": file.contentType, "content-length": String(file.bytes.length) });
      return void res.end(file.bytes);
    }
    // Result files need no key, like new-api's /mj/image/<id> (Discord, or a browser, loads them).
    if (path.startsWith("/media/") && req.method === "GET")
      return await this.#serveMediaFile(path.slice(7), res);

    const fetchMatch = /^\/mj\/task\/([^/]+)\/fetch$/.exec(path);
    const seedMatch = /^\/mj\/task\/([^/]+)\/image-seed$/.exec(path);
    const submitMatch =
      /^\/mj\/submit\/([a-z-]+)$/.exec(path) ?? (path === "/mj/insight-face/swap" ? ["", "swap-face"] : null);
    const route: RouteName | undefined = fetchMatch
      ? "fetch"
      : seedMatch
        ? "seed"
        : path === "/mj/task/list-by-condition"
          ? "list"
          : submitMatch
            ? "submit"
            : undefined;
    if (!route) return json(res, 404, { error: "not found" });
    if (!this.#authorized(req)) return this.#unauthorized(res);
    const fault = this.#takeFault(route);
    if (fault) return this.#applyFault(fault, res);

    if (fetchMatch?.[1]) return this.#serveFetch(fetchMatch[1], res);
    if (seedMatch?.[1]) {
      if (!this.#tasks.has(seedMatch[1])) return this.#unknownTask(res);
      const seed =
        this.#seeds.get(seedMatch[1]) ?? String(Number.parseInt(seedMatch[1].slice(-9), 10) % 4294967295);
      return json(res, 200, { code: 1, description: "success", result: seed });
    }
    if (route === "list") {
      if (this.#options.listByCondition === false) return json(res, 404, { error: "not found" });
      const ids = (body as { ids?: unknown })?.ids;
      if (!Array.isArray(ids)) return json(res, 400, { code: 4, description: "ids is required" });
      if (ids.length > (this.#options.listChunkCap ?? 1000))
        return json(res, 400, { code: 4, description: "too many ids" });
      const found: TaskJson[] = [];
      // Reversed: clients must not rely on the order.
      for (const id of [...ids].reverse()) {
        const entry = this.#tasks.get(String(id));
        if (entry) found.push(entry.task);
      }
      json(res, 200, found);
      for (const task of found) this.#servedOnce(task.id);
      return;
    }
    return this.#serveSubmit(submitMatch?.[1] as SubmitRoute, body as Json | undefined, res);
  }

  async #serveMediaFile(path: string, res: ServerResponse): Promise<void> {
    const served = this.#media.get(path);
    if (served && "redirect" in served) return void res.writeHead(302, { location: served.redirect }).end();
    if (served && "status" in served) return json(res, served.status, { error: "not available" });
    const made = served ?? madeUpMedia(path);
    if (!made) return json(res, 404, { error: "not found" });
    if (served && "delayMs" in served && served.delayMs) {
      this.#hanging.add(res);
      await new Promise((resolve) => setTimeout(resolve, served.delayMs).unref());
      this.#hanging.delete(res);
      if (res.destroyed) return;
    }
    res.writeHead(200, { "content-type": made.contentType, "content-length": String(made.bytes.length) });
    res.end(made.bytes);
  }

  #unknownTask(res: ServerResponse): void {
    if (this.family === "new-api")
      return json(res, 400, { description: "task_no_found ", type: "upstream_error", code: 4 });
    if (this.family === "csharp") return void res.writeHead(204).end();
    return void res.writeHead(200).end();
  }

  #serveFetch(id: string, res: ServerResponse): void {
    const entry = this.#tasks.get(id);
    if (!entry) return this.#unknownTask(res);
    json(res, 200, entry.task);
    this.#servedOnce(id);
  }

  #servedOnce(id: string): void {
    const entry = this.#tasks.get(id);
    if (entry?.mode === "perFetch") this.advance(id);
  }

  #serveSubmit(route: SubmitRoute, body: Json | undefined, res: ServerResponse): void {
    const scripted = this.#scripted.get(route)?.shift();
    const notifyHook = typeof body?.notifyHook === "string" ? body.notifyHook : undefined;
    const hook = notifyHook ? { notifyHook } : {};
    if (scripted) {
      const id = typeof scripted.result.result === "string" ? scripted.result.result : undefined;
      if (id && !this.#tasks.has(id)) {
        const base = scripted.task ?? imagineTimeline(id).task;
        const steps = scripted.timeline?.steps ?? (scripted.task ? [] : imagineTimeline(id).steps);
        this.addTask(
          { ...base, id } as TaskJson,
          { steps, advance: scripted.timeline?.advance ?? "perFetch" },
          hook,
        );
      }
      return json(res, 200, scripted.result);
    }
    const played = this.#options.submits?.(route, body, this);
    if (played) return json(res, 200, played);
    const id = newTaskId();
    switch (route) {
      case "imagine":
      case "blend":
      case "shorten": {
        const prompt = typeof body?.prompt === "string" ? body.prompt : "blend";
        const { task, steps } = imagineTimeline(id, {
          prompt,
          promptEn: prompt,
          action: route.toUpperCase(),
        });
        this.addTask({ ...task, state: body?.state ?? "" }, { steps, advance: "perFetch" }, hook);
        return json(res, 200, { code: 1, description: "Submit success", result: id, properties: {} });
      }
      case "video": {
        const prompt = typeof body?.prompt === "string" ? body.prompt.trim() : "";
        // The C# proxy refuses a video without a prompt; aggregators pass it on.
        if (this.family === "csharp" && !prompt)
          return json(res, 200, { code: 4, description: "Prompt 不能为空", result: null, properties: {} });
        if (typeof body?.image !== "string" || !/^(data:image\/|https?:\/\/)/.test(body.image))
          return json(res, 200, { code: 4, description: "base64格式错误", result: null, properties: {} });
        const { task, steps } = videoTimeline(id, this.url, { prompt, state: body?.state ?? "" });
        this.addTask(task, { steps, advance: "perFetch" }, hook);
        return json(res, 200, { code: 1, description: "Submit success", result: id, properties: {} });
      }
      case "swap-face": {
        const source = typeof body?.sourceBase64 === "string" ? body.sourceBase64 : "";
        const target = typeof body?.targetBase64 === "string" ? body.targetBase64 : "";
        if (!source || !target)
          return json(res, 200, { code: 4, description: "人脸图片不能为空", result: null, properties: {} });
        if (source === target)
          return json(res, 200, {
            code: 4,
            description: "人脸图片和目标图片不能相同",
            result: null,
            properties: {},
          });
        const { task, steps } = swapFaceTimeline(id, this.url);
        this.addTask(task, { steps, advance: "perFetch" }, hook);
        return json(res, 200, { code: 1, description: "Submit success", result: id, properties: {} });
      }
      case "describe": {
        const { task, steps } = describeTimeline(id);
        this.addTask(task, { steps, advance: "perFetch" }, hook);
        return json(res, 200, { code: 1, description: "Submit success", result: id, properties: {} });
      }
      case "action": {
        const parent = this.#tasks.get(String(body?.taskId ?? ""));
        if (!parent)
          return json(res, 200, { code: 3, description: "task not found", result: null, properties: {} });
        const customId = String(body?.customId ?? "");
        const buttons = Array.isArray(parent.task.buttons) ? (parent.task.buttons as Json[]) : [];
        if (!buttons.some((b) => b.customId === customId)) {
          return json(res, 200, { code: 4, description: "unknown customId", result: null, properties: {} });
        }
        if (customId.startsWith("MJ::CustomZoom::") || customId.startsWith("MJ::Inpaint::")) {
          const finalPrompt =
            (parent.task.properties as Json | undefined)?.finalPrompt ??
            parent.task.promptEn ??
            parent.task.prompt;
          this.addTask(
            {
              ...fixtureTask("customzoom-modal.json"),
              id,
              action: customId.startsWith("MJ::Inpaint::") ? "INPAINT" : "ZOOM",
              properties: { finalPrompt },
            },
            { steps: [] },
            hook,
          );
          return json(res, 200, {
            code: 21,
            description: "Waiting for window confirm",
            result: id,
            properties: { finalPrompt },
          });
        }
        const action = actionOf(customId);
        const made =
          action === "UPSCALE" ? upscaleTimeline(id, parent.task) : imagineTimeline(id, { action });
        this.addTask(made.task, { steps: made.steps, advance: "perFetch" }, hook);
        return json(res, 200, { code: 1, description: "Submit success", result: id, properties: {} });
      }
      case "modal": {
        const modal = this.#tasks.get(String(body?.taskId ?? ""));
        if (modal?.task.status !== "MODAL") {
          return json(res, 200, {
            code: 4,
            description: "task is not waiting for a modal",
            result: null,
            properties: {},
          });
        }
        if (modal.task.action === "INPAINT" && !body?.maskBase64) {
          return json(res, 200, {
            code: 4,
            description: "maskBase64 is required",
            result: null,
            properties: {},
          });
        }
        const prompt = String(body?.prompt ?? "");
        const { task, steps } = imagineTimeline(id, { action: "CUSTOM_ZOOM", prompt, promptEn: prompt });
        this.addTask(task, { steps, advance: "perFetch" }, hook);
        return json(res, 200, { code: 1, description: "Submit success", result: id, properties: {} });
      }
      default:
        return json(res, 404, { error: "not found" });
    }
  }
}

/** Made-up bytes for a result file, by its extension. */
function madeUpMedia(path: string): { contentType: string; bytes: Buffer } | null {
  if (path.endsWith(".png")) return { contentType: "image/png", bytes: pngFor(path) };
  if (path.endsWith(".webp")) return { contentType: "image/webp", bytes: TINY_WEBP };
  if (path.endsWith(".mp4")) return { contentType: "video/mp4", bytes: mp4For(path) };
  return null;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

export function startFakeMj(options: FakeMjOptions = {}): Promise<FakeMj> {
  return new FakeMj(options).listen();
}
