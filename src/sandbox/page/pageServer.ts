// The sandbox page's HTTP server on 127.0.0.1: the page and its files, the sample images, a
// server-sent event stream of what changes in the simulated Discord, and the visitor's actions.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { FakeDiscord } from "../discord/fakeDiscord.js";
import { type Asset, loadAssets } from "./assets.js";
import { type PageModel, PageRequestError } from "./pageModel.js";
import type { ClickRequest, CommandRequest, ModalRequest } from "./pageTypes.js";
import type { SampleImage } from "./samples.js";

const MAX_BODY_BYTES = 64 * 1024;
// Changes come in bursts (an edit, its callback, the next poll): one update per burst.
const COALESCE_MS = 30;
const KEEPALIVE_MS = 15_000;

export class PageServer {
  readonly #model: PageModel;
  readonly #assets: Map<string, Asset>;
  readonly #samples: readonly SampleImage[];
  readonly #streams = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  readonly #stopWatching: () => void;
  #pending: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  port = 0;

  constructor(options: { discord: FakeDiscord; model: PageModel; samples: readonly SampleImage[] }) {
    this.#model = options.model;
    this.#samples = options.samples;
    this.#assets = loadAssets();
    this.#stopWatching = options.discord.onChange(() => {
      this.#pending ??= setTimeout(() => {
        this.#pending = undefined;
        this.#broadcast();
      }, COALESCE_MS);
    });
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.#server.address() as AddressInfo).port;
    this.#keepalive = setInterval(() => {
      for (const stream of this.#streams) stream.write(": keep-alive\n\n");
    }, KEEPALIVE_MS);
    return `http://127.0.0.1:${this.port}/`;
  }

  async close(): Promise<void> {
    this.#stopWatching();
    clearTimeout(this.#pending);
    clearInterval(this.#keepalive);
    for (const stream of this.#streams) stream.end();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  #broadcast(): void {
    const update = this.#model.changes();
    if (!update) return;
    const frame = `event: update\ndata: ${JSON.stringify(update)}\n\n`;
    for (const stream of this.#streams) stream.write(frame);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    try {
      if (req.method === "GET") return this.#get(path, res);
      if (req.method === "POST" && path.startsWith("/api/")) return await this.#post(path, req, res);
      send(res, 405, { error: "method not allowed" });
    } catch (error) {
      if (error instanceof PageRequestError) return send(res, 400, { error: error.message });
      send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  #get(path: string, res: ServerResponse): void {
    if (path === "/events") return this.#openStream(res);
    if (path === "/api/state") return send(res, 200, this.#model.snapshot());
    const sample = path.startsWith("/samples/")
      ? this.#samples.find((candidate) => `/samples/${candidate.name}` === path)
      : undefined;
    if (sample) {
      res.writeHead(200, { "content-type": "image/png", "cache-control": "max-age=3600" });
      return void res.end(sample.bytes);
    }
    const asset = this.#assets.get(path);
    if (!asset) return send(res, 404, { error: "not found" });
    res.writeHead(200, { "content-type": asset.contentType, "cache-control": "no-cache" });
    res.end(asset.body);
  }

  #openStream(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    // Bring the shared "already sent" record up to date first, so the snapshot and later updates agree.
    this.#broadcast();
    res.write(`event: snapshot\ndata: ${JSON.stringify(this.#model.snapshot())}\n\n`);
    this.#streams.add(res);
    res.on("close", () => this.#streams.delete(res));
  }

  async #post(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    switch (path) {
      case "/api/command": {
        const request: CommandRequest = {
          userId: text(body.userId),
          channelId: text(body.channelId),
          name: text(body.name),
          subcommand: text(body.subcommand),
          options: texts(body.options),
        };
        const record = await this.#model.command(request);
        return send(res, 200, { interactionId: record.id });
      }
      case "/api/click": {
        const request: ClickRequest = {
          userId: text(body.userId),
          messageId: text(body.messageId),
          customId: text(body.customId),
        };
        const record = await this.#model.click(request);
        return send(res, 200, { interactionId: record.id });
      }
      case "/api/modal": {
        const request: ModalRequest = {
          userId: text(body.userId),
          interactionId: text(body.interactionId),
          fields: texts(body.fields),
        };
        const record = await this.#model.submitModal(request);
        return send(res, 200, { interactionId: record.id });
      }
      case "/api/locale": {
        this.#model.setLocale(text(body.locale));
        this.#broadcast();
        return send(res, 200, {});
      }
      case "/api/modal/dismiss": {
        this.#model.dismissModal({ userId: text(body.userId), interactionId: text(body.interactionId) });
        this.#broadcast();
        return send(res, 200, {});
      }
      default:
        send(res, 404, { error: "not found" });
    }
  }
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function texts(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) if (typeof item === "string") out[key] = item;
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new PageRequestError("The request is too large.");
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Answered below like any other body that is not an object.
  }
  throw new PageRequestError("The request is not a JSON object.");
}
