import { describe, expect, it } from "vitest";
import { toRestBody } from "../../src/discord/messages/messageEditor.js";
import { decodeButtonId } from "../../src/render/customId.js";
import { fallbackLabel, toButtonEmoji } from "../../src/render/renderButtonRows.js";
import { renderCompletionPing } from "../../src/render/renderCompletionPing.js";
import { renderTaskMessage } from "../../src/render/renderTaskMessage.js";
import { validateMessagePayload } from "../../src/sandbox/discord/discordRules.js";
import { validateAgainstSpec } from "../support/discordSpec.js";
import { fixtureNames, taskFixture } from "../support/fixtures.js";

const taskFixtures = fixtureNames().filter(
  (name) =>
    !name.startsWith("submit-") &&
    !["fetch-unknown-aggregator.json", "list-by-condition.json"].includes(name),
);

function render(name: string, patch: Record<string, unknown> = {}) {
  const rendered = renderTaskMessage(taskFixture(name, patch), {
    locale: "en",
    requesterId: "900000000000000101",
  });
  return { ...rendered, embed: rendered.payload.embeds[0]!, body: toRestBody(rendered.payload) };
}

type RenderedButton = { custom_id: string; label?: string; emoji?: { name?: string }; style: number };

function buttonsOf(rendered: ReturnType<typeof render>) {
  return rendered.payload.components.flatMap((row) => row.components) as RenderedButton[];
}

function manyButtons(count: number, customId: (i: number) => string) {
  return Array.from({ length: count }, (_, i) => ({
    customId: customId(i),
    emoji: "",
    label: `B${i}`,
    type: 2,
    style: 2,
  }));
}

