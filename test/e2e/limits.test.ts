// Who may spend the operator's credits: SUBMIT_ALLOWED, SUBMIT_COOLDOWN_MS, SUBMIT_DAILY_LIMIT and
// SUBMIT_MAX_RUNNING, for commands, clicks and forms alike, kept across a restart.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { imagineTimeline, newTaskId } from "../../src/sandbox/mj/fakeMj.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { isReplyTo } from "../support/jobs.js";

const world = useWorlds();

const BOB = "900000000000000102";
const CAROL = "900000000000000103";
/** The fixture's usual permissions plus Manage Server. */
const MANAGES_SERVER = String(2248473465835073n | 32n);

type Button = { custom_id: string; label?: string };

function button(message: FakeMessage, label: string): Button {
  const found = (message.components as { components: Button[] }[])
    .flatMap((row) => row.components)
    .find((b) => b.label === label);
  if (!found) throw new Error(`no button ${label} on ${message.id}`);
  return found;
}

function title(message: FakeMessage | undefined): string | undefined {
  return (message?.embeds[0] as { title?: string } | undefined)?.title;
}

/** /imagine as `user`: the public message it led to, or the private answer it got. */
async function imagine(
  w: World,
  prompt: string,
  user: { userId?: string; permissions?: string; roles?: string[] } = {},
) {
  const interaction = await w.discord.sendCommand("imagine", { prompt }, user);
  // A deferral ("thinking…", flag 128) is not the answer yet.
  return w.discord.waitForMessage((m) => m.interactionId === interaction.id && (m.flags & 128) === 0);
}

async function finished(w: World, message: FakeMessage): Promise<FakeMessage> {
  return w.discord.waitFor(() => {
    const current = w.discord.messages.get(message.id);
    return title(current) === "Imagine · Done" ? current : undefined;
  });
}

function ephemeralAnswer(w: World, interactionId: string): Promise<FakeMessage> {
  return w.discord.waitForMessage((m) => m.interactionId === interactionId && m.ephemeral);
}

const submits = (w: World) => w.mj.requests.filter((r) => r.path.startsWith("/mj/submit/"));

