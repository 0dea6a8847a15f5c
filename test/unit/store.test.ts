import { rmSync } from "node:fs";
import { dirname } from "node:path";
import Keyv from "keyv";
import { afterAll, describe, expect, it } from "vitest";
import { phrase } from "../../src/i18n/translate.js";
import {
  feedRecordKey,
  keyvRow,
  type PendingPost,
  type TrackedTask,
  TrackingStore,
} from "../../src/tracking/store.js";
import { taskFixture } from "../support/fixtures.js";
import { type RedisServer, startRedis } from "../support/redis.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

function record(taskId: string, stopped: TrackedTask["stopped"] = null): TrackedTask {
  return {
    taskId,
    messages: [
      { messageId: "1", channelId: "2", guildId: "3", requesterId: "4", fingerprint: "f", createdAt: 1 },
    ],
    status: "IN_PROGRESS",
    progress: 45,
    stopped,
    notice: null,
    createdAt: 1,
    updatedAt: 2,
    lastTask: taskFixture("imagine-in-progress.json", { id: taskId }),
    failures: 0,
    failingSince: null,
  };
}

let redis: RedisServer | undefined;
/** Started by the first Redis test, so a machine without redis-server fails only those. */
async function redisUrl(): Promise<string> {
  redis ??= await startRedis();
  return `${redis.url}/0`;
}
afterAll(async () => {
  await redis?.stop();
});

describe.each([
  ["SQLite", async () => temporaryStoreUrl()],
  ["Redis", redisUrl],
])("TrackingStore on %s", (_name, url) => {
  it("keeps records across a reopen and lists only the active ones", async () => {
    const location = await url();
    const store = await TrackingStore.open(location);
    const suffix = Math.random().toString(36).slice(2);
    await store.saveTask(record(`a${suffix}`));
    await store.saveTask(record(`b${suffix}`, "final"));
    await store.saveButtons([
      { key: `k${suffix}`, taskId: `a${suffix}`, customId: "MJ::JOB::upsample::1::h" },
    ]);
    await store.saveClick(`m:${suffix}`, { status: "pending", at: 1 });
    await store.close();

    const reopened = await TrackingStore.open(location);
    const active: string[] = [];
    for await (const task of reopened.activeTasks()) active.push(task.taskId);
    expect(active).toContain(`a${suffix}`);
    expect(active).not.toContain(`b${suffix}`);
    expect((await reopened.getTask(`a${suffix}`))?.lastTask.progress).toBe("45%");
    expect((await reopened.getTask(`b${suffix}`))?.stopped).toBe("final");
    expect(await reopened.getButton(`k${suffix}`)).toEqual({
      key: `k${suffix}`,
      taskId: `a${suffix}`,
      customId: "MJ::JOB::upsample::1::h",
    });
    expect(await reopened.getClick(`m:${suffix}`)).toEqual({ status: "pending", at: 1 });
    await reopened.deleteClick(`m:${suffix}`);
    expect(await reopened.getClick(`m:${suffix}`)).toBeUndefined();
    await reopened.ping();
    await reopened.close();
  });

  it("keeps a feed's record apart from the bot's own, and the records a restart needs", async () => {
    const location = await url();
    const store = await TrackingStore.open(location);
    const suffix = Math.random().toString(36).slice(2);
    const taskId = `t${suffix}`;
    await store.saveTask(record(taskId));
    const notice = phrase("submit.queued", { count: 2 });
    await store.saveTask({ ...record(taskId), feedChannelId: "777", notice });
    const post: PendingPost = {
      id: `p${suffix}`,
      shardId: 0,
      taskId,
      feedChannelId: null,
      channelId: "2",
      guildId: "3",
      requesterId: "4",
      locale: "zh-CN",
      notice: null,
      replyTo: "5",
      clickKey: "5:MJ::JOB::upsample::1::h",
      interaction: null,
      startedAt: 1,
    };
    await store.savePendingPost(post);
    await store.saveSubmitter(taskId, "4");
    await store.saveForm(`m${suffix}`, { userId: "4", sourceTaskId: taskId, at: 1 });
    await store.saveSpend(`3:${suffix}`, { day: "2026-11-25", count: 2, lastAt: 1, running: [] });
    await store.close();

    const reopened = await TrackingStore.open(location);
    expect((await reopened.getTask(taskId))?.notice).toBeNull();
    expect((await reopened.getTask(feedRecordKey("777", taskId)))?.notice).toEqual(notice);
    const pending: PendingPost[] = [];
    for await (const found of reopened.pendingPosts()) if (found.id === post.id) pending.push(found);
    expect(pending).toEqual([post]);
    await reopened.deletePendingPost(post.id);
    for await (const found of reopened.pendingPosts()) expect(found.id).not.toBe(post.id);
    expect(await reopened.getSubmitter(taskId)).toBe("4");
    expect(await reopened.getForm(`m${suffix}`)).toEqual({ userId: "4", sourceTaskId: taskId, at: 1 });
    expect((await reopened.getSpend(`3:${suffix}`))?.count).toBe(2);
    await reopened.checkWritable();
    await reopened.close();
  });
});

