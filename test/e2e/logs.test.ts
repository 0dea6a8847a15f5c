// What the bot's log says about tasks: their id, guild and channel on every line, and one info line
// per submit that says who, what and how it went, never the prompt.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { type LogLine, logLines, useWorlds } from "../support/bot.js";
import { imagineManually, isReplyTo } from "../support/jobs.js";

const world = useWorlds();

const PROMPT = "an orchard of copper trees under two moons";
const INFO = 30;

function description(message: FakeMessage | undefined): string {
  return (message?.embeds[0] as { description?: string } | undefined)?.description ?? "";
}

function buttonId(message: FakeMessage, label: string): string {
  const buttons = (message.components as { components: { custom_id: string; label?: string }[] }[]).flatMap(
    (row) => row.components,
  );
  const found = buttons.find((button) => button.label === label);
  if (!found) throw new Error(`no ${label} button`);
  return found.custom_id;
}

describe("logs", () => {
  it("write one info line per submit: who, what kind, the outcome and the task, never the prompt", async () => {
    const w = await world();
    const { id, message } = await imagineManually(w, PROMPT);
    w.mj.finish(id);
    const done = await w.discord.waitFor(() => {
      const current = w.discord.messages.get(message.id);
      return current && current.components.length > 0 ? current : undefined;
    });
    await w.discord.clickButton(done.id, buttonId(done, "U1"));
    await w.discord.waitForMessage(isReplyTo(done));
    w.mj.nextSubmitResult("imagine", {
      code: 24,
      description: "banned",
      properties: { bannedWord: "moons" },
    });
    const banned = await w.discord.sendCommand("imagine", { prompt: PROMPT });
    await w.discord.waitForMessage((m) => m.interactionId === banned.id && m.ephemeral);

    const where = {
      userId: "900000000000000101",
      guildId: w.discord.guildId,
      channelId: w.discord.channelId,
    };
    const submits = logLines(w.bot).filter((line) => line.msg === "submitted to the MJ API");
    expect(submits).toEqual([
      expect.objectContaining({ level: INFO, ...where, kind: "imagine", outcome: "accepted", taskId: id }),
      expect.objectContaining({
        level: INFO,
        ...where,
        kind: "action",
        outcome: "accepted",
        fromTaskId: id,
        taskId: expect.not.stringMatching(id),
      }),
      expect.objectContaining({ level: INFO, ...where, kind: "imagine", outcome: "banned_prompt", code: 24 }),
    ]);
    const atInfo = w.bot.logs.filter((line) => (JSON.parse(line) as LogLine).level >= INFO);
    for (const line of atInfo) expect(line).not.toContain(PROMPT);
  });

  it("say so when a submit fails, with the reason and without the prompt", async () => {
    const w = await world();
    w.mj.failNext("500", { route: "submit" });
    const interaction = await w.discord.sendCommand("imagine", { prompt: PROMPT });
    await w.discord.waitForMessage((m) => m.interactionId === interaction.id && m.ephemeral);
    const failed = logLines(w.bot).filter((line) => line.msg === "submit to the MJ API failed");
    expect(failed).toEqual([
      expect.objectContaining({
        level: INFO,
        userId: "900000000000000101",
        guildId: w.discord.guildId,
        channelId: w.discord.channelId,
        kind: "imagine",
        outcome: "error",
        reason: "MJ API unavailable: HTTP 500",
      }),
    ]);
    expect(w.bot.logs.join("\n")).not.toContain(PROMPT);
  });

  it("name the task, its guild and its channel on every line about it", async () => {
    const w = await world();
    const { id, message } = await imagineManually(w, PROMPT);
    // Discord fails one edit (through the reply's token): the scheduler logs it and retries.
    const token = w.discord.interactions.get(message.interactionId ?? "")?.token;
    w.discord.failNext(
      { method: "PATCH", path: `/webhooks/${w.discord.applicationId}/${token}/messages/@original` },
      { status: 500, body: { message: "500: Internal Server Error", code: 0 } },
    );
    w.mj.advance(id);
    await w.discord.waitFor(() => description(w.discord.messages.get(message.id)).includes("30%"));
    // The user deletes the message: the next edit finds it gone, and tracking ends.
    w.discord.deleteMessage(message.id);
    w.mj.finish(id);
    await w.discord.waitFor(() => w.bot.app.context.registry.activeCount === 0);

    const about = logLines(w.bot).filter((line) => JSON.stringify(line).includes(id));
    const messages = about.map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        "submitted to the MJ API",
        "editing a message failed; will retry",
        "message is gone; stopped updating it",
      ]),
    );
    for (const line of about) {
      expect(line.taskId === id || line.fromTaskId === id, line.msg).toBe(true);
      expect(line, line.msg).toMatchObject({ guildId: w.discord.guildId, channelId: w.discord.channelId });
    }
  });
});
