// The pieces behind GET /metrics: route templating, the bearer check, METRICS_TOKEN, what MjClient
// and the updater report, and one registry per app.
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, parseConfig, secretsOf } from "../../src/config.js";
import { discordRouteTemplate, rateLimitScope } from "../../src/discord/restMetrics.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";
import { MjClient } from "../../src/mj/client.js";
import type { MjRequestOutcome, SubmitOutcomeName } from "../../src/mj/requestObserver.js";
import { renderTaskMessage } from "../../src/render/renderTaskMessage.js";
import { type FakeMjOptions, startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { EditScheduler } from "../../src/tracking/editScheduler.js";
import { TaskRegistry } from "../../src/tracking/registry.js";
import { TrackingStore } from "../../src/tracking/store.js";
import { countTrackedTasks } from "../../src/tracking/trackedTaskState.js";
import { TaskUpdater } from "../../src/tracking/updater.js";
import { bearerTokenMatches } from "../../src/webhook/metricsEndpoint.js";
import { taskFixture } from "../support/fixtures.js";
import { MemoryEditor } from "../support/memoryEditor.js";
import { parsePrometheusText, samplesOf, total } from "../support/prometheus.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("discordRouteTemplate", () => {
  it.each([
    ["PATCH", "/channels/200000000000000001/messages/300000000000000001", "PATCH /channels/:id/messages/:id"],
    [
      "post",
      "/interactions/157725722694123520/itok157725722694123520a1b2c3d4e5f60718/callback",
      "POST /interactions/:id/:token/callback",
    ],
    [
      "PATCH",
      "/webhooks/900000000000000002/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnRva2Vu/messages/@original",
      "PATCH /webhooks/:id/:token/messages/@original",
    ],
    ["POST", "/webhooks/900000000000000002/lowercasewordtoken?wait=true", "POST /webhooks/:id/:token"],
    ["GET", "/applications/@me", "GET /applications/@me"],
    [
      "PUT",
      "/applications/900000000000000002/guilds/900000000000000010/commands",
      "PUT /applications/:id/guilds/:id/commands",
    ],
    ["GET", "/gateway/bot", "GET /gateway/bot"],
    [
      "PUT",
      "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me",
      "PUT /channels/:id/messages/:id/reactions/:id/@me",
    ],
  ])("%s %s -> %s", (method, path, expected) => {
    expect(discordRouteTemplate(method, path)).toBe(expected);
  });

  it("names the scope of a 429 from its headers", () => {
    const headers = (entries: Record<string, string>) => new Headers(entries);
    expect(rateLimitScope(headers({ "x-ratelimit-global": "true", "x-ratelimit-scope": "global" }))).toBe(
      "global",
    );
    expect(rateLimitScope(headers({ "x-ratelimit-scope": "shared" }))).toBe("shared");
    expect(rateLimitScope(headers({ "x-ratelimit-scope": "user" }))).toBe("user");
    expect(rateLimitScope(headers({}))).toBe("user");
    expect(rateLimitScope(headers({ "x-ratelimit-scope": "something-new" }))).toBe("user");
  });
});

describe("the metrics bearer token", () => {
  const token = "metrics-token-0123456789abcdef";

  it("accepts exactly `Bearer <token>` (scheme in any case) and nothing else", () => {
    expect(bearerTokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerTokenMatches(`bearer ${token}`, token)).toBe(true);
    for (const header of [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      token,
      `Bearer ${token}0`,
      `Bearer ${token.slice(0, -1)}`,
      `Basic ${token}`,
      `Bearer ${token} extra`,
    ]) {
      expect(bearerTokenMatches(header, token), String(header)).toBe(false);
    }
  });

  it("is read from METRICS_TOKEN as a secret: never echoed in errors, redacted from logs", () => {
    const base = {
      DISCORD_TOKEN: "discord-secret-token",
      MJ_BASE_URL: "https://mj.example.com",
      MJ_API_KEY: "k",
    };
    expect(parseConfig(base).metrics.token).toBeUndefined();
    expect(parseConfig({ ...base, METRICS_TOKEN: "  " }).metrics.token).toBeUndefined();
    const config = parseConfig({ ...base, METRICS_TOKEN: ` ${token} ` });
    expect(config.metrics.token).toBe(token);
    expect(secretsOf(config)).toContain(token);

    for (const bad of ["short-secret", "has a space in it, twenty chars"]) {
      let message = "";
      try {
        parseConfig({ ...base, METRICS_TOKEN: bad });
      } catch (error) {
        if (error instanceof ConfigError) message = error.message;
      }
      expect(message).toMatch(/METRICS_TOKEN must/);
      expect(message).not.toContain(bad);
    }
  });
});

