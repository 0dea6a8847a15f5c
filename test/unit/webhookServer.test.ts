import { connect } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { Task } from "../../src/mj/schema.js";
import type { HookTarget } from "../../src/tracking/store.js";
import { TrackingStore } from "../../src/tracking/store.js";
import {
  botHookSecret,
  HookSecretResolver,
  hookSecretHash,
  hookUrl,
  newHookSecret,
} from "../../src/webhook/hookSecrets.js";
import { MAX_CALLBACK_BYTES, WebhookServer } from "../../src/webhook/server.js";
import { readFixture } from "../support/fixtures.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  options: {
    discordReady?: boolean;
    maxConnections?: number;
    headersTimeoutMs?: number;
    bodyTimeoutMs?: number;
  } = {},
) {
  const store = await TrackingStore.open(temporaryStoreUrl());
  const logs: string[] = [];
  const received: { target: HookTarget; task: Task }[] = [];
  const server = new WebhookServer({
    host: "127.0.0.1",
    port: 0,
    store,
    logger: createLogger({
      level: "debug",
      secrets: [],
      destination: { write: (line: string) => void logs.push(line) },
    }),
    isDiscordReady: () => options.discordReady ?? true,
    onCallback: async (target, task) => void received.push({ target, task }),
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    ...(options.headersTimeoutMs ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
    ...(options.bodyTimeoutMs ? { bodyTimeoutMs: options.bodyTimeoutMs } : {}),
  });
  const port = await server.start();
  cleanups.push(async () => {
    await server.stop();
    await store.close();
  });
  const base = `http://127.0.0.1:${port}`;
  const secret = await botHookSecret(store);
  return { base, port, url: hookUrl(base, secret), secret, received, logs, store };
}

/** A raw TCP client: what it received, and when the server closed it. */
function rawClient(port: number) {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString();
  });
  socket.on("error", () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - opened)));
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  cleanups.push(async () => void socket.destroy());
  return { socket, connected, closed, received: () => received };
}

function post(url: string, body: string | Buffer) {
  return request(url, { method: "POST", body, headers: { "content-type": "application/json" } });
}

