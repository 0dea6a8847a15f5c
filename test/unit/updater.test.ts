// The updater with the real registry, store and edit scheduler; only Discord is replaced, by an
// in-memory editor that can refuse edits.
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { Task } from "../../src/mj/schema.js";
import { renderTaskMessage, type TaskMessagePayload } from "../../src/render/renderTaskMessage.js";
import { EditScheduler, type MessageEditor, type MessageTarget } from "../../src/tracking/editScheduler.js";
import { TaskRegistry } from "../../src/tracking/registry.js";
import { feedRecordKey, TrackingStore } from "../../src/tracking/store.js";
import { TaskUpdater } from "../../src/tracking/updater.js";
import { taskFixture } from "../support/fixtures.js";
import { MemoryEditor } from "../support/memoryEditor.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const logger = createLogger({ level: "silent", secrets: [] });
const TASK_ID = "1732012345678901";
const target = { channelId: "200000000000000001", messageId: "300000000000000001" };

const open: TrackingStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

async function setup(attached = taskFixture("imagine-in-progress.json", { id: TASK_ID, progress: "10%" })) {
  const store = await TrackingStore.open(temporaryStoreUrl());
  open.push(store);
  const registry = new TaskRegistry(store);
  const editor = new MemoryEditor();
  const edits = new EditScheduler({ editor, logger, retryDelaysMs: [] });
  // What the updater asks of the scheduler, counted on the way through.
  const submitted: { final: boolean }[] = [];
  const counted: Pick<EditScheduler, "queue"> = {
    queue: (job) => {
      submitted.push({ final: job.final });
      edits.queue(job);
    },
  };
  const updater = new TaskUpdater({ registry, edits: counted, logger, maxAgeMs: 3_600_000 });
  const task = attached;
  await updater.attach(task, {
    ...target,
    guildId: null,
    requesterId: null,
    fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
    createdAt: Date.now(),
  });
  return { registry, store, editor, edits, submitted, updater };
}

function state(name: string, patch: Record<string, unknown> = {}): Task {
  return taskFixture(name, { id: TASK_ID, ...patch });
}

describe("TaskUpdater", () => {
  it("sends nothing for a state the message already shows", async () => {
    const { editor, edits, updater } = await setup();
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "10%" }));
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "10%" }));
    await edits.drain(1000);
    expect(editor.sent).toEqual([]);
  });

  it("renders a waiting edit from the newest state when its turn comes", async () => {
    const { editor, edits, submitted, updater } = await setup();
    editor.hold();
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "20%" }));
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "30%" }));
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "40%" }));
    editor.release();
    await edits.drain(1000);
    // 20% was on its way before the others came; 30% was never rendered, 40% went next, by the
    // request 30% had made: a request waiting for its turn is not asked again.
    expect(editor.sent.map((s) => /\d+%/.exec(s.description)?.[0])).toEqual(["20%", "40%"]);
    expect(submitted).toHaveLength(2);
  });

  it("asks again, as final, when a final state comes while a progress edit waits", async () => {
    const { editor, edits, registry, submitted, updater } = await setup();
    editor.hold();
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "20%" }));
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "30%" }));
    await updater.onTaskUpdate(state("imagine-success.json"));
    editor.release();
    await edits.drain(1000);
    await registry.drain();
    expect(submitted.map((s) => s.final)).toEqual([false, false, true]);
    expect(editor.sent.map((s) => s.embed.includes("Done"))).toEqual([false, true]);
    expect(registry.peek(TASK_ID)).toBeUndefined();
  });

  it("writes a final state at once, and the states on the way only when the tracker stops", async () => {
    const { registry, store, editor, edits, updater } = await setup(state("imagine-submitted.json"));
    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "30%" }));
    await edits.drain(1000);
    await registry.drain();
    expect(registry.peek(TASK_ID)?.status).toBe("IN_PROGRESS");
    expect((await store.getTask(TASK_ID))?.status).toBe("SUBMITTED");
    await registry.flush();
    expect((await store.getTask(TASK_ID))?.lastTask.progress).toBe("30%");

    editor.hold();
    await updater.onTaskUpdate(state("imagine-success.json"));
    // Written before Discord has taken the edit: a restart now still shows the final state.
    await expect.poll(async () => (await store.getTask(TASK_ID))?.finishing).toBe("final");
    expect((await store.getTask(TASK_ID))?.status).toBe("SUCCESS");
  });

  it("keeps sending a final state Discord refused, and stops tracking once it is delivered", async () => {
    const { registry, editor, edits, updater } = await setup();
    editor.refusing = 1;
    await updater.onTaskUpdate(state("imagine-success.json"));
    await edits.drain(1000);
    await registry.drain();
    expect(editor.sent).toEqual([]);
    expect(registry.peek(TASK_ID)?.finishing).toBe("final");
    expect(updater.wantsUnchangedState(TASK_ID)).toBe(true);

    // The same final state again (the next poll): sent now, and tracking stops.
    await updater.onTaskUpdate(state("imagine-success.json"));
    await edits.drain(1000);
    await registry.drain();
    expect(editor.sent).toHaveLength(1);
    expect(registry.peek(TASK_ID)).toBeUndefined();
    expect((await registry.store.getTask(TASK_ID))?.stopped).toBe("final");
  });

  it("asks nothing more of an unchanged final state while its edit waits for Discord", async () => {
    const { registry, editor, edits, updater } = await setup();
    editor.hold();
    await updater.onTaskUpdate(state("imagine-success.json"));
    expect(registry.peek(TASK_ID)?.finishing).toBe("final");
    expect(updater.wantsUnchangedState(TASK_ID)).toBe(false);

    // Polls keep bringing the same final state while Discord holds the edit: nothing is added.
    await updater.onTaskUpdate(state("imagine-success.json"));
    await updater.onTaskUpdate(state("imagine-success.json"));
    editor.release();
    await edits.drain(1000);
    await registry.drain();
    expect(editor.sent).toHaveLength(1);
    expect(editor.sent[0]?.embed).toContain("Done");
    expect(registry.peek(TASK_ID)).toBeUndefined();
    expect(updater.wantsUnchangedState(TASK_ID)).toBe(true);
  });
});

