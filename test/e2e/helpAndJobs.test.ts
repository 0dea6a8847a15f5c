// /mjhelp and /mjjobs answer privately: the guide with who may click here and what the member has
// left today; the member's own recent jobs, newest first, with status and a link to each message
// (on a replica that does not follow a job, "Not finished yet" until it is done).
import { ShardClientUtil } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { imagineTimeline } from "../../src/sandbox/mj/fakeMj.js";
import { taskShard } from "../../src/tracking/partition.js";
import { botEnvironment, startBot, useWorlds, type World } from "../support/bot.js";
import { button, isReplyTo } from "../support/jobs.js";
import { startShardedFakes } from "../support/shardedFakes.js";

const world = useWorlds();

const BOB = "900000000000000102";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Embed = { title?: string; description?: string; fields?: { name: string; value: string }[] };

function embedOf(message: FakeMessage | undefined): Embed {
  return (message?.embeds[0] ?? {}) as Embed;
}

function title(w: World, id: string): string | undefined {
  return embedOf(w.discord.messages.get(id)).title;
}

async function answerTo(w: World, name: string, user: { userId?: string } = {}): Promise<FakeMessage> {
  const interaction = await w.discord.sendCommand(name, {}, user);
  return w.discord.waitForMessage((m) => m.interactionId === interaction.id);
}

async function imagineDone(w: World, prompt: string): Promise<FakeMessage> {
  const interaction = await w.discord.sendCommand("imagine", { prompt });
  const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
  await w.discord.waitFor(() => title(w, message.id) === "Imagine · Done");
  return message;
}