describe("notifyHook receiver", () => {
  it("accepts a task at the right secret and hands it on after answering", async () => {
    const { url, received } = await startServer();
    const response = await post(url, JSON.stringify(readFixture("imagine-in-progress.json")));
    expect(response.statusCode).toBe(204);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]?.target.kind).toBe("bot");
    expect(received[0]?.task).toMatchObject({
      id: "1732012345678901",
      status: "IN_PROGRESS",
      progress: "45%",
    });
  });

  it("answers 404 to a wrong secret and never logs the secret tried", async () => {
    const { base, secret, received, logs } = await startServer();
    const wrong = `${secret.slice(0, -4)}AAAA`;
    const response = await post(
      `${base}/hooks/mj/${wrong}`,
      JSON.stringify(readFixture("imagine-success.json")),
    );
    expect(response.statusCode).toBe(404);
    expect(received).toEqual([]);
    expect(logs.join("")).not.toContain(wrong);
  });

  it("answers 400 to an oversized body, invalid JSON and a body that is not a task", async () => {
    const { url, received } = await startServer();
    const oversized = Buffer.alloc(MAX_CALLBACK_BYTES + 10, 0x20);
    expect((await post(url, oversized)).statusCode).toBe(400);
    expect((await post(url, "{not json")).statusCode).toBe(400);
    expect((await post(url, JSON.stringify(readFixture("fetch-unknown-aggregator.json")))).statusCode).toBe(
      400,
    );
    expect((await post(url, "[]")).statusCode).toBe(400);
    expect(received).toEqual([]);
  });

  it("reports health: ready only with Discord and the store up", async () => {
    const up = await startServer();
    const healthy = await request(`${up.base}/healthz`);
    expect(healthy.statusCode).toBe(200);
    expect(await healthy.body.json()).toEqual({ status: "ok", discord: true, store: true });

    const down = await startServer({ discordReady: false });
    const unhealthy = await request(`${down.base}/healthz`);
    expect(unhealthy.statusCode).toBe(503);
    expect(await unhealthy.body.json()).toMatchObject({ status: "unavailable", discord: false });
  });

  it("closes a connection whose headers do not come within the header timeout, not at Node's 30 s sweep", async () => {
    const { port } = await startServer({ headersTimeoutMs: 500 });
    const client = rawClient(port);
    await client.connected;
    client.socket.write("POST /hooks/mj/x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // A header byte every 100 ms: never idle, never done.
    const drip = setInterval(() => client.socket.write("X"), 100);
    const closedAfter = await client.closed.finally(() => clearInterval(drip));
    expect(closedAfter).toBeGreaterThanOrEqual(450);
    // The deadline is checked every second.
    expect(closedAfter).toBeLessThan(2500);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes a connection that sends nothing at all within the header timeout", async () => {
    const { port } = await startServer({ headersTimeoutMs: 500 });
    const client = rawClient(port);
    await client.connected;
    const closedAfter = await client.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(450);
    expect(closedAfter).toBeLessThan(2500);
  });

  it("answers 408 to a callback body that does not arrive within the body timeout", async () => {
    const { port, secret, received } = await startServer({ bodyTimeoutMs: 500, headersTimeoutMs: 5000 });
    const client = rawClient(port);
    await client.connected;
    client.socket.write(
      `POST /hooks/mj/${secret} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":`,
    );
    const closedAfter = await client.closed;
    expect(closedAfter).toBeLessThan(2500);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(client.received()).toContain("body too slow");
    expect(received).toEqual([]);
  });

  it("closes connections beyond the cap at once, and takes new ones when one goes", async () => {
    const { port, base } = await startServer({ maxConnections: 2 });
    const held = [rawClient(port), rawClient(port)];
    await Promise.all(held.map((client) => client.connected));
    // Let the server count both before the third arrives.
    await expect
      .poll(() =>
        request(`${base}/healthz`).then(
          () => "answered",
          () => "refused",
        ),
      )
      .toBe("refused");
    const third = rawClient(port);
    expect(await third.closed).toBeLessThan(1000);
    expect(third.received()).toBe("");
    held[0]?.socket.destroy();
    await expect
      .poll(() =>
        request(`${base}/healthz`).then(
          (r) => r.statusCode,
          () => 0,
        ),
      )
      .toBe(200);
  });

  it("keeps the bot's secret across restarts (the same URL keeps working)", async () => {
    const url = temporaryStoreUrl();
    const first = await TrackingStore.open(url);
    const secret = await botHookSecret(first);
    await first.close();
    const second = await TrackingStore.open(url);
    cleanups.push(() => second.close());
    expect(await botHookSecret(second)).toBe(secret);
    expect(secret.length).toBeGreaterThanOrEqual(40);
  });
});

describe("HookSecretResolver", () => {
  it("remembers the bot's own hook, and looks a feed's up each time (a removed feed stops at once)", async () => {
    const store = await TrackingStore.open(temporaryStoreUrl());
    cleanups.push(() => store.close());
    const resolver = new HookSecretResolver(store);
    const bot = await botHookSecret(store);
    const feed = newHookSecret();
    const target = {
      kind: "feed",
      secretHash: hookSecretHash(feed),
      channelId: "200000000000000001",
      guildId: null,
    } as const;
    await store.saveHook(target);

    expect((await resolver.resolve(bot))?.kind).toBe("bot");
    expect(await resolver.resolve(feed)).toEqual(target);
    expect(await resolver.resolve(newHookSecret())).toBeUndefined();

    await store.deleteHook(hookSecretHash(bot));
    await store.deleteHook(hookSecretHash(feed));
    expect((await resolver.resolve(bot))?.kind).toBe("bot");
    expect(await resolver.resolve(feed)).toBeUndefined();
  });
});
