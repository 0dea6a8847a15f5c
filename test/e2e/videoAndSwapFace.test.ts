// /video and /swapface: what they submit upstream, and the result followed to its final state.
import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { pngFor } from "../../src/sandbox/mj/sampleMedia.js";
import { useWorlds, type World } from "../support/bot.js";

const world = useWorlds();

type Embed = {
  title?: string;
  image?: { url: string };
  fields?: { name: string; value: string }[];
  footer?: { text: string };
};
type Button = { label?: string; emoji?: { name: string } };

const embedsOf = (message: FakeMessage) => message.embeds as Embed[];

/** The task a message shows, from its footer ("Task <id>"). */
function taskIdOf(message: FakeMessage): string {
  return embedsOf(message)[0]?.footer?.text.replace(/^Task /, "") ?? "";
}

function dataUrl(bytes: Buffer): string {
  return `data:image/png;base64,${bytes.toString("base64")}`;
}

/** The public reply to `interactionId` once it shows `title`. */
function shownAs(w: World, interactionId: string, title: string): Promise<FakeMessage> {
  return w.discord.waitFor(
    () => {
      const message = [...w.discord.messages.values()].find(
        (m) => m.interactionId === interactionId && !m.ephemeral,
      );
      return message && embedsOf(message)[0]?.title === title ? message : undefined;
    },
    { timeoutMs: 15_000 },
  );
}

function ephemeralAnswer(w: World, interactionId: string): Promise<FakeMessage> {
  return w.discord.waitForMessage((m) => m.interactionId === interactionId && m.ephemeral);
}

describe("/video", () => {
  it("submits the image, prompt and motion to /mj/submit/video and follows the four videos to Done", async () => {
    const w = await world();
    const frame = pngFor("first frame");
    const image = w.discord.addAttachment("frame.png", "image/png", frame);
    const interaction = await w.discord.sendCommand(
      "video",
      { prompt: "the waves crash against the lighthouse", motion: "high" },
      { attachments: { image } },
    );
    const done = await shownAs(w, interaction.id, "Video · Done");
    expect(w.mj.requestsTo("/mj/submit/video").map((r) => r.body)).toEqual([
      { image: dataUrl(frame), prompt: "the waves crash against the lighthouse", motion: "high" },
    ]);
    const embeds = embedsOf(done);
    expect(embeds).toHaveLength(4);
    for (const embed of embeds) expect(embed.image?.url).toMatch(/_640_N\.webp$/);
    const videos = embeds[0]?.fields?.find((f) => f.name === "Videos")?.value ?? "";
    expect(videos.match(/\[Video \d\]\([^)]+\.mp4\)/g)).toHaveLength(4);
    const buttons = (done.components as { components: Button[] }[]).flatMap((row) => row.components);
    expect(buttons.map((b) => b.label ?? b.emoji?.name)).toEqual(["U1", "U2", "U3", "U4", "🔄"]);
    await expect
      .poll(async () => (await w.bot.app.context.store.getTask(taskIdOf(done)))?.stopped)
      .toBe("final");
    expect(w.discord.rejected).toEqual([]);
  });

  it("sends only the image when no prompt or motion is given, and says so when the provider wants a prompt", async () => {
    const w = await world({ mj: { family: "csharp", authStyle: "mj-api-secret" } });
    const image = w.discord.addAttachment("frame.png", "image/png", pngFor("frame"));
    const interaction = await w.discord.sendCommand("video", {}, { attachments: { image } });
    const answer = await ephemeralAnswer(w, interaction.id);
    expect(w.mj.requestsTo("/mj/submit/video").map((r) => Object.keys(r.body as object))).toEqual([
      ["image"],
    ]);
    expect(answer.content).toContain("Prompt 不能为空");
    expect(w.discord.channelMessages(w.discord.channelId)).toEqual([]);
  });

  it("refuses a file that is not an image before anything goes upstream", async () => {
    const w = await world();
    const image = w.discord.addAttachment("notes.txt", "text/plain", Buffer.from("hello"));
    const interaction = await w.discord.sendCommand("video", { prompt: "x" }, { attachments: { image } });
    expect((await ephemeralAnswer(w, interaction.id)).content).toMatch(/not a PNG, JPEG, WebP or GIF/);
    expect(w.mj.requestsTo("/mj/submit/video")).toEqual([]);
  });
});

describe("/swapface", () => {
  it("submits sourceBase64 and targetBase64 (and the bot's notifyHook) and follows the swap to Done", async () => {
    const w = await world({ callbacks: true });
    const face = pngFor("face");
    const photo = pngFor("photo");
    const interaction = await w.discord.sendCommand(
      "swapface",
      {},
      {
        attachments: {
          source: w.discord.addAttachment("face.png", "image/png", face),
          target: w.discord.addAttachment("photo.png", "image/png", photo),
        },
      },
    );
    const done = await shownAs(w, interaction.id, "Swap face · Done");
    expect(w.mj.requestsTo("/mj/insight-face/swap").map((r) => r.body)).toEqual([
      { sourceBase64: dataUrl(face), targetBase64: dataUrl(photo), notifyHook: w.bot.app.context.notifyHook },
    ]);
    expect(embedsOf(done)[0]?.image?.url).toMatch(/\/media\/\d+\/swap\.png$/);
    await expect
      .poll(async () => (await w.bot.app.context.store.getTask(taskIdOf(done)))?.stopped)
      .toBe("final");
    expect(w.discord.rejected).toEqual([]);
  });

  it("refuses the same image as face and target without asking upstream", async () => {
    const w = await world();
    const same = pngFor("same");
    const interaction = await w.discord.sendCommand(
      "swapface",
      {},
      {
        attachments: {
          source: w.discord.addAttachment("a.png", "image/png", same),
          target: w.discord.addAttachment("b.png", "image/png", same),
        },
      },
    );
    expect((await ephemeralAnswer(w, interaction.id)).content).toMatch(/same image/);
    expect(w.mj.requestsTo("/mj/insight-face/swap")).toEqual([]);
  });
});
