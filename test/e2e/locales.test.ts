// The bot speaks its users' language: private answers follow the member's Discord language, public
// messages the server's preferred locale (kept per message, across a restart), BOT_LOCALE fixes
// the public one, and the registered commands carry Chinese descriptions.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { imagineTimeline, newTaskId } from "../../src/sandbox/mj/fakeMj.js";
import { movableClock, useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { button, isReplyTo } from "../support/jobs.js";

const world = useWorlds();

const CHINESE = { locale: "zh-CN" };
const ENGLISH = { locale: "en-US" };
const BOB = "900000000000000102";
/** U2 of imagine-success.json, as upstream names it. */
const UPSCALE_2 = "MJ::JOB::upsample::2::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";
/** A member who may manage channels (the fixture's usual permissions plus Manage Channels). */
const ADMIN_PERMISSIONS = String(2248473465835073n | 16n);

type Embed = {
  title?: string;
  description?: string;
  footer?: { text: string };
  fields?: { name: string; value: string }[];
};

function embedOf(message: FakeMessage | undefined): Embed {
  return (message?.embeds[0] ?? {}) as Embed;
}

function fieldNames(message: FakeMessage | undefined): string[] {
  return (embedOf(message).fields ?? []).map((field) => field.name);
}

/** The private answer to a command `user` sends (a deferral, "thinking…", is not the answer yet). */
async function privateAnswer(
  w: World,
  name: string,
  options: Record<string, string>,
  user: { locale: string; userId?: string },
): Promise<string> {
  const interaction = await w.discord.sendCommand(name, options, user);
  const answer = await w.discord.waitForMessage(
    (m) => m.interactionId === interaction.id && (m.flags & 128) === 0,
  );
  expect(answer.ephemeral).toBe(true);
  return answer.content;
}

/** /imagine whose task moves only when the test says so; the public message it got. */
async function imagine(
  w: World,
  user: { locale: string; userId?: string },
  result: Record<string, unknown> = {},
) {
  const id = newTaskId();
  const { task, steps } = imagineTimeline(id, {
    prompt: "一只在雪地里的红狐狸",
    promptEn: "a red fox in snow",
  });
  w.mj.nextSubmitResult(
    "imagine",
    { code: 1, description: "Submit success", result: id, ...result },
    { task, timeline: { steps, advance: "manual" } },
  );
  const interaction = await w.discord.sendCommand("imagine", { prompt: "一只在雪地里的红狐狸" }, user);
  const message = await w.discord.waitForMessage(
    (m) => m.interactionId === interaction.id && !m.ephemeral && (m.flags & 128) === 0,
  );
  await w.discord.waitFor(() => w.bot.app.context.registry.peek(id));
  return { id, message };
}

function titleBecomes(w: World, messageId: string, title: string): Promise<FakeMessage> {
  return w.discord.waitFor(() => {
    const current = w.discord.messages.get(messageId);
    return embedOf(current).title === title ? current : undefined;
  });
}

describe("private answers follow the member's Discord language", () => {
  it("a zh-CN member gets Chinese answers (unknown id, banned prompt, cooldown), an en-US member English ones", async () => {
    const w = await world({ env: { SUBMIT_COOLDOWN_MS: "60000" } });

    expect(await privateAnswer(w, "mjstatus", { id: "1732000000000000" }, CHINESE)).toBe(
      "MJ API 中没有任务 `1732000000000000`（或者它属于其他账号）。请检查 ID 后重试。",
    );
    expect(await privateAnswer(w, "mjstatus", { id: "1732000000000000" }, ENGLISH)).toBe(
      "The MJ API has no task `1732000000000000` (or it belongs to another account). Check the id and try again.",
    );
    // zh-TW has no catalogue of its own: Simplified Chinese reads better than English.
    expect(await privateAnswer(w, "mjstatus", { id: "not a task id!" }, { locale: "zh-TW" })).toBe(
      "这不是有效的任务 ID。任务 ID 最多 64 个字符，只能包含字母、数字、`-` 或 `_`。",
    );

    // Upstream's banned word is quoted as it came, inside the member's own sentence.
    const banned = { code: 24, description: "banned prompt", properties: { bannedWord: "暴力" } };
    w.mj.nextSubmitResult("imagine", banned);
    expect(await privateAnswer(w, "imagine", { prompt: "暴力 场面" }, CHINESE)).toBe(
      "MJ API 拒绝了这个提示词，因为其中含有违禁词：`暴力`。",
    );
    w.mj.nextSubmitResult("imagine", banned);
    expect(await privateAnswer(w, "imagine", { prompt: "暴力 场面" }, ENGLISH)).toBe(
      "The MJ API refused the prompt because it contains a banned word: `暴力`.",
    );

    // The cooldown: each member's second job within a minute, in their language.
    await imagine(w, CHINESE);
    expect(await privateAnswer(w, "imagine", { prompt: "again" }, CHINESE)).toMatch(
      /^<t:\d+:R>可以再发起新任务：每位成员两次任务之间需间隔 60 秒。$/,
    );
    await imagine(w, { ...ENGLISH, userId: BOB });
    expect(await privateAnswer(w, "imagine", { prompt: "again" }, { ...ENGLISH, userId: BOB })).toMatch(
      /^You can start another job <t:\d+:R>: members wait 60 s between jobs\.$/,
    );
    expect(w.discord.rejected).toEqual([]);
  });
});

describe("public messages follow the server's preferred locale", () => {
  it("a zh-CN server gets Chinese live messages, edits included, also after a restart", async () => {
    const w = await world({ discord: { guildLocale: "zh-CN" } });
    // The member's own client is English: the message is the server's, so it is Chinese.
    const { id, message } = await imagine(w, ENGLISH, { code: 22, properties: { numberOfQueues: 2 } });
    expect(embedOf(message).title).toBe("绘图 · 已提交");
    expect(embedOf(message).footer?.text).toBe(`任务 ${id}`);
    expect(fieldNames(message)).toEqual(["英文提示词", "备注", "提交时间", "发起人"]);
    expect(embedOf(message).fields?.[1]?.value).toBe("排队中：前面还有 2 个任务。");
    // Upstream's prompt is shown as it came.
    expect(embedOf(message).description).toContain("一只在雪地里的红狐狸");

    w.mj.advance(id);
    const running = await titleBecomes(w, message.id, "绘图 · 进行中");
    expect(embedOf(running).description).toContain("▰▰▰▱▱▱▱▱▱▱ 30%");

    await w.restart();
    w.mj.finish(id);
    const done = await titleBecomes(w, message.id, "绘图 · 已完成");
    expect(fieldNames(done)).toEqual(["英文提示词", "提交时间", "开始时间", "完成时间", "发起人"]);
    expect(embedOf(done).fields?.[3]?.value).toMatch(/^<t:\d+:f> \(<t:\d+:R>\)，用时 [\d,]+ (秒|分钟|小时)$/);
    // Private answers still follow the member: an English client hears English.
    expect(await privateAnswer(w, "mjstatus", { id: "1732000000000000" }, ENGLISH)).toMatch(
      /^The MJ API has no task/,
    );
    expect(w.discord.rejected).toEqual([]);
  });

  it("BOT_LOCALE=en overrides it for public messages; private answers still follow the member", async () => {
    const w = await world({ discord: { guildLocale: "zh-CN" }, env: { BOT_LOCALE: "en" } });
    const { id, message } = await imagine(w, CHINESE);
    expect(embedOf(message).title).toBe("Imagine · Submitted");
    expect(fieldNames(message)).toEqual(["English prompt", "Submitted", "Requested by"]);
    w.mj.finish(id);
    await titleBecomes(w, message.id, "Imagine · Done");
    expect(await privateAnswer(w, "mjstatus", { id: "1732000000000000" }, CHINESE)).toMatch(
      /^MJ API 中没有任务/,
    );
  });

  it("BOT_LOCALE=zh-CN makes an English server's public messages Chinese", async () => {
    const w = await world({ env: { BOT_LOCALE: "zh-CN" } });
    const { message } = await imagine(w, ENGLISH);
    expect(embedOf(message).title).toBe("绘图 · 已提交");
  });

  it("a feed's posts speak the server's language, which discord.js learns from GUILD_CREATE and GUILD_UPDATE", async () => {
    const w = await world({ callbacks: true, env: { POLL_INTERVAL_MS: "3600000" } });
    const enable = await w.discord.sendSubcommand("mjfeed", "enable", {
      ...CHINESE,
      permissions: ADMIN_PERMISSIONS,
    });
    const answer = await w.discord.waitForMessage((m) => m.interactionId === enable.id);
    expect(answer.content).toMatch(/^本频道现在是推送频道了。/);
    const feedUrl = /`(http:\/\/[^`]+)`/.exec(answer.content)?.[1] as string;

    const first = newTaskId();
    w.mj.addImagine(first, "manual", { notifyHook: feedUrl });
    const english = await w.discord.waitForMessage(
      (m) => !m.ephemeral && JSON.stringify(m.embeds).includes(first),
    );
    expect(embedOf(english).title).toBe("Imagine · Submitted");

    w.discord.setGuildLocale("zh-CN");
    await w.discord.waitFor(
      () => w.bot.app.client.guilds.cache.get(w.discord.guildId)?.preferredLocale === "zh-CN",
    );
    const second = newTaskId();
    w.mj.addImagine(second, "manual", { notifyHook: feedUrl });
    const chinese = await w.discord.waitForMessage(
      (m) => !m.ephemeral && JSON.stringify(m.embeds).includes(second),
    );
    expect(embedOf(chinese).title).toBe("绘图 · 已提交");
    // The first post keeps the language it was written in.
    w.mj.finish(first);
    await titleBecomes(w, english.id, "Imagine · Done");
  });
});

describe("what issue 14 added speaks both languages", () => {
  it("a zh-CN server's completion ping is Chinese, and mentions only the requester", async () => {
    const clock = movableClock();
    const w = await world({ discord: { guildLocale: "zh-CN" }, now: clock.now });
    const { id, message } = await imagine(w, { ...ENGLISH, userId: BOB });
    w.mj.advance(id);
    clock.skip(31_000);
    w.mj.finish(id);
    const ping = await w.discord.waitForMessage(isReplyTo(message));
    expect(ping.content).toBe(`<@${BOB}> 你的绘图任务已完成。`);
    expect(ping.mentions.map((user) => user.id)).toEqual([BOB]);
  });

  it("a zh-CN server's ping for a failed job says so in Chinese; an English server's in English", async () => {
    for (const [guildLocale, expected] of [
      ["zh-CN", `<@${BOB}> 你的放大任务失败了。`],
      ["en-US", `<@${BOB}> your Upscale job failed.`],
    ] as const) {
      const clock = movableClock();
      const w = await world({ discord: { guildLocale }, now: clock.now });
      const { id, message } = await imagine(w, { ...ENGLISH, userId: BOB });
      w.mj.setTask(id, { action: "UPSCALE" });
      w.mj.advance(id);
      clock.skip(31_000);
      w.mj.setTask(id, { status: "FAILURE", failReason: "任务超时", finishTime: clock.now() });
      const ping = await w.discord.waitForMessage(isReplyTo(message));
      expect(ping.content).toBe(expected);
      expect(w.discord.rejected).toEqual([]);
    }
  });

  it("a zh-CN server's stall notice is Chinese, with a timestamp each reader sees in their own language", async () => {
    const clock = movableClock();
    const w = await world({
      discord: { guildLocale: "zh-CN" },
      now: clock.now,
      env: { STALL_NOTICE_MS: "60000" },
    });
    const { id, message } = await imagine(w, ENGLISH);
    w.mj.advance(id);
    await titleBecomes(w, message.id, "绘图 · 进行中");
    clock.skip(61_000);
    const stalled = await w.discord.waitFor(() => {
      const current = w.discord.messages.get(message.id);
      return fieldNames(current).includes("备注") ? current : undefined;
    });
    const note = embedOf(stalled).fields?.find((field) => field.name === "备注")?.value;
    expect(note).toMatch(
      /^上游从 <t:(\d+):f> \(<t:\1:R>\)起就没有任何进展，MJ API 可能卡在了这个任务上。一旦有变化，这条消息会立即更新。$/,
    );
    // The next change takes it off again.
    w.mj.advance(id);
    const moving = await w.discord.waitFor(() => {
      const current = w.discord.messages.get(message.id);
      return embedOf(current).description?.includes("70%") ? current : undefined;
    });
    expect(fieldNames(moving)).not.toContain("备注");
    expect(w.discord.rejected).toEqual([]);
  });

  it("a zh-CN member who clicks a used button again is told in Chinese where its result is; an en-US member in English", async () => {
    const w = await world({ discord: { guildLocale: "zh-CN" } });
    w.mj.addTask(readFixture("imagine-success.json"));
    const shown = await w.discord.sendCommand("mjstatus", { id: "1732012345678901" }, ENGLISH);
    const grid = await w.discord.waitForMessage(
      (m) => m.interactionId === shown.id && m.components.length > 0,
    );
    const u2 = button(grid, "U2").custom_id;
    await w.discord.clickButton(grid.id, u2, ENGLISH);
    const reply = await w.discord.waitForMessage(isReplyTo(grid));
    await expect
      .poll(async () => (await w.bot.app.context.store.getClick(`${grid.id}:${UPSCALE_2}`))?.status)
      .toBe("done");

    const again = async (user: { locale: string; userId?: string }) => {
      const click = await w.discord.clickButton(grid.id, u2, user);
      return (await w.discord.waitForMessage((m) => m.interactionId === click.id && m.ephemeral)).content;
    };
    const chinese = await again({ ...CHINESE, userId: BOB });
    expect(chinese).toMatch(/^这个操作已经完成：任务 `\d+` 显示在这里 https:\/\/discord\.com\/channels\//);
    expect(chinese).toContain(reply.id);
    expect(await again(ENGLISH)).toMatch(/^This was already done: task `\d+` is shown here https:/);
    // Nothing was submitted again.
    expect(w.mj.requestsTo("/mj/submit/action")).toHaveLength(1);
    expect(w.discord.rejected).toEqual([]);
  });

  it("/mjhelp and /mjjobs answer a zh-CN member in Chinese and an en-US member in English", async () => {
    const w = await world({ env: { SUBMIT_DAILY_LIMIT: "5" } });
    const help = async (user: { locale: string }) => {
      const interaction = await w.discord.sendCommand("mjhelp", {}, user);
      return embedOf(await w.discord.waitForMessage((m) => m.interactionId === interaction.id));
    };
    const chinese = await help(CHINESE);
    expect(chinese.title).toBe("机器人使用说明");
    expect(fieldNames({ embeds: [chinese] } as FakeMessage)).toEqual([
      "命令",
      "按钮",
      "谁可以在这里做什么",
      "你的额度",
    ]);
    expect(chinese.fields?.[0]?.value).toContain("`/imagine` — 根据提示词生成图片");
    expect(chinese.fields?.[3]?.value).toMatch(
      /^今天还可发起：\*\*5\*\* \/ 5 个任务（计数将于 <t:\d+:f> \(<t:\d+:R>\)重置）。$/,
    );
    const english = await help(ENGLISH);
    expect(english.title).toBe("How to use this bot");
    expect(english.fields?.[0]?.value).toContain("`/imagine` — Create images from a prompt");

    const { id } = await imagine(w, CHINESE);
    const interaction = await w.discord.sendCommand("mjjobs", {}, CHINESE);
    const jobs = embedOf(await w.discord.waitForMessage((m) => m.interactionId === interaction.id));
    expect(jobs.title).toBe("你在这里最近的 10 个任务");
    expect(jobs.description).toMatch(/^\*\*1\. 绘图\*\* · 已提交 · <t:\d+:f>/);
    expect(jobs.description).toContain("“一只在雪地里的红狐狸”");
    expect(jobs.description).toContain("[打开它的消息](");
    expect(jobs.description).toContain(id);
  });
});

describe("buttons and forms", () => {
  it("label blank buttons in the server's language and open the form in the member's", async () => {
    const w = await world({ discord: { guildLocale: "zh-CN" } });
    w.mj.addTask({
      ...(imagineTimeline("1732012666666666").task as Record<string, unknown>),
      id: "1732012666666666",
      action: "CUSTOM_ZOOM",
      status: "MODAL",
      properties: { finalPrompt: "a shiba inu --zoom 2" },
    });
    const shown = await w.discord.sendCommand("mjstatus", { id: "1732012666666666" }, ENGLISH);
    const message = await w.discord.waitForMessage((m) => m.interactionId === shown.id && !m.ephemeral);
    expect(embedOf(message).title).toBe("自定义扩图 · 等待输入");
    const open = (message.components as { components: { custom_id: string; label?: string }[] }[])[0]!
      .components[0]!;
    expect(open.label).toBe("打开表单");

    const click = await w.discord.clickButton(message.id, open.custom_id, CHINESE);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(click.id)?.modal);
    expect(modal.title).toBe("提示词");
    const input = (modal.components as { components: { label: string }[] }[])[0]!.components[0]!;
    expect(input.label).toBe("提示词");
  });
});

describe("registered commands", () => {
  type Choice = { name: string; name_localizations?: Record<string, string> };
  type Option = {
    name: string;
    description: string;
    description_localizations?: Record<string, string>;
    options?: Option[];
    choices?: Choice[];
  };

  it("carry zh-CN descriptions on every command, option and choice, and Chinese choice names", async () => {
    const w = await world({
      env: { REGISTER_COMMANDS_ON_START: "true", DISCORD_GUILD_ID: "900000000000000010" },
    });
    const commands = (await w.discord.waitFor(() =>
      w.discord.guildCommands.length > 0 ? w.discord.guildCommands : undefined,
    )) as unknown as Option[];
    expect(commands.map((command) => command.name).sort()).toEqual(
      [
        "blend",
        "describe",
        "imagine",
        "mjfeed",
        "mjhelp",
        "mjjobs",
        "mjseed",
        "mjstatus",
        "shorten",
        "swapface",
        "video",
      ].sort(),
    );
    const missing: string[] = [];
    let described = 0;
    let choices = 0;
    const visit = (item: Option, path: string) => {
      described += 1;
      const chinese = item.description_localizations?.["zh-CN"] ?? "";
      if (!/\p{Script=Han}/u.test(chinese) || chinese === item.description)
        missing.push(`${path} description`);
      if (item.description_localizations?.["zh-TW"] !== chinese) missing.push(`${path} zh-TW`);
      for (const choice of item.choices ?? []) {
        choices += 1;
        if (!/\p{Script=Han}/u.test(choice.name_localizations?.["zh-CN"] ?? ""))
          missing.push(`${path} ${choice.name}`);
      }
      for (const option of item.options ?? []) visit(option, `${path} ${option.name}`);
    };
    for (const command of commands) visit(command, `/${command.name}`);
    expect(missing).toEqual([]);
    expect(described).toBeGreaterThan(2 * commands.length);
    expect(choices).toBe(5);
    const imagine = commands.find((command) => command.name === "imagine")!;
    expect(imagine.description_localizations?.["zh-CN"]).toBe("根据提示词生成图片");
    // Names stay as they are: /imagine is what people type.
    expect(JSON.stringify(commands)).not.toContain('name_localizations":{"zh-CN":"绘图');
    expect(w.discord.rejected).toEqual([]);
  });
});