describe("MjClient's observer", () => {
  async function observedClient(options: FakeMjOptions = {}, timeoutMs = 1500) {
    const fake = await startFakeMj(options);
    const requests: [string, MjRequestOutcome][] = [];
    const submits: [string, SubmitOutcomeName][] = [];
    const client = new MjClient({
      baseUrl: fake.url,
      apiKey: fake.apiKey,
      authStyle: fake.authStyle,
      timeoutMs,
      observer: {
        onRequest: (route, outcome) => requests.push([route, outcome]),
        onSubmit: (kind, outcome) => submits.push([kind, outcome]),
      },
    });
    cleanups.push(async () => {
      await client.close();
      await fake.close();
    });
    return { fake, client, requests, submits };
  }

  it("hears of every request by route and outcome, and of every submit by kind and result code", async () => {
    const { fake, client, requests, submits } = await observedClient();
    const id = fake.addImagine().id;
    await client.fetchTask(id);
    await expect(client.fetchTask("1111111111111111")).rejects.toThrow();
    for await (const _chunk of client.pollTasks([id])) {
      // drained
    }
    fake.failNext("502-html", { route: "list" });
    await expect(client.pollTasks([id]).next()).rejects.toThrow();
    fake.failNext("unauthorized", { route: "submit" });
    await expect(client.submitImagine({ prompt: "a cat" })).rejects.toThrow();
    fake.nextSubmitResult("imagine", { code: 22, description: "queued", result: "1732000000000001" });
    await client.submitImagine({ prompt: "a cat" });
    fake.nextSubmitResult("imagine", { code: 23, description: "queue full", result: null });
    await client.submitImagine({ prompt: "a cat" });
    await expect(client.submitAction({ taskId: "not valid!", customId: "x" })).rejects.toThrow();

    expect(requests).toEqual([
      ["/mj/task/:id/fetch", "ok"],
      ["/mj/task/:id/fetch", "not_found"],
      ["/mj/task/list-by-condition", "ok"],
      ["/mj/task/list-by-condition", "unavailable"],
      ["/mj/submit/imagine", "auth_error"],
      ["/mj/submit/imagine", "ok"],
      ["/mj/submit/imagine", "ok"],
    ]);
    // An id that cannot be sent is refused before any request: nothing to count.
    expect(submits).toEqual([
      ["imagine", "error"],
      ["imagine", "queued"],
      ["imagine", "queue_full"],
    ]);
  });

  it("tells an upstream without list-by-condition (unsupported) from one that times out", async () => {
    const { fake, client, requests } = await observedClient({ listByCondition: false }, 300);
    const id = fake.addImagine().id;
    for await (const _chunk of client.pollTasks([id])) {
      // drained
    }
    fake.failNext("timeout", { route: "fetch" });
    await expect(client.fetchTask(id)).rejects.toThrow(/timed out/);
    expect(requests).toEqual([
      ["/mj/task/list-by-condition", "unsupported"],
      ["/mj/task/:id/fetch", "ok"],
      ["/mj/task/:id/fetch", "timeout"],
    ]);
  });
});

