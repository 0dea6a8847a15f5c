// What members and feeds cannot do to each other: a feed's callbacks touch only the feed's own
// posts, buttons belong to whoever submitted the task, and a prompt form to the member it was
// opened for.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { button, buttonsOf, isReplyTo } from "../support/jobs.js";

const world = useWorlds();

const CHANNEL_A = "900000000000000020";
const CHANNEL_B = "900000000000000021";
const ALICE = "900000000000000101";
const BOB = "900000000000000102";
/** The fixture's usual permissions plus Manage Channels (for /mjfeed). */
const ADMIN = { permissions: String(2248473465835073n | 16n) };
const TASK_ID = "1732012345678901";
const REAL_U1 = "MJ::JOB::upsample::1::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";

function title(message: FakeMessage | undefined): string | undefined {
  return (message?.embeds[0] as { title?: string } | undefined)?.title;
}

function shownAs(w: World, message: FakeMessage, expected: string): Promise<FakeMessage> {
  return w.discord.waitFor(() => {
    const current = w.discord.messages.get(message.id);
    return current && title(current) === expected ? current : undefined;
  });
}

function ephemeralAnswer(w: World, interactionId: string): Promise<FakeMessage> {
  return w.discord.waitForMessage((m) => m.interactionId === interactionId && m.ephemeral);
}

function replyTo(w: World, message: FakeMessage): Promise<FakeMessage> {
  return w.discord.waitForMessage(isReplyTo(message));
}

async function mjstatus(w: World, id: string, user: { userId?: string; channelId?: string } = {}) {
  const interaction = await w.discord.sendCommand("mjstatus", { id }, user);
  return w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
}

const actionSubmits = (w: World) => w.mj.requestsTo("/mj/submit/action");

describe("feed isolation", () => {
  it("a callback to channel A's feed for a task shown by /mjstatus in B leaves B's message alone, and B still reaches the real final state", async () => {
    const w = await world({ callbacks: true, discord: { channelIds: [CHANNEL_A, CHANNEL_B] } });
    const enable = await w.discord.sendSubcommand("mjfeed", "enable", { ...ADMIN, channelId: CHANNEL_A });
    const answer = await w.discord.waitForMessage((m) => m.interactionId === enable.id);
    const feedUrl = /`(http:\/\/[^`]+)`/.exec(answer.content)?.[1] ?? "";
    expect(feedUrl).toMatch(/\/hooks\/mj\//);

    const success = readFixture<Record<string, unknown>>("imagine-success.json");
    w.mj.addTask(
      { ...readFixture<Record<string, unknown>>("imagine-submitted.json"), id: TASK_ID },
      { advance: "manual", steps: [{ ...success, id: TASK_ID }] },
    );
    const shownInB = await mjstatus(w, TASK_ID, { channelId: CHANNEL_B });
    expect(shownInB.channel_id).toBe(CHANNEL_B);

    // Someone holding A's feed URL forges the task's end: another prompt, image and buttons.
    const forged = {
      ...w.mj.task(TASK_ID),
      status: "SUCCESS",
      progress: "100%",
      prompt: "forged prompt",
      imageUrl: "https://evil.example/forged.png",
      buttons: [{ customId: "MJ::JOB::upsample::1::forged", label: "U1", type: 2, style: 2 }],
    };
    expect((await w.mj.sendCallback(feedUrl, forged)).status).toBe(204);
    const feedPost = await w.discord.waitForMessage(
      (m) => m.channel_id === CHANNEL_A && !m.ephemeral && JSON.stringify(m.embeds).includes(TASK_ID),
    );
    await w.bot.app.context.registry.drain();
    expect(w.discord.messages.get(shownInB.id)?.edits).toBe(0);
    expect(title(w.discord.messages.get(shownInB.id))).toBe("Imagine · Submitted");
    // B's record still follows the task upstream.
    const own = w.bot.app.context.registry.peek(TASK_ID);
    expect(own?.stopped).toBeNull();
    expect(own?.finishing ?? null).toBeNull();
    expect(own?.messages.map((m) => m.messageId)).toEqual([shownInB.id]);

    // The forged button is never submitted with the bot's key.
    const click = await w.discord.clickButton(feedPost.id, button(feedPost, "U1").custom_id);
    expect((await ephemeralAnswer(w, click.id)).content).toMatch(/does not belong to this task/);
    expect(actionSubmits(w)).toEqual([]);

    // More forged progress changes nothing in B either.
    await w.mj.sendCallback(feedUrl, { ...forged, status: "IN_PROGRESS", progress: "99%" });
    await w.bot.app.context.registry.drain();
    expect(w.discord.messages.get(shownInB.id)?.edits).toBe(0);

    w.mj.finish(TASK_ID);
    const done = await shownAs(w, shownInB, "Imagine · Done");
    expect(JSON.stringify(done.embeds)).toContain("a shiba inu holding an umbrella");
    expect(JSON.stringify([done, ...done.history])).not.toContain("forged");
    expect(buttonsOf(done).map((b) => b.custom_id)).toContain(`mj:${TASK_ID}:${REAL_U1}`);
    expect(w.discord.rejected).toEqual([]);
  });
});

describe("feed callback floods", () => {
  it("a burst of 50 callbacks at once for a new task posts it once in the feed", async () => {
    const w = await world({ callbacks: true, env: { POLL_INTERVAL_MS: "3600000" } });
    const enable = await w.discord.sendSubcommand("mjfeed", "enable", ADMIN);
    const answer = await w.discord.waitForMessage((m) => m.interactionId === enable.id);
    const feedUrl = /`(http:\/\/[^`]+)`/.exec(answer.content)?.[1] ?? "";
    const task = { ...readFixture<Record<string, unknown>>("imagine-in-progress.json"), id: TASK_ID };
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        w.mj.sendCallback(feedUrl, { ...task, progress: `${i + 1}%` }).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([204]));
    await w.discord.waitForMessage((m) => !m.ephemeral && JSON.stringify(m.embeds).includes(TASK_ID));
    await w.bot.app.context.registry.drain();
    expect(w.discord.channelMessages(CHANNEL_A)).toHaveLength(1);
    expect(w.discord.rejected).toEqual([]);
    expect(w.discord.rateLimited).toEqual([]);
  });
});

