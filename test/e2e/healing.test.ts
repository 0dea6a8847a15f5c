// Tracking that heals: a batch answer that leaves a task out, Discord refusing edits for a while,
// and a provider outage, each ending with the real final state on the message.
import { describe, expect, it } from "vitest";
import type { FakeMessage, UserOptions } from "../../src/sandbox/discord/fakeDiscord.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";

const world = useWorlds();

const submitted = readFixture<Record<string, unknown>>("imagine-submitted.json");
const success = readFixture<Record<string, unknown>>("imagine-success.json");

/** A task that moves only when the test says so: SUBMITTED -> 30% -> SUCCESS. */
function addManualImagine(w: World, id: string) {
  w.mj.addTask(
    { ...submitted, id },
    {
      advance: "manual",
      steps: [
        { status: "IN_PROGRESS", progress: "30%", startTime: 1732012351234 },
        { ...success, id },
      ],
    },
  );
}

function embedOf(message: FakeMessage | undefined) {
  return (message?.embeds[0] ?? {}) as { title?: string; description?: string };
}

async function mjstatus(w: World, id: string, user: UserOptions = {}): Promise<FakeMessage> {
  const interaction = await w.discord.sendCommand("mjstatus", { id }, user);
  const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
  await w.discord.waitFor(() => w.bot.app.context.registry.peek(id));
  return message;
}

function current(w: World, message: FakeMessage): FakeMessage {
  const found = w.discord.messages.get(message.id);
  if (!found) throw new Error(`message ${message.id} is gone`);
  return found;
}

const listCalls = (w: World) => w.mj.requestsTo("/mj/task/list-by-condition").length;

describe("tracking heals", () => {
  it("follows a task the batch route leaves out for 12 polls, through its own fetch, to its final state", async () => {
    const w = await world();
    const id = "1732012345670001";
    addManualImagine(w, id);
    const message = await mjstatus(w, id);
    w.mj.advance(id);
    await w.discord.waitFor(() => embedOf(current(w, message)).description?.includes("30%"));
    w.mj.failNext("empty-list", { route: "list", count: 12 });
    const before = listCalls(w);
    const faultFrom = Date.now();
    // Five empty answers used to stop tracking for good.
    await w.mj.waitFor(() => listCalls(w) >= before + 6);
    w.mj.finish(id);
    await w.discord.waitFor(() => embedOf(current(w, message)).title === "Imagine · Done");
    // The final state came while the batch route still answered [], through the task's own fetch.
    expect(listCalls(w) - before).toBeLessThanOrEqual(12);
    const ownFetches = w.mj.requestsTo(`/mj/task/${id}/fetch`).filter((r) => r.at >= faultFrom);
    expect(ownFetches.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(current(w, message).history)).not.toMatch(/no longer knows/);
    expect(w.bot.logs.join("\n")).not.toMatch(/no longer knows this task/);
  });

  it("keeps a task whose edits Discord refuses for 4 s (Missing Access) and shows the final state once access is back", async () => {
    const w = await world();
    const id = "1732012345670002";
    addManualImagine(w, id);
    // Its token is too old for edits: they go through the channel route, where access applies.
    const message = await mjstatus(w, id, { createdAgoMs: 14 * 60_000 });
    const channelId = message.channel_id;
    w.discord.revokeAccess(channelId);
    w.mj.finish(id);
    const refused = () =>
      w.discord.requests.filter(
        (r) => r.method === "PATCH" && r.path.endsWith(message.id) && r.status === 403,
      );
    const first = await w.discord.waitFor(() => refused()[0]);
    // Access comes back 4 s after the first refusal.
    await w.discord.waitFor(() => Date.now() - first.at >= 4000, { timeoutMs: 6000 });
    const refusals = refused().length;
    w.discord.restoreAccess(channelId);
    await w.discord.waitFor(() => embedOf(current(w, message)).title === "Imagine · Done", {
      timeoutMs: 15_000,
    });
    // Tried again with backoff (1 s, 2 s, …), not on every 250 ms poll.
    expect(refusals).toBeGreaterThanOrEqual(2);
    expect(refusals).toBeLessThanOrEqual(4);
    const logs = w.bot.logs.join("\n");
    expect(logs.match(/Discord refuses edits of the message/g)).toHaveLength(1);
    expect(logs).not.toMatch(/message is gone/);
    await w.discord.waitFor(() => w.bot.app.context.registry.peek(id) === undefined);
    expect((await w.bot.app.context.store.getTask(id))?.stopped).toBe("final");
  });
});

