// The user's paths through /mjstatus, with the real bot and discord.js against the loopback fakes.
import { afterEach, describe, expect, it } from "vitest";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { type RedisServer, startRedis } from "../support/redis.js";

const world = useWorlds();
const redisServers: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(redisServers.splice(0).map((redis) => redis.stop()));
});

const TASK_ID = "1732012345678901";
const success = readFixture<Record<string, unknown>>("imagine-success.json");
const submitted = readFixture<Record<string, unknown>>("imagine-submitted.json");

/** A task that moves only when the test says so: SUBMITTED -> 30% -> 70% -> SUCCESS. */
function addManualImagine(w: World, id = TASK_ID) {
  w.mj.addTask(
    { ...submitted, id },
    {
      advance: "manual",
      steps: [
        { status: "IN_PROGRESS", progress: "30%", startTime: 1732012351234 },
        { progress: "70%", imageUrl: "https://cdn.example.com/preview-70.webp" },
        { ...success, id },
      ],
    },
  );
}

function fetchesOf(w: World, id: string): number {
  return w.mj.requests.filter(
    (r) =>
      r.path === `/mj/task/${id}/fetch` ||
      (r.path === "/mj/task/list-by-condition" && (r.body as { ids?: string[] })?.ids?.includes(id)),
  ).length;
}

function embedOf(message: { embeds: unknown[] }) {
  return message.embeds[0] as {
    title?: string;
    description?: string;
    fields?: { name: string; value: string }[];
  };
}

