// Results that last: a finished task's pictures and videos become files of its Discord message,
// downloaded from upstream with limits and uploaded once; what cannot be had keeps its link.
import { REST, Routes } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage, RecordedRequest } from "../../src/sandbox/discord/fakeDiscord.js";
import { type FakeMj, newTaskId, startFakeMj, type TaskJson } from "../../src/sandbox/mj/fakeMj.js";
import { pngFor } from "../../src/sandbox/mj/sampleMedia.js";
import { useWorlds, type World } from "../support/bot.js";
import { readFixture } from "../support/fixtures.js";
import { editRequestsOf } from "../support/messageEdits.js";

const world = useWorlds();
const MEDIA = { MEDIA_UPLOAD: "true" };

const others: FakeMj[] = [];
afterEach(async () => {
  await Promise.all(others.splice(0).map((mj) => mj.close()));
});

type Embed = {
  title?: string;
  url?: string;
  image?: { url: string };
  fields?: { name: string; value: string }[];
};
type Attachment = { id: string; filename: string; url: string; content_type?: string; size: number };

const embedsOf = (message: FakeMessage) => message.embeds as Embed[];
const attachmentsOf = (message: FakeMessage) => message.attachments as unknown as Attachment[];

/** A four-image imagine whose files the fake MJ serves at its own origin, as new-api does. */
function fourImageTask(mj: FakeMj, id = newTaskId()): { task: TaskJson; steps: TaskJson[] } {
  const fixture = readFixture<TaskJson>("imagine-success-four-images.json");
  const images = [0, 1, 2, 3].map((i) => ({
    url: mj.mediaUrl(`${id}/0_${i}.png`),
    thumbnail: mj.mediaUrl(`${id}/0_${i}_640_N.webp`),
  }));
  const final = { ...fixture, id, imageUrl: mj.mediaUrl(`${id}/grid.png`), imageUrls: images };
  return {
    task: {
      ...final,
      status: "IN_PROGRESS",
      progress: "60%",
      imageUrls: [],
      imageUrl: mj.mediaUrl(`${id}/preview.png`),
      buttons: [],
    },
    steps: [final],
  };
}

/** /mjstatus for a task that the test finishes with mj.advance(id). */
async function showTask(w: World, task: TaskJson, steps: TaskJson[]): Promise<FakeMessage> {
  w.mj.addTask(task, { steps, advance: "manual" });
  const interaction = await w.discord.sendCommand("mjstatus", { id: task.id });
  const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
  await w.discord.waitFor(() => w.bot.app.context.registry.peek(task.id));
  return message;
}

function current(w: World, id: string): FakeMessage {
  const message = w.discord.messages.get(id);
  if (!message) throw new Error(`message ${id} is gone`);
  return message;
}

function patchesOf(w: World, messageId: string): RecordedRequest[] {
  return editRequestsOf(w.discord, messageId);
}

async function bytesAt(url: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(url)).arrayBuffer());
}

