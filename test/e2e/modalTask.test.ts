// A task waiting for its prompt (MODAL) that arrives by /mjstatus: its message offers the form
// a click on Custom Zoom or Vary (Region) opens, and the form submits like one.
import { describe, expect, it } from "vitest";
import { useWorlds } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { buttonsOf, isReplyTo } from "../support/jobs.js";

const world = useWorlds();

describe("a MODAL task shown by /mjstatus", () => {
  it("opens the prompt form, filled in, and submits it as the new job", async () => {
    const w = await world();
    w.mj.addTask(readFixture("customzoom-modal.json"));
    const interaction = await w.discord.sendCommand("mjstatus", { id: "1732012666666666" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const [open] = buttonsOf(message);
    expect(open).toMatchObject({ label: "Open the form", style: 1 });

    const click = await w.discord.clickButton(message.id, open!.custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(click.id)?.modal);
    const field = (modal.components as { components: { custom_id: string; value?: string }[] }[])[0]!
      .components[0]!;
    expect(field.value).toBe(
      "a shiba inu holding an umbrella in the rain, watercolor style --ar 3:2 --zoom 2",
    );

    await w.discord.submitModal(
      String(modal.custom_id),
      { [field.custom_id]: "a shiba inu --zoom 1.5" },
      {
        messageId: message.id,
      },
    );
    const submit = await w.mj.waitForRequest((r) => r.path === "/mj/submit/modal");
    expect(submit.body).toEqual({ taskId: "1732012666666666", prompt: "a shiba inu --zoom 1.5" });
    const reply = await w.discord.waitForMessage(isReplyTo(message));
    await w.discord.waitFor(
      () =>
        (w.discord.messages.get(reply.id)?.embeds[0] as { title?: string } | undefined)?.title ===
        "Custom zoom · Done",
      { timeoutMs: 15_000 },
    );
    expect(w.discord.rejected).toEqual([]);
  });

  it("marks the form of a Vary (Region) task, whose provider may insist on a mask", async () => {
    const w = await world();
    w.mj.addTask(readFixture("inpaint-modal.json"));
    const interaction = await w.discord.sendCommand("mjstatus", { id: "1745831012345671" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const click = await w.discord.clickButton(message.id, buttonsOf(message)[0]!.custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(click.id)?.modal);
    const submitted = await w.discord.submitModal(
      String(modal.custom_id),
      { prompt: "a red tram" },
      {
        messageId: message.id,
      },
    );
    const answer = await w.discord.waitForMessage((m) => m.interactionId === submitted.id && m.ephemeral);
    expect(answer.content).toMatch(/mask/);
  });
});

describe("who may open and send a MODAL task's form", () => {
  const BOB = "900000000000000102";

  it("with BUTTONS_ALLOWED=requester, opens it only for whoever showed the task, and only they can send it", async () => {
    const w = await world({ env: { BUTTONS_ALLOWED: "requester" } });
    w.mj.addTask(readFixture("customzoom-modal.json"));
    const interaction = await w.discord.sendCommand("mjstatus", { id: "1732012666666666" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const [open] = buttonsOf(message);

    const bobsClick = await w.discord.clickButton(message.id, open!.custom_id, { userId: BOB });
    const refusal = await w.discord.waitForMessage((m) => m.interactionId === bobsClick.id && m.ephemeral);
    expect(refusal.content).toMatch(/can use these buttons/);
    expect(w.discord.interactions.get(bobsClick.id)?.modal).toBeUndefined();

    const click = await w.discord.clickButton(message.id, open!.custom_id);
    const modal = await w.discord.waitFor(() => w.discord.interactions.get(click.id)?.modal);
    const forged = await w.discord.submitModal(
      String(modal.custom_id),
      { prompt: "a forged prompt" },
      { userId: BOB, messageId: message.id },
    );
    const refused = await w.discord.waitForMessage((m) => m.interactionId === forged.id && m.ephemeral);
    expect(refused.content).toMatch(/only they can send it/);
    expect(w.mj.requests.filter((r) => r.path === "/mj/submit/modal")).toEqual([]);
  });
});