/** Discord refusing the bot access to every message while `refusing` is set. */
class RefusingEditor implements MessageEditor {
  refusing = true;
  readonly attempts: { target: MessageTarget; embed: string; at: number }[] = [];

  async edit(target: MessageTarget, payload: TaskMessagePayload) {
    this.attempts.push({ target, embed: JSON.stringify(payload.embeds[0]), at: Date.now() });
    return this.refusing ? ("forbidden" as const) : ("edited" as const);
  }
}

describe("TaskUpdater and Discord's refusals", () => {
  it("keeps a message Discord refuses, logs that once, and gives it up TRACK_MAX_AGE_MS after the first refusal", async () => {
    const store = await TrackingStore.open(temporaryStoreUrl());
    open.push(store);
    const registry = new TaskRegistry(store);
    const editor = new RefusingEditor();
    const logs: string[] = [];
    const log = createLogger({
      level: "debug",
      secrets: [],
      destination: { write: (line: string) => void logs.push(line) },
    });
    const edits = new EditScheduler({ editor, logger: log, retryDelaysMs: [] });
    let clock = Date.now();
    const updater = new TaskUpdater({
      registry,
      edits,
      logger: log,
      maxAgeMs: 10 * 60_000,
      now: () => clock,
    });
    const task = state("imagine-in-progress.json", { progress: "10%" });
    await updater.attach(task, {
      ...target,
      guildId: null,
      requesterId: null,
      fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
      createdAt: clock,
    });
    await updater.onTaskUpdate(state("imagine-success.json"));
    await expect.poll(() => registry.peek(TASK_ID)?.messages[0]?.forbiddenSince).toBe(clock);
    // Still tracked (finishing) while the retry waits; nothing asks upstream again meanwhile.
    expect(registry.peek(TASK_ID)?.finishing).toBe("final");
    expect(updater.needsPoll(TASK_ID)).toBe(false);
    expect((await store.getTask(TASK_ID))?.messages[0]?.forbiddenSince).toBe(clock);

    // The first retry (1 s later) is refused too, still within TRACK_MAX_AGE_MS: kept.
    await expect.poll(() => editor.attempts.length, { timeout: 3000 }).toBe(2);
    expect(editor.attempts[1]!.at - editor.attempts[0]!.at).toBeGreaterThanOrEqual(900);
    await registry.drain();
    expect(registry.peek(TASK_ID)?.messages).toHaveLength(1);
    expect(logs.filter((line) => line.includes("Discord refuses edits of the message"))).toHaveLength(1);

    // The next refusal comes TRACK_MAX_AGE_MS after the first: the message is given up.
    clock += 10 * 60_000;
    await expect.poll(() => editor.attempts.length, { timeout: 4000 }).toBe(3);
    await expect.poll(() => registry.peek(TASK_ID)).toBeUndefined();
    expect(
      logs.some((line) => line.includes("Discord refused edits of the message for TRACK_MAX_AGE_MS")),
    ).toBe(true);
    updater.stop();
  });
});

