// Honest waiting: a queued task's message follows the queue position upstream reports on polls; a
// running task that stops moving upstream for STALL_NOTICE_MS says since when, until it moves.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { movableClock, useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { imagineManually } from "../support/jobs.js";

const world = useWorlds();

function embedText(w: World, id: string): string {
  return JSON.stringify(w.discord.messages.get(id)?.embeds ?? []);
}

function note(w: World, id: string): string | undefined {
  const fields = (w.discord.messages.get(id)?.embeds[0] as { fields?: { name: string; value: string }[] })
    ?.fields;
  return fields?.find((field) => field.name === "Note")?.value;
}

/** Waits until the message's note is `expected` (undefined: no note), and returns the message. */
function noteBecomes(w: World, message: FakeMessage, expected: string | undefined): Promise<FakeMessage> {
  return w.discord.waitFor(() =>
    note(w, message.id) === expected ? w.discord.messages.get(message.id) : undefined,
  );
}

describe("honest waiting", () => {
  it("follows the queue position new-api reports on polls, then drops it once the job runs", async () => {
    const w = await world();
    const queued = readFixture<{ id: string; description: string }>("newapi-queued.json");
    const position = (ahead: number) => ({ description: queued.description.replace("3", String(ahead)) });
    w.mj.nextSubmitResult("imagine", readFixture("submit-queued-newapi.json"), {
      task: queued,
      timeline: {
        advance: "manual",
        steps: [
          { status: "NOT_START", ...position(2) },
          position(1),
          position(0),
          {
            status: "IN_PROGRESS",
            progress: "10%",
            startTime: Date.now(),
            description: "/imagine a lighthouse",
          },
        ],
      },
    });
    const interaction = await w.discord.sendCommand("imagine", {
      prompt: "a lighthouse at dusk, oil painting",
    });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    await noteBecomes(w, message, "Queued: 3 tasks ahead.");

    w.mj.advance(queued.id);
    await noteBecomes(w, message, "Queued: 2 tasks ahead.");
    w.mj.advance(queued.id);
    await noteBecomes(w, message, "Queued: 1 task ahead.");
    w.mj.advance(queued.id);
    await noteBecomes(w, message, "Queued: next in line.");
    w.mj.advance(queued.id);
    const running = await noteBecomes(w, message, undefined);
    expect(JSON.stringify(running.embeds)).toContain("10%");
    // Each position was shown in turn, none skipped, none back again.
    const shown = running.history.map((version) => {
      const fields = (version.embeds as { fields?: { name: string; value: string }[] }[])[0]?.fields ?? [];
      return fields.find((field) => field.name === "Note")?.value;
    });
    expect(shown.filter((value, index) => value && value !== shown[index - 1])).toEqual([
      "Queued: 3 tasks ahead.",
      "Queued: 2 tasks ahead.",
      "Queued: 1 task ahead.",
      "Queued: next in line.",
    ]);
    expect(w.discord.rejected).toEqual([]);
  });

  it("says since when a job stuck at 85 % has not moved, once STALL_NOTICE_MS has passed, and drops it with the next change", async () => {
    const clock = movableClock();
    const w = await world({ now: clock.now, env: { STALL_NOTICE_MS: "60000" } });
    const { id, message } = await imagineManually(w, "a lighthouse at dusk");
    w.mj.advance(id);
    await w.discord.waitFor(() => embedText(w, message.id).includes("30%"));

    const before85 = clock.now();
    w.mj.setTask(id, { progress: "85%" });
    await w.discord.waitFor(() => embedText(w, message.id).includes("85%"));
    const after85 = clock.now();
    expect(note(w, message.id)).toBeUndefined();

    // Upstream keeps answering 85 % while the bot's clock passes STALL_NOTICE_MS.
    clock.skip(61_000);
    const stalled = await w.discord.waitFor(() => note(w, message.id));
    const match = /^Nothing has moved upstream since <t:(\d+):f> \(<t:\1:R>\); /.exec(stalled);
    expect(match).not.toBeNull();
    const since = Number(match?.[1]) * 1000;
    expect(since).toBeGreaterThanOrEqual(Math.floor(before85 / 1000) * 1000);
    expect(since).toBeLessThanOrEqual(after85);
    expect(embedText(w, message.id)).toContain("85%");
    expect((await w.bot.app.context.store.getTask(id))?.stalledSince).toBe(
      w.bot.app.context.registry.peek(id)?.stalledSince,
    );

    w.mj.setTask(id, { progress: "90%" });
    const moving = await noteBecomes(w, message, undefined);
    expect(JSON.stringify(moving.embeds)).toContain("90%");
    // Shown once: one edit put it on, the next change took it off.
    const withNotice = moving.history.filter((version) =>
      JSON.stringify(version).includes("Nothing has moved"),
    );
    expect(withNotice).toHaveLength(1);
  });
});
