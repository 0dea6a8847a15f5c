import { afterAll, describe, expect, it } from "vitest";
import { type TrackedTask, TrackingStore } from "../../src/tracking/store.js";
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
});