describe("TrackingStore.checkWritable", () => {
  it("fails, saying why, once the SQLite file's directory is removed (writes would go to a deleted file)", async () => {
    const location = temporaryStoreUrl();
    const store = await TrackingStore.open(location);
    await store.checkWritable();
    const file = location.replace(/^sqlite:\/\//, "");
    rmSync(dirname(file), { recursive: true, force: true });
    // SQLite itself still takes the write: only the file check notices.
    await store.saveBotHookSecret("written into a deleted file");
    await expect(store.checkWritable()).rejects.toThrow(
      `the SQLite file ${file} no longer exists (was its directory removed?)`,
    );
    await store.close();
  });
});

describe("TrackingStore on SQLite, batched writes", () => {
  it("writes a burst of records together, reads each before it reaches the file, and keeps them all", async () => {
    const location = temporaryStoreUrl();
    const store = await TrackingStore.open(location);
    const ids = Array.from({ length: 1000 }, (_, i) => `17330000${String(i).padStart(8, "0")}`);
    const writes = ids.map((id, i) => store.saveTask(record(id, i % 10 === 0 ? "final" : null)));
    // Read before the batch reached the file: the pending write answers.
    expect((await store.getTask(ids[1]!))?.taskId).toBe(ids[1]);
    await store.deleteClick("none");
    const deleted = store
      .saveClick("gone", { status: "pending", at: 1 })
      .then(() => store.deleteClick("gone"));
    await Promise.all([...writes, deleted]);
    expect(await store.getClick("gone")).toBeUndefined();
    await store.close();

    // keyv reads the rows back in its own format.
    const reopened = await TrackingStore.open(location);
    let active = 0;
    for await (const _ of reopened.activeTasks()) active += 1;
    expect(active).toBe(900);
    expect((await reopened.getTask(ids[0]!))?.stopped).toBe("final");
    expect((await reopened.getTask(ids[999]!))?.messages[0]?.channelId).toBe("2");
    await reopened.close();
    rmSync(dirname(location.replace(/^sqlite:\/\//, "")), { recursive: true, force: true });
  });

  it("writes rows exactly as keyv's serializer does, so text that starts with a colon reads back as sent", async () => {
    const tricky = record("1733000000000099");
    tricky.lastTask = { ...tricky.lastTask, prompt: "::2 cat --ar 1:1", description: ":base64:aGVsbG8=" };
    tricky.messages[0]!.fingerprint = ":colon";
    const row = { value: tricky, expires: 1234 };
    // keyv's own serializer, the one its reader undoes; for a row without such strings too.
    expect(keyvRow(row)).toBe(await new Keyv().serialize?.(row));
    const plain = { value: record("1732012345678905") };
    expect(keyvRow(plain)).toBe(await new Keyv().serialize?.(plain));

    const location = temporaryStoreUrl();
    const store = await TrackingStore.open(location);
    await store.saveTask(tricky);
    await store.close();
    const reopened = await TrackingStore.open(location);
    const read = await reopened.getTask(tricky.taskId);
    expect(read?.lastTask.prompt).toBe("::2 cat --ar 1:1");
    expect(read?.lastTask.description).toBe(":base64:aGVsbG8=");
    expect(read?.messages[0]?.fingerprint).toBe(":colon");
    await reopened.close();
    rmSync(dirname(location.replace(/^sqlite:\/\//, "")), { recursive: true, force: true });
  });
});