describe("spend limits", () => {
  it("SUBMIT_COOLDOWN_MS: a second /imagine within it is refused privately while another member's goes through", async () => {
    const w = await world({ env: { SUBMIT_COOLDOWN_MS: "60000" } });
    const first = await imagine(w, "a lighthouse");
    expect(first.ephemeral).toBe(false);
    const firstAt = w.mj.requestsTo("/mj/submit/imagine")[0]!.at;

    const again = await imagine(w, "another lighthouse");
    expect(again.ephemeral).toBe(true);
    const until = Number(/<t:(\d+):R>/.exec(again.content)?.[1]);
    expect(again.content).toMatch(/^You can start another job <t:\d+:R>: members wait 60 s between jobs\.$/);
    expect(until * 1000).toBeGreaterThanOrEqual(firstAt + 59_000);
    expect(until * 1000).toBeLessThanOrEqual(firstAt + 61_000);

    const bobs = await imagine(w, "a fox", { userId: BOB });
    expect(bobs.ephemeral).toBe(false);
    expect(w.mj.requestsTo("/mj/submit/imagine").map((r) => (r.body as { prompt: string }).prompt)).toEqual([
      "a lighthouse",
      "a fox",
    ]);
  });

  it("SUBMIT_DAILY_LIMIT=2: the third submit, command or click, is refused, also after a restart; Manage Server is not held", async () => {
    const w = await world({ env: { SUBMIT_DAILY_LIMIT: "2" } });
    const grid = await finished(w, await imagine(w, "a red fox in snow"));
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    await w.discord.waitForMessage(isReplyTo(grid));
    expect(submits(w)).toHaveLength(2);

    const third = await imagine(w, "one more");
    expect(third.ephemeral).toBe(true);
    expect(third.content).toMatch(
      /You have started 2 jobs today, the daily limit\. You can start more <t:\d+:R>/,
    );
    const resetsAt = Number(/<t:(\d+):R>/.exec(third.content)?.[1]) * 1000;
    const now = new Date();
    expect(resetsAt).toBe(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
    // A refused click reaches nothing upstream: not even the check of its button.
    const gridId = /Task (\d+)/.exec(JSON.stringify(grid.embeds))?.[1];
    const asksAboutGrid = () => w.mj.requests.filter((r) => r.path === `/mj/task/${gridId}/fetch`).length;
    const asked = asksAboutGrid();
    const click = await w.discord.clickButton(grid.id, button(grid, "V1").custom_id);
    expect((await ephemeralAnswer(w, click.id)).content).toMatch(/daily limit/);
    expect(asksAboutGrid()).toBe(asked);

    await w.restart();
    const afterRestart = await w.discord.clickButton(grid.id, button(grid, "U2").custom_id);
    expect((await ephemeralAnswer(w, afterRestart.id)).content).toMatch(/daily limit/);
    expect((await imagine(w, "and again")).ephemeral).toBe(true);
    expect(submits(w)).toHaveLength(2);

    // Someone else still may; a member with Manage Server is not held by the limit.
    expect((await imagine(w, "bob's fox", { userId: BOB })).ephemeral).toBe(false);
    for (const prompt of ["c1", "c2", "c3"]) {
      expect((await imagine(w, prompt, { userId: CAROL, permissions: MANAGES_SERVER })).ephemeral).toBe(
        false,
      );
    }
    expect(submits(w)).toHaveLength(6);
  });

  it("SUBMIT_MAX_RUNNING=1: a second job waits until the member's first one finishes", async () => {
    const w = await world({ env: { SUBMIT_MAX_RUNNING: "1" } });
    const id = newTaskId();
    const { task, steps } = imagineTimeline(id);
    w.mj.nextSubmitResult(
      "imagine",
      { code: 1, result: id },
      { task, timeline: { steps, advance: "manual" } },
    );
    const first = await imagine(w, "slow one");
    expect(first.ephemeral).toBe(false);
    const refused = await imagine(w, "too soon");
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(`You already have 1 jobs running (\`${id}\`)`);
    expect(refused.content).toMatch(/as soon as one of them finishes/);

    w.mj.finish(id);
    await finished(w, first);
    await w.discord.waitFor(() => w.bot.app.context.registry.peek(id) === undefined);
    expect((await imagine(w, "now it may")).ephemeral).toBe(false);
    expect(w.mj.requestsTo("/mj/submit/imagine")).toHaveLength(2);
  });

  it("SUBMIT_ALLOWED=<role>: members without the role are refused before anything reaches upstream", async () => {
    const role = "900000000000000777";
    const w = await world({ env: { SUBMIT_ALLOWED: role }, discord: { roleIds: [role] } });
    const refused = await imagine(w, "no role");
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toBe(`Only members with the <@&${role}> role can start Midjourney jobs here.`);
    expect(w.mj.requests).toEqual([]);
    expect((await imagine(w, "with the role", { roles: [role] })).ephemeral).toBe(false);
    expect(w.mj.requestsTo("/mj/submit/imagine")).toHaveLength(1);

    // Showing a task is no submit; clicking its button is, and is refused before any request.
    w.mj.addTask(readFixture("imagine-success.json"));
    const status = await w.discord.sendCommand("mjstatus", { id: "1732012345678901" });
    const grid = await w.discord.waitForMessage(
      (m) => m.interactionId === status.id && m.components.length > 0,
    );
    const requests = w.mj.requests.length;
    const click = await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    expect((await ephemeralAnswer(w, click.id)).content).toMatch(/role can start Midjourney jobs/);
    expect(w.mj.requests.slice(requests).filter((r) => r.path !== "/mj/task/list-by-condition")).toEqual([]);
  });
});
