// The updater's part in results that last, with the real store, scheduler, REST editor and media
// downloader against the fake Discord and the fake MJ's result files.
import { REST, Routes } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { RestMessageEditor } from "../../src/discord/messages/messageEditor.js";
import { createLogger } from "../../src/logger.js";
import { MediaDownloader } from "../../src/media/downloadMedia.js";
import { ResultMedia } from "../../src/media/resultMedia.js";
import type { Task } from "../../src/mj/schema.js";
import { renderTaskMessage } from "../../src/render/renderTaskMessage.js";
import { type FakeDiscord, startFakeDiscord } from "../../src/sandbox/discord/fakeDiscord.js";
import { type FakeMj, startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { pngFor } from "../../src/sandbox/mj/sampleMedia.js";
import { EditScheduler } from "../../src/tracking/editScheduler.js";
import { TaskRegistry } from "../../src/tracking/registry.js";
import type { TrackedMessage } from "../../src/tracking/store.js";
import { TrackingStore } from "../../src/tracking/store.js";
import { TaskUpdater } from "../../src/tracking/updater.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";
import { taskFixture } from "../support/fixtures.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const logger = createLogger({ level: "silent", secrets: [] });
const TASK_ID = "1745831123456782";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const discord: FakeDiscord = await startFakeDiscord(checkedAgainstSpec);
  const mj: FakeMj = await startFakeMj();
  const store = await TrackingStore.open(temporaryStoreUrl());
  const rest = new REST({ api: discord.apiUrl }).setToken(discord.token);
  const editor = new RestMessageEditor({ rest, apiUrl: discord.apiUrl, token: discord.token });
  cleanups.push(() => editor.close());
  const edits = new EditScheduler({ editor, logger, retryDelaysMs: [] });
  const media = new ResultMedia(
    new MediaDownloader({ maxBytes: 1024 * 1024, timeoutMs: 5000, trustedOrigin: mj.url }),
    logger,
  );
  cleanups.push(
    () => discord.close(),
    () => mj.close(),
    () => store.close(),
    () => media.close(),
  );
  const registry = new TaskRegistry(store);
  const updater = new TaskUpdater({ registry, edits, logger, maxAgeMs: 3_600_000, media });
  return { discord, mj, rest, registry, edits, updater };
}

function swap(mj: FakeMj, patch: Record<string, unknown> = {}): Task {
  return taskFixture("swapface-success.json", { imageUrl: mj.mediaUrl(`${TASK_ID}/swap.png`), ...patch });
}

function tracked(
  messageId: string,
  channelId: string,
  task: Task,
  extra: Partial<TrackedMessage> = {},
): TrackedMessage {
  return {
    messageId,
    channelId,
    guildId: null,
    requesterId: null,
    fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
    createdAt: Date.now(),
    ...extra,
  };
}

describe("TaskUpdater and a result's files", () => {
  it("edits a message that holds the files by pointing at them, keeping them, uploading nothing", async () => {
    const { discord, mj, rest, registry, edits, updater } = await setup();
    const source = mj.mediaUrl(`${TASK_ID}/swap.png`);
    // The message as an earlier upload left it: one file, shown by the embed.
    const posted = (await rest.post(Routes.channelMessages(discord.channelId), {
      body: {
        embeds: [{ title: "Swap face · Done", image: { url: `attachment://${TASK_ID}-1.png` } }],
        attachments: [{ id: "0", filename: `${TASK_ID}-1.png` }],
      },
      files: [
        { key: "files[0]", name: `${TASK_ID}-1.png`, data: pngFor("earlier"), contentType: "image/png" },
      ],
    })) as { id: string; attachments: { id: string; url: string }[] };
    const running = swap(mj, { status: "IN_PROGRESS", progress: "50%", imageUrl: "" });
    await updater.attach(
      running,
      tracked(posted.id, discord.channelId, running, {
        media: { files: [{ source, name: `${TASK_ID}-1.png` }] },
      }),
    );

    await updater.onTaskUpdate(swap(mj));
    await edits.drain(5000);
    await registry.drain();
    const patch = discord.requests.filter((r) => r.method === "PATCH").at(-1);
    expect(patch?.files).toBeUndefined();
    expect(patch?.body).not.toHaveProperty("attachments");
    expect((patch!.body as { embeds: { image?: { url: string } }[] }).embeds[0]?.image?.url).toBe(
      `attachment://${TASK_ID}-1.png`,
    );
    const shown = discord.messages.get(posted.id)!;
    expect(shown.attachments.map((a) => a.id)).toEqual(posted.attachments.map((a) => a.id));
    expect((shown.embeds[0] as { image: { url: string } }).image.url).toBe(posted.attachments[0]?.url);
    expect(mj.requestsTo(/^\/media\//)).toEqual([]);
    expect((await registry.store.getTask(TASK_ID))?.stopped).toBe("final");
  });

  it("keeps the record finishing, and polls nothing, while the files are on their way; stops once Discord has them", async () => {
    const { discord, mj, registry, edits, updater } = await setup();
    const path = `${TASK_ID}/swap.png`;
    mj.serveMedia(path, { contentType: "image/png", bytes: pngFor(path), delayMs: 400 });
    const message = discord.seedMessage(discord.channelId);
    const running = swap(mj, { status: "IN_PROGRESS", progress: "50%", imageUrl: "" });
    await updater.attach(running, tracked(message.id, discord.channelId, running));

    await updater.onTaskUpdate(swap(mj));
    await mj.waitForRequest((r) => r.path === `/media/${path}`);
    await discord.waitFor(
      () => (discord.messages.get(message.id)?.embeds[0] as { title?: string })?.title === "Swap face · Done",
    );
    expect(registry.peek(TASK_ID)?.finishing).toBe("final");
    expect(updater.wantsUnchangedState(TASK_ID)).toBe(false);

    await discord.waitFor(() => discord.messages.get(message.id)?.attachments.length === 1);
    await edits.drain(5000);
    await registry.drain();
    expect(registry.peek(TASK_ID)).toBeUndefined();
    const stored = await registry.store.getTask(TASK_ID);
    expect(stored?.stopped).toBe("final");
    expect(stored?.messages[0]?.media?.files).toEqual([
      { source: mj.mediaUrl(path), name: `${TASK_ID}-1.png` },
    ]);
    expect(discord.requests.filter((r) => r.files)).toHaveLength(1);
  });
});