describe("requester", () => {
  it("with BUTTONS_ALLOWED=requester, another member who shows the task with /mjstatus cannot click U1 on either copy", async () => {
    const w = await world({ env: { BUTTONS_ALLOWED: "requester" } });
    const imagine = await w.discord.sendCommand("imagine", { prompt: "a red fox in snow" });
    const alices = await w.discord.waitForMessage((m) => m.interactionId === imagine.id && !m.ephemeral);
    const aliceCopy = await shownAs(w, alices, "Imagine · Done");
    const taskId = /Task (\d+)/.exec(JSON.stringify(aliceCopy.embeds))?.[1] ?? "";
    await w.discord.waitFor(() => w.bot.app.context.registry.peek(taskId) === undefined);

    const bobsCopy = await mjstatus(w, taskId, { userId: BOB });
    // Bob's copy still names Alice: she submitted it.
    expect(JSON.stringify(bobsCopy.embeds)).toContain(`<@${ALICE}>`);
    for (const copy of [bobsCopy, aliceCopy]) {
      const click = await w.discord.clickButton(copy.id, button(copy, "U1").custom_id, { userId: BOB });
      expect((await ephemeralAnswer(w, click.id)).content).toMatch(`Only <@${ALICE}> can use`);
    }
    expect(actionSubmits(w)).toEqual([]);

    // Alice can, on Bob's copy too.
    await w.discord.clickButton(bobsCopy.id, button(bobsCopy, "U1").custom_id);
    await replyTo(w, bobsCopy);
    expect(actionSubmits(w)).toHaveLength(1);
  });

  it("makes the /mjstatus caller the requester of a task the bot did not submit", async () => {
    const w = await world({ env: { BUTTONS_ALLOWED: "requester" } });
    w.mj.addTask(readFixture("imagine-success.json"));
    const bobsCopy = await mjstatus(w, TASK_ID, { userId: BOB });
    const refused = await w.discord.clickButton(bobsCopy.id, button(bobsCopy, "U1").custom_id);
    expect((await ephemeralAnswer(w, refused.id)).content).toMatch(`Only <@${BOB}> can use`);
    expect(actionSubmits(w)).toEqual([]);
    await w.discord.clickButton(bobsCopy.id, button(bobsCopy, "U1").custom_id, { userId: BOB });
    await replyTo(w, bobsCopy);
    expect(actionSubmits(w)).toHaveLength(1);
  });
});

describe("prompt forms", () => {
  it("refuses a forged modal submit (another user, or a task no form was opened for) and sends nothing upstream", async () => {
    const w = await world();
    w.mj.addTask(readFixture("imagine-success.json"));
    const grid = await mjstatus(w, TASK_ID);
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    const upscale = await replyTo(w, grid);
    const upscaled = await shownAs(w, upscale, "Upscale · Done");
    const zoom = await w.discord.clickButton(upscaled.id, button(upscaled, "Custom Zoom").custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(zoom.id)?.modal);
    const formId = String(modal.custom_id);

    // Bob sends Alice's form.
    const bobs = await w.discord.submitModal(
      formId,
      { prompt: "bob's prompt" },
      { userId: BOB, messageId: upscaled.id },
    );
    expect((await ephemeralAnswer(w, bobs.id)).content).toMatch(`This form was opened for <@${ALICE}>`);
    // Alice sends a form for a MODAL task the bot never opened one for.
    const otherModal = "1732012345679999";
    w.mj.addTask({ ...readFixture<Record<string, unknown>>("customzoom-modal.json"), id: otherModal });
    const forged = await w.discord.submitModal(
      `mjmodal:${otherModal}`,
      { prompt: "forged" },
      { messageId: upscaled.id },
    );
    expect((await ephemeralAnswer(w, forged.id)).content).toMatch(/not one of mine/);
    // Bob clicking the same Custom Zoom button does not get Alice's form either.
    const bobsClick = await w.discord.clickButton(upscaled.id, button(upscaled, "Custom Zoom").custom_id, {
      userId: BOB,
    });
    expect((await ephemeralAnswer(w, bobsClick.id)).content).toMatch(`<@${ALICE}> is writing the prompt`);
    expect(w.discord.interactions.get(bobsClick.id)?.modal).toBeUndefined();
    expect(w.mj.requestsTo("/mj/submit/modal")).toEqual([]);

    // Alice's own submit goes through.
    await w.discord.submitModal(formId, { prompt: "a wider view --zoom 2" }, { messageId: upscaled.id });
    await w.mj.waitForRequest((r) => r.path === "/mj/submit/modal");
    expect(w.mj.requestsTo("/mj/submit/modal").map((r) => r.body)).toEqual([
      { taskId: formId.slice("mjmodal:".length), prompt: "a wider view --zoom 2" },
    ]);
  });
});
