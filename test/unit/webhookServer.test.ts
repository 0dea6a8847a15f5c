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

async function startServer(options: { discordReady?: boolean } = {}) {
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
  });
  const port = await server.start();
  cleanups.push(async () => {
    await server.stop();
    await store.close();
  });
  const base = `http://127.0.0.1:${port}`;
  const secret = await botHookSecret(store);
  return { base, url: hookUrl(base, secret), secret, received, logs, store };
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
