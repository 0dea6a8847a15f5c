// Mirrored buttons: clicks submit MJ actions, modals for Custom Zoom and Vary (Region).
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { button, buttonsOf, isReplyTo } from "../support/jobs.js";

const world = useWorlds();

const IMAGINE_ID = "1732012345678901";
const U1 = "MJ::JOB::upsample::1::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";
const U2 = "MJ::JOB::upsample::2::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";
const BOB = "900000000000000102";

function title(message: FakeMessage): string | undefined {
  return (message.embeds[0] as { title?: string } | undefined)?.title;
}

/** A finished imagine shown with /mjstatus, with its nine buttons. */
async function finishedImagine(w: World, user: { userId?: string } = {}): Promise<FakeMessage> {
  w.mj.addTask(readFixture("imagine-success.json"));
  const interaction = await w.discord.sendCommand("mjstatus", { id: IMAGINE_ID }, user);
  const message = await w.discord.waitForMessage(
    (m) => m.interactionId === interaction.id && m.components.length > 0,
  );
  await expect.poll(() => w.bot.app.context.registry.find(IMAGINE_ID)).toBeTruthy();
  return message;
}

/** Waits until `message` shows `expected` as its title, and returns it then. */
function shownAs(w: World, message: FakeMessage, expected: string): Promise<FakeMessage> {
  return w.discord.waitFor(() => {
    const current = w.discord.messages.get(message.id);
    return current && title(current) === expected ? current : undefined;
  });
}

/** The public message that replies to `message` and shows a task. */
function replyTo(w: World, message: FakeMessage): Promise<FakeMessage> {
  return w.discord.waitForMessage(isReplyTo(message));
}

function ephemeralAnswer(w: World, interactionId: string): Promise<FakeMessage> {
  return w.discord.waitForMessage((m) => m.interactionId === interactionId && m.ephemeral);
}

const actionSubmits = (w: World) => w.mj.requestsTo("/mj/submit/action");