describe("TaskUpdater sources", () => {
  it("applies a feed's state to the feed's record only, and upstream's to every record of the task", async () => {
    const { registry, editor, edits, updater } = await setup();
    const feedChannel = "200000000000000009";
    const feedTarget = { channelId: feedChannel, messageId: "300000000000000009" };
    const task = state("imagine-in-progress.json", { progress: "10%" });
    await updater.attach(
      task,
      {
        ...feedTarget,
        guildId: null,
        requesterId: null,
        fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
        createdAt: 1,
      },
      null,
      { feedChannelId: feedChannel },
    );
    expect([...registry.keysOf(TASK_ID)].sort()).toEqual(
      [feedRecordKey(feedChannel, TASK_ID), TASK_ID].sort(),
    );

    await updater.onTaskUpdate(state("imagine-success.json", { prompt: "forged" }), { feed: feedChannel });
    await edits.drain(1000);
    await registry.drain();
    expect(editor.sent.map((s) => s.target.messageId)).toEqual([feedTarget.messageId]);
    expect(registry.peek(TASK_ID)?.lastTask.progress).toBe("10%");
    expect(registry.peek(TASK_ID)?.stateFrom).toBe("upstream");

    await updater.onTaskUpdate(state("imagine-in-progress.json", { progress: "60%" }));
    await edits.drain(1000);
    expect(editor.sent.map((s) => s.target.messageId)).toEqual([feedTarget.messageId, target.messageId]);
    expect(editor.sent[1]?.description).toMatch(/60%/);
  });

  it("attaching a newer state to a tracked task edits its other messages, and a recovered message at once", async () => {
    const { registry, editor, edits, updater } = await setup();
    const second = { channelId: "200000000000000002", messageId: "300000000000000002" };
    const newer = state("imagine-in-progress.json", { progress: "50%" });
    await updater.attach(newer, {
      ...second,
      guildId: null,
      requesterId: null,
      fingerprint: renderTaskMessage(newer, { locale: "en" }).fingerprint,
      createdAt: 2,
    });
    await edits.drain(1000);
    expect(editor.sent.map((s) => [s.target.messageId, /\d+%/.exec(s.description)?.[0]])).toEqual([
      [target.messageId, "50%"],
    ]);
    expect(registry.peek(TASK_ID)?.progress).toBe(50);

    // Found again after a restart, showing who knows what: an unknown fingerprint is edited now.
    const found = { channelId: "200000000000000003", messageId: "300000000000000003" };
    await updater.attach(newer, {
      ...found,
      guildId: null,
      requesterId: null,
      fingerprint: "",
      createdAt: 3,
    });
    await edits.drain(1000);
    expect(editor.sent.map((s) => s.target.messageId)).toEqual([target.messageId, found.messageId]);
  });

  it("gives a message found again for a task that finished meanwhile its final edit, then stops", async () => {
    const { registry, store, editor, edits } = await setup();
    const updater = new TaskUpdater({ registry, edits, logger, maxAgeMs: 3_600_000 });
    const finished = taskFixture("imagine-success.json", { id: "1732012345670099" });
    const found = { channelId: "200000000000000004", messageId: "300000000000000004" };
    await updater.attach(finished, {
      ...found,
      guildId: null,
      requesterId: null,
      fingerprint: "",
      createdAt: 4,
    });
    await edits.drain(1000);
    await registry.drain();
    expect(editor.sent.map((s) => [s.target.messageId, s.embed.includes("Done")])).toEqual([
      [found.messageId, true],
    ]);
    expect(registry.peek(finished.id)).toBeUndefined();
    expect((await store.getTask(finished.id))?.stopped).toBe("final");
  });
});