describe("/mjstatus", () => {
  it("shows a task live: one message, edited on each visible change and not otherwise, buttons at the end", async () => {
    const w = await world();
    addManualImagine(w);
    const interaction = await w.discord.sendCommand("mjstatus", { id: TASK_ID });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    expect(embedOf(message).title).toBe("Imagine · Submitted");
    expect(message.components).toEqual([]);

    for (const [step, expected] of [
      [1, "30%"],
      [2, "70%"],
    ] as const) {
      // Polls that bring nothing new do not edit.
      const seen = fetchesOf(w, TASK_ID);
      await w.discord.waitFor(() => fetchesOf(w, TASK_ID) >= seen + 3);
      expect(w.discord.messages.get(message.id)?.edits).toBe(step - 1);
      w.mj.advance(TASK_ID);
      await w.discord.waitFor(() =>
        embedOf(w.discord.messages.get(message.id)!).description?.includes(expected),
      );
      expect(w.discord.messages.get(message.id)?.edits).toBe(step);
    }

    w.mj.advance(TASK_ID);
    const done = await w.discord.waitFor(() => {
      const current = w.discord.messages.get(message.id)!;
      return embedOf(current).title === "Imagine · Done" ? current : undefined;
    });
    expect(done.edits).toBe(3);
    const labels = (done.components as { components: { label?: string; emoji?: { name: string } }[] }[]).map(
      (row) => row.components.map((b) => b.label ?? b.emoji?.name),
    );
    expect(labels).toEqual([
      ["U1", "U2", "U3", "U4", "🔄"],
      ["V1", "V2", "V3", "V4"],
    ]);
    // Final: no longer polled, never edited again, one message in the channel.
    const afterFinal = fetchesOf(w, TASK_ID);
    await w.discord.waitFor(() => w.bot.app.context.registry.activeCount === 0);
    expect(fetchesOf(w, TASK_ID)).toBeLessThanOrEqual(afterFinal + 1);
    expect(w.discord.channelMessages(w.discord.channelId)).toHaveLength(1);
    expect(w.discord.rejected).toEqual([]);
  });

  it("renders the seed's DESCRIBE example with its six buttons", async () => {
    const w = await world();
    const describe = readFixture<Record<string, unknown>>("describe-success-seed.json");
    w.mj.addTask(describe as { id: string });
    const interaction = await w.discord.sendCommand("mjstatus", { id: String(describe.id) });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    const buttons = (
      message.components as { components: { emoji?: { name: string }; label?: string }[] }[]
    ).flatMap((row) => row.components);
    expect(buttons.map((b) => b.emoji?.name)).toEqual(["1️⃣", "2️⃣", "3️⃣", "4️⃣", "🔄", "🎉"]);
    expect(embedOf(message).description).toContain("White haired anime boy");
    expect(w.discord.rejected).toEqual([]);
  });

  it("answers an invalid id, an unknown id, a down upstream, an HTML error page and a wrong key ephemerally", async () => {
    const w = await world();
    const ephemeralReply = async (id: string) => {
      const interaction = await w.discord.sendCommand("mjstatus", { id });
      const reply = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
      expect(reply.ephemeral).toBe(true);
      return reply.content;
    };
    const before = w.mj.requests.length;
    expect(await ephemeralReply("../../etc/passwd")).toMatch(/not a task id/);
    expect(w.mj.requests.length).toBe(before);
    expect(await ephemeralReply("1732000000000000")).toMatch(/no task `1732000000000000`/);

    w.mj.failNext("500", { route: "fetch" });
    expect(await ephemeralReply(TASK_ID)).toMatch(/not answering/);
    w.mj.failNext("502-html", { route: "fetch" });
    expect(await ephemeralReply(TASK_ID)).toMatch(/not answering|error page/);
    w.mj.failNext("html-200", { route: "fetch" });
    expect(await ephemeralReply(TASK_ID)).toMatch(/error page/);
    w.mj.failNext("unauthorized", { route: "fetch" });
    const refusal = await ephemeralReply(TASK_ID);
    expect(refusal).toMatch(/refused this bot's API key/);
    expect(refusal).not.toContain(w.mj.apiKey);
    expect(w.bot.logs.join("\n")).not.toContain(w.mj.apiKey);
    expect(w.bot.logs.join("\n")).not.toContain(w.discord.token);
    // Nothing public was left behind.
    expect([...w.discord.messages.values()].filter((m) => !m.ephemeral)).toEqual([]);
  });

  it("points to the message already showing a task in this channel instead of tracking it twice", async () => {
    const w = await world();
    addManualImagine(w);
    const first = await w.discord.sendCommand("mjstatus", { id: TASK_ID });
    const shown = await w.discord.waitForMessage((m) => m.interactionId === first.id);
    const second = await w.discord.sendCommand("mjstatus", { id: TASK_ID });
    const pointer = await w.discord.waitForMessage((m) => m.interactionId === second.id);
    expect(pointer.ephemeral).toBe(true);
    expect(pointer.content).toContain(shown.id);
  });

  it.each(["SQLite", "Redis"] as const)(
    "finishes a task after a restart in the middle, on the same message (%s store)",
    async (backend) => {
      let storeUrl: string | undefined;
      if (backend === "Redis") {
        const redis = await startRedis();
        redisServers.push(redis);
        storeUrl = `${redis.url}/0`;
      }
      const w = await world(storeUrl ? { env: { STORE_URL: storeUrl } } : {});
      addManualImagine(w);
      const interaction = await w.discord.sendCommand("mjstatus", { id: TASK_ID });
      const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
      w.mj.advance(TASK_ID);
      await w.discord.waitFor(() =>
        embedOf(w.discord.messages.get(message.id)!).description?.includes("30%"),
      );

      await w.restart();
      expect(w.bot.app.context.registry.activeIds()).toEqual([TASK_ID]);
      w.mj.advance(TASK_ID);
      w.mj.advance(TASK_ID);
      await w.discord.waitFor(() => embedOf(w.discord.messages.get(message.id)!).title === "Imagine · Done");
      expect(w.discord.channelMessages(w.discord.channelId)).toHaveLength(1);
      expect([...w.discord.messages.values()].filter((m) => !m.ephemeral)).toHaveLength(1);
    },
  );

  it("stops tracking a message that was deleted", async () => {
    const w = await world();
    const control = "1732012345678902";
    addManualImagine(w);
    addManualImagine(w, control);
    const interaction = await w.discord.sendCommand("mjstatus", { id: TASK_ID });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    const other = await w.discord.sendCommand("mjstatus", { id: control });
    await w.discord.waitForMessage((m) => m.interactionId === other.id);
    await w.discord.waitFor(() => w.bot.app.context.registry.activeCount === 2);

    w.discord.deleteMessage(message.id);
    w.mj.advance(TASK_ID);
    await w.discord.waitFor(() => w.bot.app.context.registry.peek(TASK_ID) === undefined);
    expect(w.bot.logs.join("\n")).toMatch(/message is gone/);
    // The other task keeps being polled; the deleted one is not asked for again.
    const polls = fetchesOf(w, TASK_ID);
    const controlPolls = fetchesOf(w, control);
    await w.mj.waitFor(() => fetchesOf(w, control) >= controlPolls + 3);
    expect(fetchesOf(w, TASK_ID)).toBe(polls);
    expect((await w.bot.app.context.store.getTask(TASK_ID))?.stopped).toBe("no-messages");
  });

  it.each(["bearer", "mj-api-secret"] as const)("sends the %s auth header upstream", async (authStyle) => {
    const w = await world({ mj: { authStyle } });
    addManualImagine(w);
    const interaction = await w.discord.sendCommand("mjstatus", { id: TASK_ID });
    await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    const request = w.mj.requests.find((r) => r.path === `/mj/task/${TASK_ID}/fetch`)!;
    if (authStyle === "bearer") {
      expect(request.headers.authorization).toBe(`Bearer ${w.mj.apiKey}`);
      expect(request.headers["mj-api-secret"]).toBeUndefined();
    } else {
      expect(request.headers["mj-api-secret"]).toBe(w.mj.apiKey);
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it("registers its commands at start-up when REGISTER_COMMANDS_ON_START is set", async () => {
    const w = await world({
      env: { REGISTER_COMMANDS_ON_START: "true", DISCORD_GUILD_ID: "900000000000000010" },
    });
    await w.discord.waitFor(() => w.discord.guildCommands.length > 0);
    expect(w.discord.guildCommands.find((c) => c.name === "mjstatus")?.options).toEqual([
      expect.objectContaining({ name: "id", type: 3, required: true }),
    ]);
    expect(w.discord.commands).toEqual([]);
    expect(w.discord.rejected).toEqual([]);
  });
});
