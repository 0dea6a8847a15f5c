// kill -9 between posting a task's message and recording it: the bot as a real process, the fake
// Discord holding its answer to the post so the process dies before it learns the message's id.
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeDiscord,
  type FakeMessage,
  startFakeDiscord,
} from "../../src/sandbox/discord/fakeDiscord.js";
import { type FakeMj, startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { startBotProcess } from "../support/botProcess.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";
import { readFixture } from "../support/fixtures.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TASK_ID = "1732012345678901";
/** Longer than the test: the bot is killed while it waits for this answer. */
const HELD_ANSWER_MS = 60_000;

async function fakes(): Promise<{ discord: FakeDiscord; mj: FakeMj; env: Record<string, string> }> {
  const discord = await startFakeDiscord(checkedAgainstSpec);
  const mj = await startFakeMj();
  cleanups.push(
    () => discord.close(),
    () => mj.close(),
  );
  const env = {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    MJ_BASE_URL: mj.url,
    MJ_API_KEY: mj.apiKey,
    STORE_URL: temporaryStoreUrl(),
    POLL_INTERVAL_MS: "250",
    HTTP_PORT: "0",
    HTTP_HOST: "127.0.0.1",
    LOG_LEVEL: "debug",
  };
  return { discord, mj, env };
}

async function started(discord: FakeDiscord, env: Record<string, string>) {
  const bot = startBotProcess(env, cleanups);
  await discord.waitFor(() => bot.output().includes("connected to Discord"), { timeoutMs: 20_000 });
  return bot;
}

function title(message: FakeMessage | undefined): string | undefined {
  return (message?.embeds[0] as { title?: string } | undefined)?.title;
}

function buttonId(message: FakeMessage, label: string): string {
  const found = (message.components as { components: { custom_id: string; label?: string }[] }[])
    .flatMap((row) => row.components)
    .find((b) => b.label === label);
  if (!found) throw new Error(`no button ${label}`);
  return found.custom_id;
}

describe("a crash between posting and recording", () => {
  it("kill -9 after a click's result was posted: the restart recovers that message, keeps it live, and never submits the click again", async () => {
    const { discord, mj, env } = await fakes();
    const first = await started(discord, env);
    mj.addTask(readFixture("imagine-success.json"));
    const status = await discord.sendCommand("mjstatus", { id: TASK_ID });
    const grid = await discord.waitForMessage(
      (m) => m.interactionId === status.id && m.components.length > 0,
    );

    discord.delayNext({ method: "POST", path: /^\/channels\/\d+\/messages$/ }, HELD_ANSWER_MS);
    await discord.clickButton(grid.id, buttonId(grid, "U1"));
    const isResult = (m: FakeMessage) =>
      (m.message_reference as { message_id?: string } | undefined)?.message_id === grid.id;
    const posted = await discord.waitForMessage(isResult, { timeoutMs: 15_000 });
    expect(mj.requestsTo("/mj/submit/action")).toHaveLength(1);
    await first.killHard();

    const second = await started(discord, env);
    // Found among the channel's messages, edited to the task's state and followed to its end.
    await discord.waitFor(() => title(discord.messages.get(posted.id)) === "Upscale · Done", {
      timeoutMs: 20_000,
    });
    expect(second.output()).toMatch(/"how":"channel".*recovered a message the bot posted before a restart/);
    expect(
      discord.requests.some((r) => r.method === "GET" && r.path === `/channels/${grid.channel_id}/messages`),
    ).toBe(true);
    expect([...discord.messages.values()].filter(isResult)).toHaveLength(1);

    const again = await discord.clickButton(grid.id, buttonId(grid, "U1"));
    const answer = await discord.waitForMessage((m) => m.interactionId === again.id && m.ephemeral);
    expect(answer.content).toMatch(/already done/);
    expect(answer.content).toContain(posted.id);
    expect(mj.requestsTo("/mj/submit/action")).toHaveLength(1);
    expect(discord.rejected).toEqual([]);
  }, 60_000);

  it("kill -9 after a command's reply was sent: the restart finds the reply by its interaction token and keeps it live", async () => {
    const { discord, mj, env } = await fakes();
    const first = await started(discord, env);
    discord.delayNext({ method: "POST", path: /^\/interactions\// }, HELD_ANSWER_MS);
    const imagine = await discord.sendCommand("imagine", { prompt: "a lighthouse at dusk" });
    const reply = await discord.waitForMessage((m) => m.interactionId === imagine.id && !m.ephemeral, {
      timeoutMs: 15_000,
    });
    await first.killHard();

    const second = await started(discord, env);
    await discord.waitFor(() => title(discord.messages.get(reply.id)) === "Imagine · Done", {
      timeoutMs: 20_000,
    });
    expect(second.output()).toMatch(
      /"how":"interaction".*recovered a message the bot posted before a restart/,
    );
    expect(discord.channelMessages(discord.channelId)).toHaveLength(1);
    expect(mj.requestsTo("/mj/submit/imagine")).toHaveLength(1);
  }, 60_000);

  it("kill -9 while a deferred command reply still says 'thinking…': the restart fills it through the token", async () => {
    const { discord, mj, env } = await fakes();
    const first = await started(discord, env);
    // Slow enough that the reply is deferred, and that the process dies before it is filled.
    mj.setLatency(2000);
    const imagine = await discord.sendCommand("imagine", { prompt: "a slow lighthouse" });
    const thinking = await discord.waitForMessage(
      (m) => m.interactionId === imagine.id && (m.flags & 128) !== 0,
    );
    const submit = await mj.waitForRequest((r) => r.path === "/mj/submit/imagine");
    // The new task is being fetched: its pending post is written, the reply not filled yet.
    await mj.waitForRequest((r) => r.path.endsWith("/fetch") && r.at > submit.at, { timeoutMs: 10_000 });
    await first.killHard();
    expect(discord.messages.get(thinking.id)?.flags ?? 0).toBe(128);
    mj.setLatency(0);

    const second = await started(discord, env);
    await discord.waitFor(() => title(discord.messages.get(thinking.id)) === "Imagine · Done", {
      timeoutMs: 20_000,
    });
    expect(second.output()).toMatch(
      /"how":"interaction".*recovered a message the bot posted before a restart/,
    );
    expect(discord.channelMessages(discord.channelId)).toHaveLength(1);
    expect(mj.requestsTo("/mj/submit/imagine")).toHaveLength(1);
  }, 60_000);
});
