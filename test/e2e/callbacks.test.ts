// Push updates (notifyHook), channel feeds, and starting tasks from Discord.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { newTaskId } from "../../src/sandbox/mj/fakeMj.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { imagineManually } from "../support/jobs.js";

const world = useWorlds();

/** A member who may manage channels (the fixture's usual permissions plus Manage Channels). */
const ADMIN = { permissions: String(2248473465835073n | 16n) };

/** Polling so slow it never happens during a test: only callbacks can move the message. */
const NO_POLLING = { POLL_INTERVAL_MS: "3600000" };

function embed(message: FakeMessage) {
  return message.embeds[0] as { title?: string; description?: string };
}

function current(w: World, id: string): FakeMessage {
  const message = w.discord.messages.get(id);
  if (!message) throw new Error(`message ${id} is gone`);
  return message;
}

describe("notifyHook callbacks", () => {
  it("follows every visible change from callbacks alone when polling is an hour apart", async () => {
    const w = await world({ callbacks: true, env: NO_POLLING });
    const { id, message } = await imagineManually(w, "a lighthouse at dusk");
    const submit = w.mj.requestsTo("/mj/submit/imagine")[0]!;
    expect((submit.body as { notifyHook?: string }).notifyHook).toBe(w.bot.app.context.notifyHook);
    expect(w.bot.app.context.notifyHook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/mj\/[\w-]{40,}$/);

    for (const expected of ["30%", "70%"]) {
      w.mj.advance(id);
      await w.discord.waitFor(() => embed(current(w, message.id)).description?.includes(expected));
    }
    w.mj.advance(id);
    await w.discord.waitFor(() => embed(current(w, message.id)).title === "Imagine · Done");
    expect(current(w, message.id).edits).toBe(3);
    expect(w.mj.pollsOf(id)).toBeLessThanOrEqual(1);
  });

  it("never moves a message backwards and does not edit for duplicates or old callbacks", async () => {
    const w = await world({ callbacks: true, env: NO_POLLING });
    const { id, message } = await imagineManually(w, "a lighthouse at dusk");
    const hook = w.bot.app.context.notifyHook!;
    w.mj.advance(id);
    w.mj.advance(id);
    await w.discord.waitFor(() => embed(current(w, message.id)).description?.includes("70%"));
    const [submitted, thirty, seventy] = w.mj.snapshots(id).map((s) => s.task);
    const editsBefore = current(w, message.id).edits;
    for (const old of [thirty, submitted, seventy, seventy])
      expect((await w.mj.sendCallback(hook, old)).status).toBe(204);
    w.mj.advance(id);
    await w.discord.waitFor(() => embed(current(w, message.id)).title === "Imagine · Done");
    const final = w.mj.snapshots(id).at(-1)!.task;
    for (const late of [final, seventy, thirty]) await w.mj.sendCallback(hook, late);
    // Let those late callbacks be applied (or ignored) before counting.
    await w.bot.app.context.registry.drain();
    expect(embed(current(w, message.id)).title).toBe("Imagine · Done");
    expect(current(w, message.id).edits).toBe(editsBefore + 1);
    const shown = current(w, message.id).history.map(
      (h) => (h.embeds as { description?: string }[])[0]?.description,
    );
    const percents = shown.map((d) => Number(/(\d+)%/.exec(d ?? "")?.[1] ?? 0));
    expect(percents).toEqual([0, 30, 70]);
  });

  it("refuses a wrong secret (404), an oversized body, invalid JSON and a non-task (400) and posts nothing", async () => {
    const w = await world({ callbacks: true, env: NO_POLLING });
    const hook = w.bot.app.context.notifyHook!;
    const base = hook.slice(0, hook.lastIndexOf("/") + 1);
    const task = readFixture("imagine-in-progress.json");
    expect((await w.mj.sendCallback(`${base}not-the-secret-at-all-000000000000000000`, task)).status).toBe(
      404,
    );
    expect((await w.mj.sendCallback(`${hook}x`, task)).status).toBe(404);
    expect((await w.mj.sendCallback(hook, `{"id":"1","prompt":"${"x".repeat(1_100_000)}"}`)).status).toBe(
      400,
    );
    expect((await w.mj.sendCallback(hook, "{not json")).status).toBe(400);
    expect((await w.mj.sendCallback(hook, { code: 4, description: "task_no_found " })).status).toBe(400);
    // A task nobody tracks, at the bot's own hook: accepted, ignored.
    expect((await w.mj.sendCallback(hook, task)).status).toBe(204);
    await w.bot.app.context.registry.drain();
    expect([...w.discord.messages.values()]).toEqual([]);
    expect(w.bot.logs.join("\n")).not.toContain(hook.slice(base.length));
  });

  it("answers /healthz on the same server", async () => {
    const w = await world({ callbacks: true });
    const response = await fetch(`http://127.0.0.1:${w.bot.app.httpPort}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", discord: true, store: true });
  });
});

describe("/mjfeed", () => {
  it("posts unknown tasks that arrive at the feed URL and follows them; disable revokes the URL", async () => {
    const w = await world({ callbacks: true, env: NO_POLLING });
    const enable = await w.discord.sendSubcommand("mjfeed", "enable", ADMIN);
    const answer = await w.discord.waitForMessage((m) => m.interactionId === enable.id);
    expect(answer.ephemeral).toBe(true);
    const feedUrl = /`(http:\/\/[^`]+)`/.exec(answer.content)?.[1];
    expect(feedUrl).toMatch(/\/hooks\/mj\//);
    expect(feedUrl).not.toBe(w.bot.app.context.notifyHook);

    const status = await w.discord.sendSubcommand("mjfeed", "status", ADMIN);
    expect((await w.discord.waitForMessage((m) => m.interactionId === status.id)).content).toContain(
      feedUrl!,
    );

    // A task started elsewhere (say, a web UI) with the feed URL as its notifyHook.
    const id = newTaskId();
    w.mj.addImagine(id, "manual", { notifyHook: feedUrl! });
    const posted = await w.discord.waitForMessage(
      (m) => !m.ephemeral && JSON.stringify(m.embeds).includes(id),
    );
    expect(posted.channel_id).toBe(w.discord.channelId);
    w.mj.finish(id);
    await w.discord.waitFor(() => embed(current(w, posted.id)).title === "Imagine · Done");
    expect(w.discord.channelMessages(w.discord.channelId)).toHaveLength(1);

    const disable = await w.discord.sendSubcommand("mjfeed", "disable", ADMIN);
    await w.discord.waitForMessage((m) => m.interactionId === disable.id);
    expect((await w.mj.sendCallback(feedUrl!, w.mj.task(id))).status).toBe(404);
  });

  it("is refused without Manage Channels", async () => {
    const w = await world({ callbacks: true });
    const enable = await w.discord.sendSubcommand("mjfeed", "enable", { permissions: "2048" });
    const answer = await w.discord.waitForMessage((m) => m.interactionId === enable.id);
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(/Manage Channels/);
  });
});

describe("submitting from Discord", () => {
  it("/imagine sends the prompt and tracks the new task to SUCCESS (polled without PUBLIC_URL)", async () => {
    const w = await world();
    const interaction = await w.discord.sendCommand("imagine", { prompt: "a red fox in snow --ar 16:9" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const submit = w.mj.requestsTo("/mj/submit/imagine")[0]!;
    expect(submit.body).toEqual({ prompt: "a red fox in snow --ar 16:9" });
    await w.discord.waitFor(() => embed(current(w, message.id)).title === "Imagine · Done");
  });

  it("/imagine with an image sends it as a data URL", async () => {
    const w = await world();
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const image = w.discord.addAttachment("cat.png", "image/png", png);
    const interaction = await w.discord.sendCommand(
      "imagine",
      { prompt: "like this" },
      { attachments: { image } },
    );
    await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const body = w.mj.requestsTo("/mj/submit/imagine")[0]?.body as { base64Array: string[] };
    expect(body.base64Array).toEqual([`data:image/png;base64,${png.toString("base64")}`]);
  });

  it("refuses an oversized or non-image attachment before uploading anything", async () => {
    const w = await world();
    const big = w.discord.addAttachment("huge.png", "image/png", Buffer.alloc(10), 9 * 1024 * 1024);
    const tooBig = await w.discord.sendCommand("imagine", { prompt: "x" }, { attachments: { image: big } });
    expect((await w.discord.waitForMessage((m) => m.interactionId === tooBig.id)).content).toMatch(
      /at most 8\.0 MB/,
    );
    const text = w.discord.addAttachment("notes.txt", "text/plain", Buffer.from("hello"));
    const notImage = await w.discord.sendCommand("describe", {}, { attachments: { image: text } });
    expect((await w.discord.waitForMessage((m) => m.interactionId === notImage.id)).content).toMatch(
      /not a PNG/,
    );
    expect(w.mj.requests).toEqual([]);
  });

  it("shows banned prompts (with the word) and a full queue ephemerally, posting nothing", async () => {
    const w = await world();
    w.mj.nextSubmitResult("imagine", readFixture("submit-banned.json"));
    const banned = await w.discord.sendCommand("imagine", { prompt: "nsfw test" });
    const bannedAnswer = await w.discord.waitForMessage((m) => m.interactionId === banned.id);
    expect(bannedAnswer.ephemeral).toBe(true);
    expect(bannedAnswer.content).toMatch(/banned word: `nsfw`/);
    w.mj.nextSubmitResult("imagine", readFixture("submit-queue-full.json"));
    const full = await w.discord.sendCommand("imagine", { prompt: "a cat" });
    expect((await w.discord.waitForMessage((m) => m.interactionId === full.id)).content).toMatch(
      /queue is full/,
    );
    expect([...w.discord.messages.values()].filter((m) => !m.ephemeral)).toEqual([]);
  });

  it("/describe, /blend and /shorten submit what they should and track the result", async () => {
    const w = await world();
    const png = Buffer.from("89504e470d0a1a0a", "hex");
    const image1 = w.discord.addAttachment("a.png", "image/png", png);
    const image2 = w.discord.addAttachment("b.jpg", "image/jpeg", png);
    const describe = await w.discord.sendCommand("describe", {}, { attachments: { image: image1 } });
    const described = await w.discord.waitForMessage((m) => m.interactionId === describe.id && !m.ephemeral);
    await w.discord.waitFor(() => embed(current(w, described.id)).title === "Describe · Done");
    expect((w.mj.requestsTo("/mj/submit/describe")[0]!.body as { base64: string }).base64).toMatch(
      /^data:image\/png;base64,/,
    );

    const blend = await w.discord.sendCommand(
      "blend",
      { dimensions: "SQUARE" },
      { attachments: { image1, image2 } },
    );
    await w.discord.waitForMessage((m) => m.interactionId === blend.id && !m.ephemeral);
    const blendBody = w.mj.requestsTo("/mj/submit/blend")[0]?.body as {
      base64Array: string[];
      dimensions: string;
    };
    expect(blendBody.base64Array).toHaveLength(2);
    expect(blendBody.dimensions).toBe("SQUARE");

    const shorten = await w.discord.sendCommand("shorten", { prompt: "a very long prompt about a cat" });
    await w.discord.waitForMessage((m) => m.interactionId === shorten.id && !m.ephemeral);
    expect(w.mj.requestsTo("/mj/submit/shorten")[0]?.body).toEqual({
      prompt: "a very long prompt about a cat",
    });
  });

  it("/mjseed answers with the seed", async () => {
    const w = await world();
    const id = newTaskId();
    w.mj.addImagine(id);
    w.mj.setSeed(id, "2701468283");
    const seed = await w.discord.sendCommand("mjseed", { id });
    const answer = await w.discord.waitForMessage((m) => m.interactionId === seed.id);
    expect(answer.content).toContain("2701468283");
  });
});
