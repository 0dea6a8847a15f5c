// The used button: once upstream accepts a click's action, the clicked button on the message it
// was clicked on turns primary (as on Midjourney's own bot), the others stay as they were; the
// mark lives in the tracked record, so it survives a restart and later renders of the message.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { button, buttonsOf, repliesTo } from "../support/jobs.js";

const world = useWorlds();

const IMAGINE_ID = "1732012345678901";
const HASH = "0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";
const U2 = `MJ::JOB::upsample::2::${HASH}`;
const U3 = `MJ::JOB::upsample::3::${HASH}`;
const V1 = `MJ::JOB::variation::1::${HASH}`;

/** Each button's custom_id with its style. */
function styles(message: FakeMessage | undefined): Record<string, number> {
  return Object.fromEntries(buttonsOf(message).map((button) => [button.custom_id ?? "", button.style]));
}

async function finishedGrid(w: World): Promise<FakeMessage> {
  w.mj.addTask(readFixture("imagine-success.json"));
  const interaction = await w.discord.sendCommand("mjstatus", { id: IMAGINE_ID });
  return w.discord.waitForMessage((m) => m.interactionId === interaction.id && m.components.length > 0);
}

describe("used buttons", () => {
  it("marks U2 on the clicked grid, leaves the rest, keeps the mark after a restart and later renders, and leaves a refused click (24) unmarked", async () => {
    const w = await world();
    const grid = await finishedGrid(w);
    const before = styles(grid);
    expect(Object.values(before).every((style) => style === 2)).toBe(true);

    const u2 = button(grid, "U2").custom_id;
    await w.discord.clickButton(grid.id, u2);
    await w.discord.waitFor(() => repliesTo(w, grid).length === 1);
    const marked = await w.discord.waitFor(() => {
      const current = w.discord.messages.get(grid.id);
      return styles(current)[u2] === 1 ? current : undefined;
    });
    expect(styles(marked)).toEqual({ ...before, [u2]: 1 });
    expect((await w.bot.app.context.store.getTask(IMAGINE_ID))?.messages[0]?.usedButtons).toEqual([U2]);

    // Clicking it again: privately, where its result is; nothing is submitted.
    await expect
      .poll(async () => (await w.bot.app.context.store.getClick(`${grid.id}:${U2}`))?.status)
      .toBe("done");
    const again = await w.discord.clickButton(grid.id, u2);
    const answer = await w.discord.waitForMessage((m) => m.interactionId === again.id && m.ephemeral);
    expect(answer.content).toMatch(/already done/);
    expect(answer.content).toContain(repliesTo(w, grid)[0]?.id);
    expect(w.mj.requestsTo("/mj/submit/action")).toHaveLength(1);

    // Upstream refuses U3 (banned word): the button keeps its look, and the message is not edited.
    await w.bot.app.context.registry.drain();
    const editsBefore = w.discord.editsOf(grid.id);
    w.mj.nextSubmitResult("action", readFixture("submit-banned.json"));
    const refused = await w.discord.clickButton(grid.id, button(grid, "U3").custom_id);
    await w.discord.waitForMessage((m) => m.interactionId === refused.id && m.ephemeral);
    await w.bot.app.context.registry.drain();
    expect(styles(w.discord.messages.get(grid.id))[button(grid, "U3").custom_id]).toBe(2);
    expect(w.discord.editsOf(grid.id)).toBe(editsBefore);
    expect((await w.bot.app.context.store.getTask(IMAGINE_ID))?.messages[0]?.usedButtons).not.toContain(U3);

    // After a restart, the next render of the grid (V1's mark) keeps U2's.
    await w.restart();
    const v1 = button(grid, "V1").custom_id;
    await w.discord.clickButton(grid.id, v1);
    const rerendered = await w.discord.waitFor(() => {
      const current = w.discord.messages.get(grid.id);
      return styles(current)[v1] === 1 ? current : undefined;
    });
    expect(styles(rerendered)).toEqual({ ...before, [u2]: 1, [v1]: 1 });
    expect((await w.bot.app.context.store.getTask(IMAGINE_ID))?.messages[0]?.usedButtons).toEqual([U2, V1]);
    expect(w.discord.rejected).toEqual([]);
  });

  it("marks the button that opened a prompt form once the form's job starts (Custom Zoom)", async () => {
    const w = await world();
    const grid = await finishedGrid(w);
    await w.discord.clickButton(grid.id, button(grid, "U1").custom_id);
    const upscale = await w.discord.waitFor(() => {
      const reply = repliesTo(w, grid)[0];
      const current = reply && w.discord.messages.get(reply.id);
      return current && buttonsOf(current).length > 0 ? current : undefined;
    });
    const zoomId = button(upscale, "Custom Zoom").custom_id;
    const click = await w.discord.clickButton(upscale.id, zoomId);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(click.id)?.modal);
    // Only asking for the prompt is not the action: the button is not marked yet.
    expect(styles(w.discord.messages.get(upscale.id))[zoomId]).toBe(2);
    await w.discord.submitModal(
      String(modal.custom_id),
      { prompt: "wider --zoom 2" },
      { messageId: upscale.id },
    );
    await w.discord.waitFor(() => styles(w.discord.messages.get(upscale.id))[zoomId] === 1);
    expect(
      Object.values(styles(w.discord.messages.get(upscale.id))).filter((style) => style === 1),
    ).toHaveLength(1);
  });
});
