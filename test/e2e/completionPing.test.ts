// The completion ping (COMPLETION_PING_AFTER_MS): a job that ran a while gets one reply that
// mentions its requester, and may mention nobody else; never with `off`, never for a feed's task,
// and still once when the bot restarts between sending it and recording it.
import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../src/sandbox/discord/fakeDiscord.js";
import { newTaskId } from "../../src/sandbox/mj/fakeMj.js";
import type { TrackedTask } from "../../src/tracking/store.js";
import { type LogLine, logLines, movableClock, useWorlds, type World } from "../support/bot.js";
import { imagineManually, repliesTo } from "../support/jobs.js";

const world = useWorlds();

const ALICE = "900000000000000101";
const ADMIN = { permissions: String(2248473465835073n | 16n) };
const NO_POLLING = { POLL_INTERVAL_MS: "3600000" };
/** Longer than the test: the bot restarts while it waits for this answer. */
const HELD_ANSWER_MS = 60_000;
const PROMPT = "a lighthouse at dusk";

function title(w: World, id: string): string | undefined {
  return (w.discord.messages.get(id)?.embeds[0] as { title?: string } | undefined)?.title;
}

const channelPosts = (w: World): RecordedRequest[] =>
  w.discord.requests.filter((r) => r.method === "POST" && /^\/channels\/\d+\/messages$/.test(r.path));

/** A job that started running, then ran `ms` (by the bot's clock): past COMPLETION_PING_AFTER_MS by default. */
async function overdueJob(w: World, clock: { skip: (ms: number) => void }, ms = 31_000) {
  const job = await imagineManually(w, PROMPT);
  w.mj.advance(job.id);
  clock.skip(ms);
  return job;
}

/** Waits until the bot stopped following the task (its record is stopped in the store). */
async function stoppedFollowing(w: World, key: string): Promise<TrackedTask> {
  const stored = () => w.bot.app.context.store.getTask(key);
  await expect.poll(async () => (await stored())?.stopped ?? null, { timeout: 10_000 }).not.toBeNull();
  return (await stored()) as TrackedTask;
}

/** The bot's log line that says `msg`, parsed. */
function logLine(w: World, msg: string): LogLine | undefined {
  return logLines(w.bot).find((line) => line.msg === msg);
}