describe("/mjhelp and /mjjobs", () => {
  it("/mjjobs lists a member's own jobs newest first with status and links, privately, also after a restart", async () => {
    const w = await world();
    const fox = await imagineDone(w, "a red fox in snow");
    const u1 = button(fox, "U1").custom_id;
    await w.discord.clickButton(fox.id, u1);
    const upscale = await w.discord.waitForMessage(isReplyTo(fox));
    await w.discord.waitFor(() => title(w, upscale.id) === "Upscale · Done");
    const whale = await imagineDone(w, "a blue whale");

    for (const _ of ["before", "after a restart"]) {
      const jobs = await answerTo(w, "mjjobs");
      expect(jobs.ephemeral).toBe(true);
      const lines = (embedOf(jobs).description ?? "").split("\n\n");
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^\*\*1\. Imagine\*\* · Done · <t:(\d+):f> \(<t:\1:R>\)\n“a blue whale”/);
      expect(lines[1]).toMatch(/^\*\*2\. Upscale\*\* · Done · /);
      expect(lines[2]).toMatch(/^\*\*3\. Imagine\*\* · Done · [^\n]*\n“a red fox in snow”/);
      for (const [index, message] of [whale, upscale, fox].entries()) {
        expect(lines[index]).toContain(
          `(https://discord.com/channels/${w.discord.guildId}/${w.discord.channelId}/${message.id})`,
        );
      }
      await w.restart();
    }

    const bobs = await answerTo(w, "mjjobs", { userId: BOB });
    expect(bobs.ephemeral).toBe(true);
    expect(embedOf(bobs).description).toBe("You have not started any jobs here yet. `/imagine` starts one.");
  });

  it("/mjjobs on a replica that does not follow a job says it is not finished instead of a step the store never saw", async () => {
    const { discord, mj, redis } = await startShardedFakes(cleanups);
    // Two replicas of one bot in this process (SHARD_IDS), sharing one Redis store.
    const bots = [];
    for (const shard of [0, 1]) {
      const bot = await startBot(
        botEnvironment(discord, mj, {
          STORE_URL: `${redis.url}/0`,
          SHARD_IDS: String(shard),
          SHARD_COUNT: "2",
          HTTP_PORT: "0",
          HTTP_HOST: "127.0.0.1",
        }),
      );
      cleanups.push(() => bot.stop());
      bots.push(bot);
    }
    await discord.waitFor(() => new Set(discord.identified).size === 2, { timeoutMs: 20_000 });
    // Every command of the guild reaches the replica that connects the guild's shard.
    const here = ShardClientUtil.shardIdForGuildId(discord.guildId, 2);
    const ownedBy = (shard: number) => {
      for (let n = 0; ; n++) {
        const id = `1732200000${String(n).padStart(6, "0")}`;
        if (taskShard(id, 2) === shard) return id;
      }
    };
    const jobs = [
      { prompt: "a harbour at dawn", id: ownedBy(here) },
      { prompt: "a forest of glass", id: ownedBy(1 - here) },
    ];
    const messages: FakeMessage[] = [];
    for (const { prompt, id } of jobs) {
      const { task, steps } = imagineTimeline(id, { prompt, promptEn: prompt });
      mj.nextSubmitResult(
        "imagine",
        { code: 1, description: "Submit success", result: id },
        { task, timeline: { steps, advance: "manual" } },
      );
      const interaction = await discord.sendCommand("imagine", { prompt });
      messages.push(await discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral));
      mj.advance(id);
    }
    const shows = (message: FakeMessage, text: string) =>
      JSON.stringify(discord.messages.get(message.id)?.embeds ?? []).includes(text);
    await discord.waitFor(() => messages.every((message) => shows(message, "30%")), { timeoutMs: 15_000 });
    expect(bots[here]?.app.context.registry.peek(jobs[0]!.id)).toBeDefined();
    expect(bots[here]?.app.context.registry.peek(jobs[1]!.id)).toBeUndefined();

    const linesOf = async () => {
      const interaction = await discord.sendCommand("mjjobs", {});
      const answer = await discord.waitForMessage((m) => m.interactionId === interaction.id);
      expect(answer.ephemeral).toBe(true);
      return (embedOf(answer).description ?? "").split("\n\n");
    };
    const running = await linesOf();
    // Newest first: the job the other replica follows, then this replica's own.
    expect(running[0]).toMatch(/^\*\*1\. Imagine\*\* · Not finished yet · <t:\d+:f>/);
    expect(running[0]).toContain("“a forest of glass”");
    expect(running[0]).toContain(`/${messages[1]!.id})`);
    expect(running[1]).toMatch(/^\*\*2\. Imagine\*\* · In progress \(30%\) · /);

    for (const { id } of jobs) mj.finish(id);
    await discord.waitFor(() => messages.every((message) => shows(message, "Imagine · Done")), {
      timeoutMs: 15_000,
    });
    await expect
      .poll(async () => (await linesOf()).map((line) => line.split(" · ")[1]), { timeout: 10_000 })
      .toEqual(["Done", "Done"]);
    expect(discord.rejected).toEqual([]);
  }, 60_000);

  it("/mjhelp guides privately: the commands, the buttons, who may click here and the member's limits today", async () => {
    const w = await world({
      env: { BUTTONS_ALLOWED: "requester", SUBMIT_DAILY_LIMIT: "5", SUBMIT_MAX_RUNNING: "3" },
    });
    await imagineDone(w, "a red fox in snow");
    await imagineDone(w, "a blue whale");

    const help = await answerTo(w, "mjhelp");
    expect(help.ephemeral).toBe(true);
    const fields = Object.fromEntries((embedOf(help).fields ?? []).map((field) => [field.name, field.value]));
    for (const command of ["/imagine", "/mjstatus", "/mjjobs", "/mjhelp", "/mjfeed"]) {
      expect(fields.Commands).toContain(`\`${command}\` — `);
    }
    expect(fields.Buttons).toMatch(/U1–U4.*upscale/);
    expect(fields.Buttons).toContain("already used is blue");
    expect(fields["Who can do what here"]).toContain(
      "Only the member who started a job can use its buttons.",
    );
    expect(fields["Who can do what here"]).toContain(
      "When a job takes longer than 30 s, you are mentioned in a reply to it once it is done.",
    );
    expect(fields["Your limits"]).toMatch(
      /^Jobs left today: \*\*3\*\* of 5 \(the count starts again <t:\d+:f>/,
    );
    expect(fields["Your limits"]).toContain(
      "Jobs you can still start before one of yours finishes: **3** of 3.",
    );

    const bobs = await answerTo(w, "mjhelp", { userId: BOB });
    expect(
      Object.fromEntries((embedOf(bobs).fields ?? []).map((f) => [f.name, f.value]))["Your limits"],
    ).toMatch(/^Jobs left today: \*\*5\*\* of 5/);
    expect(w.discord.rejected).toEqual([]);
  });
});
