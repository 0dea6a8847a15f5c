// GET /metrics on the bot's HTTP server: what a tracked task leaves in it, and its bearer token.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { newTaskId } from "../../src/sandbox/mj/fakeMj.js";
import { useWorlds, type World } from "../support/bot.js";
import { imagineManually } from "../support/jobs.js";
import { parsePrometheusText, type Sample, samplesOf, total } from "../support/prometheus.js";

const world = useWorlds();

const PROMPT = "a lighthouse made of glass at dusk";
const NO_POLLING = { POLL_INTERVAL_MS: "3600000" };
const METRICS_TOKEN = "metrics-token-6f1d2c3b4a5e6f708192a3b4";
/** /mjstatus replies are edited through their interaction token (its route templated). */
const TOKEN_EDIT = "PATCH /webhooks/:id/:token/messages/@original";

function title(message: FakeMessage | undefined): string | undefined {
  return (message?.embeds[0] as { title?: string } | undefined)?.title;
}

function description(message: FakeMessage | undefined): string {
  return (message?.embeds[0] as { description?: string } | undefined)?.description ?? "";
}

async function scrape(w: World, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${w.bot.app.httpPort}/metrics`, { headers });
  return { response, text: await response.text() };
}

async function samples(w: World, headers: Record<string, string> = {}): Promise<Sample[]> {
  const { response, text } = await scrape(w, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(text);
}

/** Advances the task one step at a time and waits for each step to be shown, then for tracking to end. */
async function followToDone(w: World, id: string, message: FakeMessage): Promise<void> {
  for (const expected of ["30%", "70%"]) {
    w.mj.advance(id);
    await w.discord.waitFor(() => description(w.discord.messages.get(message.id)).includes(expected));
  }
  w.mj.advance(id);
  await w.discord.waitFor(() => title(w.discord.messages.get(message.id)) === "Imagine · Done");
  await w.discord.waitFor(() => w.bot.app.context.registry.activeCount === 0);
}

/** No label value may name a task, a user, a message, a channel or a guild, or carry a secret or the prompt. */
function expectNoIdentifyingLabel(all: Sample[], forbidden: string[]): void {
  const values = all.flatMap((sample) => Object.values(sample.labels));
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    expect(value).not.toMatch(/\d{15,}/);
    for (const secret of forbidden) expect(value).not.toContain(secret);
  }
}

describe("GET /metrics", () => {
  it("after a tracked task finishes shows it in every mjrelay metric, with templated routes and no id, token, key or prompt in a label", async () => {
    const w = await world();
    const { id, message, interaction } = await imagineManually(w, PROMPT);
    const queued = await samples(w);
    expect(samplesOf(queued, "mjrelay_tracked_tasks", { state: "queued" })[0]?.value).toBe(1);

    w.mj.advance(id);
    await w.discord.waitFor(() => description(w.discord.messages.get(message.id)).includes("30%"));
    const running = await samples(w);
    expect(samplesOf(running, "mjrelay_tracked_tasks", { state: "in_progress" })[0]?.value).toBe(1);
    expect(total(running, "mjrelay_tracked_tasks")).toBe(1);

    // Discord says "slow down" once: the edit is sent again and the 429 counted by scope.
    w.discord.failNext(
      { method: "PATCH", path: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/ },
      {
        status: 429,
        body: { message: "You are being rate limited.", retry_after: 0.01, global: false },
        headers: { "retry-after": "0", "x-ratelimit-scope": "user" },
      },
    );
    w.mj.advance(id);
    await w.discord.waitFor(() => description(w.discord.messages.get(message.id)).includes("70%"));
    w.mj.advance(id);
    await w.discord.waitFor(() => title(w.discord.messages.get(message.id)) === "Imagine · Done");
    await w.discord.waitFor(() => w.bot.app.context.registry.activeCount === 0);

    const all = await samples(w);
    expect(
      Object.fromEntries(
        samplesOf(all, "mjrelay_tracked_tasks").map((sample) => [sample.labels.state, sample.value]),
      ),
    ).toEqual({ queued: 0, modal: 0, in_progress: 0, finishing: 0 });

    expect(total(all, "mjrelay_submits_total", { kind: "imagine", outcome: "accepted" })).toBe(1);
    expect(total(all, "mjrelay_submits_total")).toBe(1);
    const upstream = (route: string) =>
      total(all, "mjrelay_upstream_requests_total", { route, outcome: "ok" });
    expect(upstream("/mj/submit/imagine")).toBe(1);
    expect(upstream("/mj/task/:id/fetch")).toBeGreaterThanOrEqual(1);
    expect(upstream("/mj/task/list-by-condition")).toBeGreaterThanOrEqual(3);
    expect(upstream("/mj/task/list-by-condition")).toBe(w.mj.requestsTo("/mj/task/list-by-condition").length);

    const discord = (route: string, status: string) =>
      total(all, "mjrelay_discord_requests_total", { route, status });
    expect(discord("POST /interactions/:id/:token/callback", "200")).toBe(1);
    expect(discord(TOKEN_EDIT, "200")).toBe(3);
    expect(discord(TOKEN_EDIT, "429")).toBe(1);
    expect(discord("GET /gateway/bot", "200")).toBe(1);
    expect(total(all, "mjrelay_discord_requests_total")).toBe(w.discord.requests.length);
    expect(samplesOf(all, "mjrelay_rate_limited_total")).toEqual([
      { name: "mjrelay_rate_limited_total", labels: { scope: "user" }, value: 1 },
    ]);

    // One observation per confirmed edit (30%, 70%, done), each well under the test's own timeouts.
    const delays = total(all, "mjrelay_edit_delay_seconds_count");
    const delaySum = total(all, "mjrelay_edit_delay_seconds_sum");
    expect(delays).toBe(3);
    expect(delaySum).toBeGreaterThan(0);
    expect(delaySum / delays).toBeLessThan(5);
    expect(total(all, "mjrelay_edit_delay_seconds_bucket", { le: "+Inf" })).toBe(3);

    expect(samplesOf(all, "process_cpu_user_seconds_total")).toHaveLength(1);
    expect(samplesOf(all, "nodejs_heap_size_used_bytes")).toHaveLength(1);
    expect(samplesOf(all, "nodejs_eventloop_lag_seconds")).toHaveLength(1);

    expectNoIdentifyingLabel(all, [
      id,
      PROMPT,
      interaction.token,
      interaction.userId,
      w.discord.token,
      w.mj.apiKey,
    ]);
  });

  it("counts callbacks by outcome, and edits made from them, in a callbacks world", async () => {
    const w = await world({ callbacks: true, env: NO_POLLING });
    const { id, message } = await imagineManually(w, PROMPT);
    await followToDone(w, id, message);
    const hook = w.bot.app.context.notifyHook!;
    const secret = hook.slice(hook.lastIndexOf("/") + 1);
    expect((await w.mj.sendCallback(`${hook.slice(0, -secret.length)}${"x".repeat(43)}`, {})).status).toBe(
      404,
    );
    expect((await w.mj.sendCallback(hook, "{not json")).status).toBe(400);
    expect((await w.mj.sendCallback(hook, { code: 4, description: "task_no_found " })).status).toBe(400);

    // Every state upstream entered (submitted, 30 %, 70 %, done) was called back, and answered.
    await w.mj.waitFor(() => w.mj.callbacks.length === 4);
    expect(w.mj.snapshots(id)).toHaveLength(4);

    const all = await samples(w);
    const callbacks = (outcome: string) => total(all, "mjrelay_callbacks_total", { outcome });
    expect(callbacks("accepted")).toBe(4);
    expect(callbacks("unknown_secret")).toBe(1);
    expect(callbacks("not_json")).toBe(1);
    expect(callbacks("not_task")).toBe(1);
    expect(total(all, "mjrelay_edit_delay_seconds_count")).toBe(3);
    expect(total(all, "mjrelay_upstream_requests_total", { route: "/mj/task/list-by-condition" })).toBe(0);
    expectNoIdentifyingLabel(all, [id, PROMPT, secret, w.discord.token, w.mj.apiKey]);
  });

  it("counts upstream failures and failed submits by outcome", async () => {
    const w = await world();
    w.mj.failNext("500", { route: "fetch" });
    const status = await w.discord.sendCommand("mjstatus", { id: newTaskId() });
    await w.discord.waitForMessage((m) => m.interactionId === status.id && m.ephemeral);
    w.mj.failNext("unauthorized", { route: "submit" });
    const refused = await w.discord.sendCommand("imagine", { prompt: PROMPT });
    await w.discord.waitForMessage((m) => m.interactionId === refused.id && m.ephemeral);
    w.mj.nextSubmitResult("imagine", {
      code: 24,
      description: "banned",
      properties: { bannedWord: "glass" },
    });
    const banned = await w.discord.sendCommand("imagine", { prompt: PROMPT });
    await w.discord.waitForMessage((m) => m.interactionId === banned.id && m.ephemeral);

    const all = await samples(w);
    const upstream = (route: string, outcome: string) =>
      total(all, "mjrelay_upstream_requests_total", { route, outcome });
    expect(upstream("/mj/task/:id/fetch", "unavailable")).toBe(1);
    expect(upstream("/mj/submit/imagine", "auth_error")).toBe(1);
    expect(upstream("/mj/submit/imagine", "ok")).toBe(1);
    expect(total(all, "mjrelay_submits_total", { kind: "imagine", outcome: "error" })).toBe(1);
    expect(total(all, "mjrelay_submits_total", { kind: "imagine", outcome: "banned_prompt" })).toBe(1);
  });

  it("with METRICS_TOKEN set, answers 401 without the bearer token or with a wrong one, 200 with it", async () => {
    const w = await world({ env: { METRICS_TOKEN } });
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: "Bearer not-the-metrics-token-at-all" },
      { authorization: `Bearer ${METRICS_TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`user:${METRICS_TOKEN}`).toString("base64")}` },
      { authorization: METRICS_TOKEN },
    ]) {
      const { response, text } = await scrape(w, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(text).not.toContain(METRICS_TOKEN);
      expect(text).not.toContain("mjrelay_");
    }
    const all = await samples(w, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(samplesOf(all, "mjrelay_tracked_tasks")).toHaveLength(4);
    const { text } = await scrape(w, { authorization: `bearer ${METRICS_TOKEN}` });
    expect(text).toContain("mjrelay_tracked_tasks");
    expect(text).not.toContain(METRICS_TOKEN);
    expect(w.bot.logs.join("\n")).not.toContain(METRICS_TOKEN);
    // The health check stays open: orchestrators call it without credentials.
    expect((await fetch(`http://127.0.0.1:${w.bot.app.httpPort}/healthz`)).status).toBe(200);
  });
});