describe("the completion ping", () => {
  it("pings the requester once, in a reply that allows only their mention, when a job finishes after COMPLETION_PING_AFTER_MS; a quick one gets none", async () => {
    const clock = movableClock();
    const w = await world({ now: clock.now });

    const quick = await imagineManually(w, PROMPT);
    w.mj.finish(quick.id);
    await w.discord.waitFor(() => title(w, quick.message.id) === "Imagine · Done");
    expect((await stoppedFollowing(w, quick.id)).completionPing ?? null).toBeNull();

    const slow = await overdueJob(w, clock);
    w.mj.finish(slow.id);
    const ping = await w.discord.waitForMessage((m) => repliesTo(w, slow.message).includes(m));
    expect(ping.content).toBe(`<@${ALICE}> your Imagine job is done.`);
    expect(ping.content).not.toContain(PROMPT);
    expect(ping.mentions.map((user) => user.id)).toEqual([ALICE]);
    expect(ping.mention_everyone).toBe(false);
    expect(ping.mention_roles).toEqual([]);
    expect(ping.embeds).toEqual([]);
    expect(ping.components).toEqual([]);
    const [sent] = channelPosts(w);
    expect(sent?.body).toMatchObject({
      allowed_mentions: { users: [ALICE], replied_user: false },
      message_reference: { message_id: slow.message.id },
    });
    expect((sent?.body as { allowed_mentions?: object } | undefined)?.allowed_mentions).not.toHaveProperty(
      "parse",
    );
    // The ping goes once the message shows the result.
    expect(title(w, slow.message.id)).toBe("Imagine · Done");

    const record = await stoppedFollowing(w, slow.id);
    expect(record.completionPing).toMatchObject({ state: "sent", pingMessageId: ping.id });
    // Showing the finished task again (/mjstatus) never pings again.
    const again = await w.discord.sendCommand("mjstatus", { id: slow.id });
    await w.discord.waitForMessage((m) => m.interactionId === again.id && m.components.length > 0);
    await w.bot.app.context.registry.drain();
    expect(channelPosts(w)).toHaveLength(1);
    expect(repliesTo(w, quick.message)).toEqual([]);
    expect(w.discord.rejected).toEqual([]);
  });

  it("sends none with COMPLETION_PING_AFTER_MS=off", async () => {
    const clock = movableClock();
    const w = await world({ now: clock.now, env: { COMPLETION_PING_AFTER_MS: "off" } });
    const { id, message } = await overdueJob(w, clock, 10 * 60_000);
    w.mj.finish(id);
    await w.discord.waitFor(() => title(w, message.id) === "Imagine · Done");
    expect((await stoppedFollowing(w, id)).completionPing ?? null).toBeNull();
    expect(channelPosts(w)).toEqual([]);
  });

  it("never pings for a feed's task: it has no requester", async () => {
    const clock = movableClock();
    const w = await world({ now: clock.now, callbacks: true, env: NO_POLLING });
    const enable = await w.discord.sendSubcommand("mjfeed", "enable", ADMIN);
    const answer = await w.discord.waitForMessage((m) => m.interactionId === enable.id);
    const feedUrl = /`(http:\/\/[^`]+)`/.exec(answer.content)?.[1] as string;

    const id = newTaskId();
    w.mj.addImagine(id, "manual", { notifyHook: feedUrl });
    const posted = await w.discord.waitForMessage(
      (m) => !m.ephemeral && JSON.stringify(m.embeds).includes(id),
    );
    w.mj.advance(id);
    clock.skip(10 * 60_000);
    w.mj.finish(id);
    await w.discord.waitFor(() => title(w, posted.id) === "Imagine · Done");
    const key = `feed:${w.discord.channelId}:${id}`;
    expect((await stoppedFollowing(w, key)).completionPing ?? null).toBeNull();
    expect(repliesTo(w, posted)).toEqual([]);
    // The only channel post is the feed's own message of the task.
    expect(channelPosts(w)).toHaveLength(1);
  });

  it("restarting after the ping reached Discord but before the bot recorded it still leaves exactly one", async () => {
    const clock = movableClock();
    const w = await world({ now: clock.now });
    const { id, message } = await overdueJob(w, clock);
    // Discord creates the ping at once but answers only after the bot has gone.
    w.discord.delayNext({ method: "POST", path: /^\/channels\/\d+\/messages$/ }, HELD_ANSWER_MS);
    w.mj.finish(id);
    const ping = await w.discord.waitForMessage((m) => repliesTo(w, message).includes(m));
    await expect
      .poll(async () => (await w.bot.app.context.store.getTask(id))?.completionPing)
      .toMatchObject({ state: "due", attempted: true });

    await w.restart();
    const record = await stoppedFollowing(w, id);
    expect(record.completionPing).toMatchObject({ state: "sent", pingMessageId: ping.id });
    expect(repliesTo(w, message)).toEqual([ping]);
    // Found among the channel's messages, not sent again.
    expect(channelPosts(w)).toHaveLength(1);
    expect(logLine(w, "pinged the requester")).toMatchObject({
      taskId: id,
      guildId: w.discord.guildId,
      channelId: w.discord.channelId,
      pingMessageId: ping.id,
    });
    expect(w.discord.rejected).toEqual([]);
  });

  it("gives a ping up when Discord refuses it (no permission to send here), and stops following the task", async () => {
    const clock = movableClock();
    const w = await world({ now: clock.now });
    const { id, message } = await overdueJob(w, clock);
    w.discord.failNext(
      { method: "POST", path: /^\/channels\/\d+\/messages$/ },
      { status: 403, body: { code: 50013, message: "Missing Permissions" } },
    );
    w.mj.finish(id);
    const record = await stoppedFollowing(w, id);
    expect(record.completionPing).toMatchObject({ state: "dropped" });
    expect(title(w, message.id)).toBe("Imagine · Done");
    expect(channelPosts(w)).toHaveLength(1);
    expect(repliesTo(w, message)).toEqual([]);
    expect(logLine(w, "Discord refused the completion ping")).toMatchObject({
      taskId: id,
      guildId: w.discord.guildId,
      channelId: w.discord.channelId,
    });
  });
});