describe("what ends tracking", () => {
  it("stops following a message whose channel was deleted (Unknown Channel)", async () => {
    const w = await world();
    const id = "1732012345670005";
    addManualImagine(w, id);
    const message = await mjstatus(w, id);
    w.discord.deleteChannel(message.channel_id);
    w.mj.advance(id);
    await w.discord.waitFor(() => w.bot.app.context.registry.peek(id) === undefined);
    expect((await w.bot.app.context.store.getTask(id))?.stopped).toBe("no-messages");
    expect(w.bot.logs.join("\n")).toMatch(/message is gone; stopped updating it/);
  });
});

describe("provider outage", () => {
  it("a 40 s outage: after 30 s every live message says so (one edit each), and after recovery the final state comes within 2 poll intervals", async () => {
    // The bot's clock runs ahead of the real one by `ahead`: the 30 s threshold is the real one.
    let ahead = 0;
    const interval = 1000;
    const w = await world({ env: { POLL_INTERVAL_MS: String(interval) }, now: () => Date.now() + ahead });
    const [x, y] = ["1732012345670003", "1732012345670004"];
    addManualImagine(w, x);
    addManualImagine(w, y);
    const messageX = await mjstatus(w, x);
    const messageY = await mjstatus(w, y);
    const shows = (message: FakeMessage) =>
      JSON.stringify(current(w, message).embeds).includes("has not answered");

    w.mj.failNext("500", { count: Number.POSITIVE_INFINITY });
    const outageStart = Date.now();
    const failed = () => w.mj.requests.filter((r) => r.at >= outageStart).length;
    await w.mj.waitFor(() => failed() >= 2);
    ahead = 20_000;
    const seen = failed();
    await w.mj.waitFor(() => failed() >= seen + 2, { timeoutMs: 10_000 });
    expect(shows(messageX) || shows(messageY)).toBe(false);
    expect(current(w, messageX).edits + current(w, messageY).edits).toBe(0);

    ahead = 40_000;
    await w.discord.waitFor(() => shows(messageX) && shows(messageY), { timeoutMs: 10_000 });
    const since = Number(
      /has not answered since <t:(\d+):f>/.exec(JSON.stringify(current(w, messageX).embeds))?.[1],
    );
    expect(since * 1000).toBeGreaterThanOrEqual(outageStart - 1000);
    expect(since * 1000).toBeLessThanOrEqual(outageStart + 3000);
    // Still down: the notice is not sent again.
    const more = failed();
    await w.mj.waitFor(() => failed() >= more + 3, { timeoutMs: 10_000 });
    expect([current(w, messageX).edits, current(w, messageY).edits]).toEqual([1, 1]);

    // Upstream moved on while it was not answering; then it answers again.
    w.mj.finish(x);
    w.mj.advance(y);
    w.mj.clearFaults();
    const recovered = Date.now();
    await w.discord.waitFor(
      () =>
        embedOf(current(w, messageX)).title === "Imagine · Done" &&
        embedOf(current(w, messageY)).description?.includes("30%") &&
        !shows(messageX) &&
        !shows(messageY),
      { timeoutMs: 10_000 },
    );
    expect(Date.now() - recovered).toBeLessThanOrEqual(2 * interval);
    expect(w.discord.rejected).toEqual([]);
  });
});