describe("results that last", () => {
  it("uploads a finished task's four images with its message, the gallery pointing at them, served back when read", async () => {
    const w = await world({ env: MEDIA });
    const { task, steps } = fourImageTask(w.mj);
    const message = await showTask(w, task, steps);
    // A progress preview stays a link.
    expect(embedsOf(message)[0]?.image?.url).toBe(w.mj.mediaUrl(`${task.id}/preview.png`));

    w.mj.advance(task.id);
    const done = await w.discord.waitFor(() => {
      const shown = current(w, message.id);
      return attachmentsOf(shown).length === 4 ? shown : undefined;
    });
    const upload = patchesOf(w, message.id).find((r) => r.files);
    expect(upload?.files?.map((f) => [f.field, f.filename, f.contentType])).toEqual(
      [1, 2, 3, 4].map((n) => [`files[${n - 1}]`, `${task.id}-${n}.png`, "image/png"]),
    );
    expect((upload!.body as { embeds: Embed[] }).embeds.map((e) => e.image?.url)).toEqual(
      [1, 2, 3, 4].map((n) => `attachment://${task.id}-${n}.png`),
    );
    expect(embedsOf(done)[0]?.title).toBe("Imagine · Done");

    // Read back the way a client reads it: every picture is a file of the message, with the bytes upstream had.
    const rest = new REST({ api: w.discord.apiUrl }).setToken(w.discord.token);
    const read = (await rest.get(Routes.channelMessage(done.channel_id, done.id))) as {
      embeds: Embed[];
      attachments: Attachment[];
    };
    const byUrl = new Map(read.attachments.map((a) => [a.url, a]));
    for (const [i, embed] of read.embeds.entries()) {
      const file = byUrl.get(embed.image?.url ?? "");
      expect(file?.filename).toBe(`${task.id}-${i + 1}.png`);
      expect((await bytesAt(file!.url)).equals(pngFor(`${task.id}/0_${i}.png`))).toBe(true);
    }
    expect(new Set(read.embeds.map((e) => e.url)).size).toBe(1);
    expect(w.discord.rejected).toEqual([]);

    // Done once: tracking stopped, the files remembered in the store, nothing uploaded again.
    await expect.poll(async () => (await w.bot.app.context.store.getTask(task.id))?.stopped).toBe("final");
    const stored = await w.bot.app.context.store.getTask(task.id);
    expect(stored?.messages[0]?.media?.files.map((f) => f.name)).toEqual(
      [1, 2, 3, 4].map((n) => `${task.id}-${n}.png`),
    );
    expect(patchesOf(w, message.id).filter((r) => r.files)).toHaveLength(1);
  });

  it("refuses a file on another port of 127.0.0.1 than the provider's: the link stays, the message is right", async () => {
    const w = await world({ env: MEDIA });
    const elsewhere = await startFakeMj();
    others.push(elsewhere);
    const id = newTaskId();
    const foreign = elsewhere.mediaUrl(`${id}/secret.png`);
    const fixture = readFixture<TaskJson>("swapface-success.json");
    const message = await showTask(
      w,
      { ...fixture, id, status: "IN_PROGRESS", progress: "50%", imageUrl: "", finishTime: null },
      [{ ...fixture, id, imageUrl: foreign }],
    );
    w.mj.advance(id);
    const done = await w.discord.waitFor(() => {
      const shown = current(w, message.id);
      return embedsOf(shown)[0]?.title === "Swap face · Done" ? shown : undefined;
    });
    await expect.poll(async () => (await w.bot.app.context.store.getTask(id))?.stopped).toBe("final");
    expect(embedsOf(done)[0]?.image?.url).toBe(foreign);
    expect(attachmentsOf(done)).toEqual([]);
    expect(elsewhere.requestsTo(/^\/media\//)).toEqual([]);
    expect(patchesOf(w, message.id).some((r) => r.files)).toBe(false);
    const refusal = w.bot.logs.find((line) => line.includes("kept the link of a result file"));
    expect(refusal).toContain("refused (address)");
    expect(refusal).not.toContain("secret.png");
  });

  it("uploads the four videos and their thumbnails of a /video result; Discord plays the files, no link is left", async () => {
    const w = await world({ env: MEDIA });
    const image = w.discord.addAttachment("first-frame.png", "image/png", pngFor("frame"));
    const interaction = await w.discord.sendCommand("video", { prompt: "waves" }, { attachments: { image } });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const done = await w.discord.waitFor(
      () => {
        const shown = current(w, message.id);
        return attachmentsOf(shown).length === 8 ? shown : undefined;
      },
      { timeoutMs: 15_000 },
    );
    const files = attachmentsOf(done).map((a) => [a.filename, a.content_type]);
    expect(files.filter(([, type]) => type === "video/mp4")).toHaveLength(4);
    expect(files.filter(([, type]) => type === "image/webp")).toHaveLength(4);
    for (const embed of embedsOf(done)) expect(embed.image?.url).toMatch(/\.webp$/);
    expect(embedsOf(done)[0]?.fields?.find((f) => f.name === "Videos")).toBeUndefined();
    expect(w.discord.rejected).toEqual([]);
  });

  it("uploads the files of a task that is already finished when /mjstatus shows it", async () => {
    const w = await world({ env: MEDIA });
    const id = newTaskId();
    w.mj.addTask({
      ...readFixture<TaskJson>("swapface-success.json"),
      id,
      imageUrl: w.mj.mediaUrl(`${id}/swap.png`),
    });
    const interaction = await w.discord.sendCommand("mjstatus", { id });
    const reply = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
    const withFile = await w.discord.waitFor(() => {
      const shown = current(w, reply.id);
      return attachmentsOf(shown).length === 1 ? shown : undefined;
    });
    expect(attachmentsOf(withFile)[0]?.filename).toBe(`${id}-1.png`);
    expect(embedsOf(withFile)[0]?.image?.url).toBe(attachmentsOf(withFile)[0]?.url);
    await expect.poll(async () => (await w.bot.app.context.store.getTask(id))?.stopped).toBe("final");
  });

  it("uploads after a restart that cut the download short, and only once", async () => {
    const w = await world({ env: MEDIA });
    const id = newTaskId();
    const path = `${id}/swap.png`;
    w.mj.serveMedia(path, { contentType: "image/png", bytes: pngFor(path), delayMs: 10_000 });
    const fixture = readFixture<TaskJson>("swapface-success.json");
    const message = await showTask(
      w,
      { ...fixture, id, status: "IN_PROGRESS", progress: "50%", imageUrl: "", finishTime: null },
      [{ ...fixture, id, imageUrl: w.mj.mediaUrl(path) }],
    );
    w.mj.advance(id);
    await w.mj.waitForRequest((r) => r.path === `/media/${path}`);
    // Done is shown with the link while the file is on its way.
    await w.discord.waitFor(() => embedsOf(current(w, message.id))[0]?.title === "Swap face · Done");
    // Served at once from now on; the download under way keeps its delay. (Set before the restart:
    // the restarted bot may ask for the file before this test's next line runs.)
    w.mj.serveMedia(path, { contentType: "image/png", bytes: pngFor(path) });
    await w.restart();
    expect((await w.bot.app.context.store.getTask(id))?.finishing).toBe("final");

    const withFile = await w.discord.waitFor(() => {
      const shown = current(w, message.id);
      return attachmentsOf(shown).length === 1 ? shown : undefined;
    });
    expect((await bytesAt(attachmentsOf(withFile)[0]!.url)).equals(pngFor(path))).toBe(true);
    await expect.poll(async () => (await w.bot.app.context.store.getTask(id))?.stopped).toBe("final");
    // A third start finds the files in the store: nothing is downloaded or uploaded again.
    const downloads = w.mj.requestsTo(`/media/${path}`).length;
    await w.restart();
    await w.bot.app.context.registry.drain();
    expect(w.mj.requestsTo(`/media/${path}`)).toHaveLength(downloads);
    expect(patchesOf(w, message.id).filter((r) => r.files)).toHaveLength(1);
    expect(w.discord.rejected).toEqual([]);
  });

  it("keeps the links when Discord refuses the files, and still finishes the message", async () => {
    const w = await world({ env: MEDIA, discord: { uploadLimitBytes: 16 } });
    const { task, steps } = fourImageTask(w.mj);
    const message = await showTask(w, task, steps);
    w.mj.advance(task.id);
    await w.discord.waitFor(() => patchesOf(w, message.id).some((r) => r.files && r.status === 413));
    await expect.poll(async () => (await w.bot.app.context.store.getTask(task.id))?.stopped).toBe("final");
    const done = current(w, message.id);
    expect(embedsOf(done)[0]?.title).toBe("Imagine · Done");
    expect(embedsOf(done).map((e) => e.image?.url)).toEqual(
      [0, 1, 2, 3].map((i) => w.mj.mediaUrl(`${task.id}/0_${i}.png`)),
    );
    expect(attachmentsOf(done)).toEqual([]);
    expect((await w.bot.app.context.store.getTask(task.id))?.messages[0]?.media).toEqual({ files: [] });
    expect(w.bot.logs.some((line) => line.includes("Discord refused the result's files"))).toBe(true);
  });

  it("uploads nothing with MEDIA_UPLOAD=false: the message keeps upstream's links", async () => {
    const w = await world({ env: { MEDIA_UPLOAD: "false" } });
    const { task, steps } = fourImageTask(w.mj);
    const message = await showTask(w, task, steps);
    w.mj.advance(task.id);
    await expect.poll(async () => (await w.bot.app.context.store.getTask(task.id))?.stopped).toBe("final");
    expect(embedsOf(current(w, message.id))[0]?.title).toBe("Imagine · Done");
    expect(w.mj.requestsTo(/^\/media\/.*0_\d\.png$/)).toEqual([]);
    expect(patchesOf(w, message.id).some((r) => r.files)).toBe(false);
  });
});