describe("renderTaskMessage over the shared fixtures", () => {
  it.each(taskFixtures)("renders %s into a payload Discord accepts", (name) => {
    const { body } = render(name);
    expect(validateMessagePayload(body)).toEqual([]);
    expect(validateAgainstSpec("/channels/{channel_id}/messages/{message_id}", "PATCH", body)).toEqual([]);
    expect(validateAgainstSpec("/channels/{channel_id}/messages", "POST", body)).toEqual([]);
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it("mirrors a finished imagine: U1–U4 with re-roll, then V1–V4", () => {
    const rendered = render("imagine-success.json");
    const rows = rendered.payload.components.map((row) =>
      row.components.map((b) => b.label ?? b.emoji?.name),
    );
    expect(rows).toEqual([
      ["U1", "U2", "U3", "U4", "🔄"],
      ["V1", "V2", "V3", "V4"],
    ]);
    const first = buttonsOf(rendered)[0]!;
    expect(decodeButtonId(first.custom_id)).toEqual({
      kind: "direct",
      taskId: "1732012345678901",
      customId: "MJ::JOB::upsample::1::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77",
    });
    expect(rendered.embed.title).toBe("Imagine · Done");
    expect(rendered.embed.color).toBe(0x57f287);
    expect(rendered.embed.image?.url).toMatch(/^https:\/\/cdn\.discordapp\.com\//);
    expect(rendered.embed.footer?.text).toBe("Task 1732012345678901");
  });

  it("shows the prompt and, where it differs, the English prompt", () => {
    const { embed } = render("imagine-success.json");
    expect(embed.description).toContain("一只在雨中撑伞的柴犬");
    expect(embed.fields?.find((f) => f.name === "English prompt")?.value).toContain("a shiba inu");
  });

  it("renders the describe result with its four suggestions and six buttons", () => {
    const rendered = render("describe-success-seed.json");
    for (const n of ["1️⃣", "2️⃣", "3️⃣", "4️⃣"]) expect(rendered.embed.description).toContain(n);
    const buttons = buttonsOf(rendered);
    expect(buttons).toHaveLength(6);
    expect(buttons.map((b) => b.emoji?.name)).toEqual(["1️⃣", "2️⃣", "3️⃣", "4️⃣", "🔄", "🎉"]);
    expect(buttons[5]?.label).toBe("Imagine all");
  });

  it("shows progress as a bar with the percentage and no buttons while running", () => {
    const rendered = render("imagine-in-progress.json", {
      buttons: [{ customId: "MJ::JOB::upsample::1::x", label: "U1", type: 2, style: 2 }],
    });
    expect(rendered.embed.description).toContain("45%");
    expect(rendered.embed.description).toMatch(/▰+▱+ 45%/);
    expect(rendered.payload.components).toEqual([]);
    expect(rendered.embed.title).toBe("Imagine · In progress");
  });

  it("shows the failure reason of a failed task", () => {
    const { embed } = render("imagine-failure.json");
    expect(embed.title).toBe("Imagine · Failed");
    expect(embed.color).toBe(0xed4245);
    expect(embed.fields?.find((f) => f.name === "Reason")?.value).toContain("Banned prompt detected");
  });

  it("never shows 1970 for new-api's zero timestamps", () => {
    const { embed } = render("newapi-before-first-poll.json");
    const times = (embed.fields ?? []).filter((f) => ["Started", "Finished"].includes(f.name));
    expect(times).toEqual([]);
    expect(embed.fields?.find((f) => f.name === "Submitted")?.value).toBe(
      "<t:1732012888:f> (<t:1732012888:R>)",
    );
  });

  it("drops the bare custom emoji name of Upscale (Subtle) but keeps the label", () => {
    const rendered = render("upscale-success.json", {
      buttons: [
        {
          customId: "MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO",
          emoji: "upscale_1",
          label: "Upscale (Subtle)",
          type: 2,
          style: 2,
        },
      ],
    });
    const [button] = buttonsOf(rendered);
    expect(button?.emoji).toBeUndefined();
    expect(button?.label).toBe("Upscale (Subtle)");
    expect(validateMessagePayload(rendered.body)).toEqual([]);
  });

  it("changes the fingerprint exactly when the payload changes", () => {
    const a = render("imagine-in-progress.json");
    const b = render("imagine-in-progress.json");
    const c = render("imagine-in-progress.json", { progress: "46%" });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});

describe("renderTaskMessage with adversarial tasks", () => {
  it("keeps 40 buttons to 5 rows of 5, each custom_id unique", () => {
    const rendered = render("imagine-success.json", {
      buttons: manyButtons(40, (i) => `MJ::JOB::thing::${i}::h`),
    });
    expect(rendered.payload.components).toHaveLength(5);
    const ids = buttonsOf(rendered).map((b) => b.custom_id);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    expect(rendered.droppedButtons).toBe(15);
    expect(validateMessagePayload(rendered.body)).toEqual([]);
  });

  it("removes duplicate customIds", () => {
    const rendered = render("imagine-success.json", {
      buttons: manyButtons(3, () => "MJ::JOB::upsample::1::h"),
    });
    expect(buttonsOf(rendered)).toHaveLength(1);
  });

  it("stores a short key for a 120-character customId", () => {
    const long = `MJ::JOB::upsample_v6r1_2x_creative::1::${"x".repeat(120 - 39)}`;
    expect(long).toHaveLength(120);
    const rendered = render("imagine-success.json", { buttons: manyButtons(1, () => long) });
    const [button] = buttonsOf(rendered);
    expect(button!.custom_id.length).toBeLessThanOrEqual(100);
    const decoded = decodeButtonId(button!.custom_id);
    expect(decoded?.kind).toBe("keyed");
    expect(rendered.storedButtons).toEqual([
      { key: decoded?.kind === "keyed" ? decoded.key : "", taskId: "1732012345678901", customId: long },
    ]);
    expect(validateMessagePayload(rendered.body)).toEqual([]);
  });

  it("gives a button with an empty label and a bare-name emoji a readable label", () => {
    const rendered = render("imagine-success.json", {
      buttons: [
        {
          customId: "MJ::JOB::upsample_v6_2x_creative::1::h::SOLO",
          emoji: "upscale_1",
          label: "",
          type: 2,
          style: 2,
        },
      ],
    });
    const [button] = buttonsOf(rendered);
    expect(button).toMatchObject({ label: "Upscale (Creative)" });
    expect(button?.emoji).toBeUndefined();
    expect(validateMessagePayload(rendered.body)).toEqual([]);
  });

  it("clamps a button style outside 1–4 (link style without url, junk)", () => {
    const rendered = render("imagine-success.json", {
      buttons: [
        { customId: "a", label: "A", type: 2, style: 5 },
        { customId: "b", label: "B", type: 2, style: "9" },
        { customId: "c", label: "C", type: 2, style: "3" },
      ],
    });
    expect(buttonsOf(rendered).map((b) => b.style)).toEqual([2, 2, 3]);
  });

  it("cuts a 6,000-character prompt with @everyone to fit, and pings nobody", () => {
    const prompt = `@everyone ${"a very long prompt ".repeat(400)}`.slice(0, 6000);
    const rendered = render("imagine-failure.json", {
      prompt,
      promptEn: `${prompt} en`,
      failReason: "x".repeat(3000),
    });
    expect(validateMessagePayload(rendered.body)).toEqual([]);
    expect(rendered.embed.description?.endsWith("…")).toBe(true);
    expect(rendered.body.allowed_mentions).toEqual({ parse: [] });
  });

  it("never uses a javascript: imageUrl as the image", () => {
    const rendered = render("imagine-success.json", { imageUrl: "javascript:alert(1)" });
    expect(rendered.embed.image).toBeUndefined();
    expect(JSON.stringify(rendered.payload)).not.toContain("javascript:");
  });

  it("never renders properties (the proxies echo the notifyHook secret there)", () => {
    const rendered = render("imagine-success.json", {
      properties: { notifyHook: "https://bot.example/hooks/mj/SECRET-PATH" },
    });
    expect(JSON.stringify(rendered.payload)).not.toContain("SECRET-PATH");
  });
});

describe("button helpers", () => {
  it.each(["🔄", "1️⃣", "🖌️", "⬅️", "❤️", "🪄"])("accepts the unicode emoji %s", (emoji) => {
    expect(toButtonEmoji(emoji)).toEqual({ name: emoji });
  });

  it("accepts a full custom emoji and refuses a bare custom name", () => {
    expect(toButtonEmoji("<:upscale_1:123456789012345678>")).toEqual({
      id: "123456789012345678",
      name: "upscale_1",
      animated: false,
    });
    expect(toButtonEmoji("upscale_1")).toBeNull();
    expect(toButtonEmoji("")).toBeNull();
  });

  it("derives labels from customIds", () => {
    expect(fallbackLabel("MJ::JOB::upsample::3::h", "en")).toBe("U3");
    expect(fallbackLabel("MJ::Outpaint::50::1::h::SOLO", "en")).toBe("Zoom Out 2x");
    expect(fallbackLabel("MJ::CustomZoom::h", "en")).toBe("Custom Zoom");
    expect(fallbackLabel("something else", "en")).toBe("Action");
  });
});

describe("what Midjourney's own bot users expect", () => {
  it("shows the buttons already used on a message as primary and leaves the others as upstream styled them", () => {
    const task = taskFixture("imagine-success.json");
    const [u2, v1] = ["upsample::2", "variation::1"].map(
      (family) => task.buttons.find((b) => b.customId.includes(family))?.customId as string,
    );
    const plain = renderTaskMessage(task, { locale: "en" });
    const used = renderTaskMessage(task, { locale: "en", usedButtons: [u2 as string, v1 as string] });
    const styleOf = (rendered: typeof plain) =>
      Object.fromEntries(
        rendered.payload.components
          .flatMap((row) => row.components)
          .map((b) => [(b as { custom_id: string }).custom_id, b.style]),
      );
    expect(styleOf(used)).toEqual({
      ...styleOf(plain),
      [`mj:${task.id}:${u2}`]: 1,
      [`mj:${task.id}:${v1}`]: 1,
    });
    expect(used.fingerprint).not.toBe(plain.fingerprint);
    expect(validateMessagePayload(toRestBody(used.payload))).toEqual([]);
  });

  it("shows times as Discord timestamps with a relative time", () => {
    const { embed } = render("imagine-success.json");
    const finished = embed.fields?.find((f) => f.name === "Finished")?.value;
    expect(finished).toBe("<t:1732012398:f> (<t:1732012398:R>), after 48 s");
  });

  it("words the completion ping with the requester's mention and what finished, allowing only that mention", () => {
    const done = renderCompletionPing(taskFixture("imagine-success.json"), "900000000000000101", "en");
    expect(done).toEqual({
      content: "<@900000000000000101> your Imagine job is done.",
      allowedMentions: { users: ["900000000000000101"], repliedUser: false },
    });
    expect(
      renderCompletionPing(taskFixture("imagine-failure.json"), "900000000000000101", "en").content,
    ).toBe("<@900000000000000101> your Imagine job failed.");
    expect(
      renderCompletionPing(taskFixture("imagine-success.json"), "900000000000000101", "zh-CN").content,
    ).toBe("<@900000000000000101> 你的绘图任务已完成。");
  });
});