describe("edit delay", () => {
  const TASK_ID = "1732012345678901";
  const logger = createLogger({ level: "silent", secrets: [] });

  async function setup() {
    const store = await TrackingStore.open(temporaryStoreUrl());
    cleanups.push(() => store.close());
    const registry = new TaskRegistry(store);
    const editor = new MemoryEditor();
    const edits = new EditScheduler({ editor, logger, retryDelaysMs: [] });
    const delays: number[] = [];
    const updater = new TaskUpdater({
      registry,
      edits,
      logger,
      maxAgeMs: 3_600_000,
      observeEditDelay: (seconds) => delays.push(seconds),
    });
    const task = taskFixture("imagine-in-progress.json", { id: TASK_ID, progress: "10%" });
    await updater.attach(task, {
      channelId: "200000000000000001",
      messageId: "300000000000000001",
      guildId: null,
      requesterId: null,
      fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
      createdAt: Date.now(),
    });
    const settled = async () => {
      await edits.drain(1000);
      await registry.drain();
    };
    const progress = (percent: number) =>
      updater.onTaskUpdate(taskFixture("imagine-in-progress.json", { id: TASK_ID, progress: `${percent}%` }));
    return { editor, updater, delays, settled, progress };
  }

  it("is observed once per edit Discord confirmed, for states learned upstream, not for notices", async () => {
    const { editor, updater, delays, settled, progress } = await setup();
    await progress(30);
    await settled();
    expect(editor.sent).toHaveLength(1);
    expect(delays).toHaveLength(1);

    // The outage notice is an edit, but no new upstream state.
    await updater.showOutage(Date.now() - 30_000);
    await settled();
    expect(editor.sent).toHaveLength(2);
    expect(delays).toHaveLength(1);

    // An edit Discord refused is not a delivered one.
    editor.refusing = 1;
    await progress(50);
    await settled();
    expect(delays).toHaveLength(1);

    await progress(70);
    await settled();
    expect(delays).toHaveLength(2);
    for (const seconds of delays) {
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(seconds).toBeLessThan(5);
    }
  });

  it("counts states merged into one waiting edit once, from the first of them", async () => {
    const { editor, delays, settled, progress } = await setup();
    editor.hold();
    await progress(20);
    await progress(30);
    await progress(40);
    editor.release();
    await settled();
    expect(editor.sent.map((sent) => /\d+%/.exec(sent.description)?.[0])).toEqual(["20%", "40%"]);
    expect(delays).toHaveLength(2);
  });
});

describe("createMetrics", () => {
  it("gives each app a registry of its own, with the tracked tasks read on each scrape", async () => {
    let records = [
      { status: "SUBMITTED" },
      { status: "IN_PROGRESS" },
      { status: "IN_PROGRESS" },
      { status: "MODAL" },
      { status: "SUCCESS", finishing: "final" },
    ];
    const first = createMetrics({
      trackedTasks: () => countTrackedTasks(records as Parameters<typeof countTrackedTasks>[0]),
    });
    const second = createMetrics({ trackedTasks: () => countTrackedTasks([]) });
    first.submits.inc({ kind: "imagine", outcome: "accepted" });

    const a = parsePrometheusText(await first.registry.metrics());
    const b = parsePrometheusText(await second.registry.metrics());
    expect(total(a, "mjrelay_submits_total")).toBe(1);
    expect(total(b, "mjrelay_submits_total")).toBe(0);
    const byState = (samples: typeof a) =>
      Object.fromEntries(
        samples.filter((s) => s.name === "mjrelay_tracked_tasks").map((s) => [s.labels.state, s.value]),
      );
    expect(byState(a)).toEqual({ queued: 1, modal: 1, in_progress: 2, finishing: 1 });
    expect(byState(b)).toEqual({ queued: 0, modal: 0, in_progress: 0, finishing: 0 });
    records = [];
    expect(byState(parsePrometheusText(await first.registry.metrics()))).toEqual(byState(b));
    // CPU counted from when the registry was made: present, though maybe still 0 this early.
    expect(samplesOf(a, "process_cpu_user_seconds_total")).toHaveLength(1);
  });
});