describe("mirrored buttons", () => {
  it("U1 submits exactly that button upstream and the upscale is posted as a reply and followed to SUCCESS", async () => {
    const w = await world();
    const grid = await finishedImagine(w);
    const click = await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    const upscale = await replyTo(w, grid);
    expect(actionSubmits(w).map((r) => r.body)).toEqual([{ taskId: IMAGINE_ID, customId: U1 }]);
    expect(w.discord.interactions.get(click.id)?.callbacks.map((c) => c.type)).toEqual([6]);
    const done = await shownAs(w, upscale, "Upscale · Done");
    expect(buttonsOf(done).map((b) => b.label ?? b.emoji?.name)).toEqual(
      expect.arrayContaining(["Upscale (Subtle)", "Vary (Strong)", "Zoom Out 2x", "Custom Zoom", "⬅️"]),
    );
    expect(w.discord.rejected).toEqual([]);
  });

  it("walks imagine -> U2 -> Custom Zoom (modal) -> result, tracked to SUCCESS", async () => {
    const w = await world();
    const grid = await finishedImagine(w);
    await w.discord.clickButton(grid.id, button(grid, "U2").custom_id);
    const upscale = await replyTo(w, grid);
    const upscaled = await shownAs(w, upscale, "Upscale · Done");
    expect(actionSubmits(w)[0]?.body).toEqual({ taskId: IMAGINE_ID, customId: U2 });

    const zoomClick = await w.discord.clickButton(upscaled.id, button(upscaled, "Custom Zoom").custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(zoomClick.id)?.modal);
    const field = (modal.components as { components: { custom_id: string; value?: string }[] }[])[0]!
      .components[0]!;
    expect(field.value).toContain("a shiba inu holding an umbrella");

    await w.discord.submitModal(
      String(modal.custom_id),
      { [field.custom_id]: "a shiba inu --zoom 1.8" },
      {
        messageId: upscaled.id,
      },
    );
    const zoomed = await replyTo(w, upscaled);
    const modalSubmit = await w.mj.waitForRequest((r) => r.path === "/mj/submit/modal");
    expect(modalSubmit.body).toMatchObject({ prompt: "a shiba inu --zoom 1.8" });
    await w.discord.waitFor(() => title(w.discord.messages.get(zoomed.id)!) === "Custom zoom · Done");
    expect(w.discord.rejected).toEqual([]);
  });

  it("shows a queued job (22) and refuses full queue (23), banned word (24) and invalid (4) ephemerally", async () => {
    const w = await world();
    const grid = await finishedImagine(w);
    const u1 = button(grid, "U1").custom_id;

    w.mj.nextSubmitResult("action", readFixture("submit-queue-full.json"));
    const full = await w.discord.clickButton(grid.id, u1);
    expect((await ephemeralAnswer(w, full.id)).content).toMatch(/queue is full/);

    w.mj.nextSubmitResult("action", readFixture("submit-banned.json"));
    const banned = await w.discord.clickButton(grid.id, u1);
    expect((await ephemeralAnswer(w, banned.id)).content).toMatch(/banned word: `nsfw`/);

    w.mj.nextSubmitResult("action", readFixture("submit-validation.json"));
    const invalid = await w.discord.clickButton(grid.id, u1);
    expect((await ephemeralAnswer(w, invalid.id)).content).toMatch(/invalid/);
    expect(w.discord.channelMessages(w.discord.channelId)).toHaveLength(1);

    w.mj.nextSubmitResult("action", readFixture("submit-queued.json"));
    await w.discord.clickButton(grid.id, u1);
    const queued = await replyTo(w, grid);
    expect(JSON.stringify(queued.embeds)).toContain("Queued: 3 tasks ahead.");
    expect(actionSubmits(w)).toHaveLength(4);
  });

  it("says clearly when Vary (Region) needs a mask Discord cannot draw", async () => {
    const w = await world();
    const grid = await finishedImagine(w);
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    const upscale = await replyTo(w, grid);
    const upscaled = await shownAs(w, upscale, "Upscale · Done");
    const regionClick = await w.discord.clickButton(upscaled.id, button(upscaled, "Vary (Region)").custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(regionClick.id)?.modal);
    const submit = await w.discord.submitModal(
      String(modal.custom_id),
      { prompt: "a red umbrella" },
      {
        messageId: upscaled.id,
      },
    );
    expect((await ephemeralAnswer(w, submit.id)).content).toMatch(/mask/);
  });

  it("submits a double click once and tells the second click where the result is", async () => {
    const w = await world();
    const grid = await finishedImagine(w);
    const u1 = button(grid, "U1").custom_id;
    const [first, second] = await Promise.all([
      w.discord.clickButton(grid.id, u1),
      w.discord.clickButton(grid.id, u1, { userId: BOB }),
    ]);
    await replyTo(w, grid);
    const answers = await Promise.all(
      [first, second].map((click) =>
        w.discord.waitFor(() => {
          const record = w.discord.interactions.get(click.id)!;
          return record.callbacks.length > 0 ? record : undefined;
        }),
      ),
    );
    expect(actionSubmits(w)).toHaveLength(1);
    // Exactly one of the two clicks was told, privately, that it was already handled.
    const told = answers.filter((a) => a.callbacks[0]?.type === 4);
    expect(told).toHaveLength(1);
    // A later click (after it is done) points to the new message.
    await expect
      .poll(async () => (await w.bot.app.context.store.getClick(`${grid.id}:${U1}`))?.status)
      .toBe("done");
    const third = await w.discord.clickButton(grid.id, u1, { userId: BOB });
    expect((await ephemeralAnswer(w, third.id)).content).toMatch(/already done/);
    expect(actionSubmits(w)).toHaveLength(1);
  });

  it("with BUTTONS_ALLOWED=requester, refuses anyone else and sends nothing upstream", async () => {
    const w = await world({ env: { BUTTONS_ALLOWED: "requester" } });
    const grid = await finishedImagine(w);
    const refused = await w.discord.clickButton(grid.id, button(grid, "U1").custom_id, { userId: BOB });
    expect((await ephemeralAnswer(w, refused.id)).content).toMatch(/Only <@900000000000000101> can use/);
    expect(actionSubmits(w)).toEqual([]);
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    await replyTo(w, grid);
    expect(actionSubmits(w)).toHaveLength(1);
  });

  it("with BUTTONS_ALLOWED=<role>, lets only members with the role click", async () => {
    const role = "900000000000000777";
    const w = await world({ env: { BUTTONS_ALLOWED: role }, discord: { roleIds: [role] } });
    const grid = await finishedImagine(w);
    const refused = await w.discord.clickButton(grid.id, button(grid, "U1").custom_id, { userId: BOB });
    expect((await ephemeralAnswer(w, refused.id)).content).toMatch(/role/);
    expect(actionSubmits(w)).toEqual([]);
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id, { userId: BOB, roles: [role] });
    await replyTo(w, grid);
    expect(actionSubmits(w)).toHaveLength(1);
  });

  it("refuses a forged custom_id whose customId is not one of the task's buttons", async () => {
    const w = await world();
    const grid = await finishedImagine(w);
    const forged = await w.discord.clickButton(grid.id, `mj:${IMAGINE_ID}:MJ::JOB::upsample::9::evil`);
    expect((await ephemeralAnswer(w, forged.id)).content).toMatch(/does not belong to this task/);
    const unknownKey = await w.discord.clickButton(grid.id, "mjk:AAAAAAAAAAAAAAAAAAAAAA");
    expect((await ephemeralAnswer(w, unknownKey.id)).content).toMatch(/no longer know/);
    expect(actionSubmits(w)).toEqual([]);
  });

  it("keeps buttons working after a restart, including one whose customId needed a stored key", async () => {
    const w = await world();
    const long = `MJ::JOB::upsample_v6r1_2x_creative::1::${"f".repeat(60)}::SOLO`;
    const task = readFixture<Record<string, unknown>>("imagine-success.json");
    w.mj.addTask({
      ...task,
      id: IMAGINE_ID,
      buttons: [
        ...(task.buttons as unknown[]),
        { customId: long, emoji: "upscale_1", label: "", type: 2, style: 2 },
      ],
    } as { id: string });
    const interaction = await w.discord.sendCommand("mjstatus", { id: IMAGINE_ID });
    const grid = await w.discord.waitForMessage(
      (m) => m.interactionId === interaction.id && m.components.length > 0,
    );
    const keyed = button(grid, "Upscale (Creative)");
    expect(keyed.custom_id).toMatch(/^mjk:/);

    await w.restart();
    await w.discord.clickButton(grid.id, keyed.custom_id);
    await replyTo(w, grid);
    await w.discord.clickButton(grid.id, button(grid, "V1").custom_id);
    await w.discord.waitFor(() => actionSubmits(w).length === 2);
    expect(actionSubmits(w).map((r) => (r.body as { customId: string }).customId)).toEqual([
      long,
      "MJ::JOB::variation::1::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77",
    ]);
  });

  it("answers within 3 seconds when upstream is slow, and still opens the form for a late 'needs a modal'", async () => {
    const w = await world({ env: { MJ_TIMEOUT_MS: "10000" } });
    const grid = await finishedImagine(w);
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    const upscale = await replyTo(w, grid);
    const upscaled = await shownAs(w, upscale, "Upscale · Done");

    w.mj.setLatency(2800);
    const clicked = Date.now();
    const click = await w.discord.clickButton(upscaled.id, button(upscaled, "Custom Zoom").custom_id);
    const acknowledged = await w.discord.waitForRequest((r) =>
      r.path.startsWith(`/interactions/${click.id}/`),
    );
    expect(acknowledged.at - clicked).toBeLessThan(3000);
    expect(w.discord.interactions.get(click.id)?.callbacks.map((c) => c.type)).toEqual([6]);
    // The modal can no longer be the answer: a private button opens it instead.
    const note = await ephemeralAnswer(w, click.id);
    const open = buttonsOf(note)[0]!;
    expect(open.label).toBe("Open the form");
    w.mj.setLatency(0);
    const openClick = await w.discord.clickButton(note.id, open.custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(openClick.id)?.modal);
    await w.discord.submitModal(String(modal.custom_id), { prompt: "a wider view --zoom 2" });
    await w.mj.waitForRequest((r) => r.path === "/mj/submit/modal");
    expect(actionSubmits(w)).toHaveLength(2);
  });
});
