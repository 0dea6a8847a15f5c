// The poller with the real MJ client against the fake MJ proxy, and the real updater, registry,
// store and edit scheduler; Discord's edits are recorded in memory.
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { MjClient } from "../../src/mj/client.js";
import { parseTask, type Task } from "../../src/mj/schema.js";
import { renderTaskMessage } from "../../src/render/renderTaskMessage.js";
import { startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { EditScheduler } from "../../src/tracking/editScheduler.js";
import { Poller } from "../../src/tracking/poller.js";
import { TaskRegistry } from "../../src/tracking/registry.js";
import { TrackingStore } from "../../src/tracking/store.js";
import { TaskUpdater } from "../../src/tracking/updater.js";
import { readFixture } from "../support/fixtures.js";
import { MemoryEditor } from "../support/memoryEditor.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const logger = createLogger({ level: "silent", secrets: [] });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(taskCount: number) {
  const fake = await startFakeMj();
  const mj = new MjClient({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    authStyle: fake.authStyle,
    listChunkSize: 2,
  });
  const store = await TrackingStore.open(temporaryStoreUrl());
  cleanups.push(
    () => fake.close(),
    () => mj.close(),
    () => store.close(),
  );
  const registry = new TaskRegistry(store);
  const editor = new MemoryEditor();
  const edits = new EditScheduler({ editor, logger, retryDelaysMs: [] });
  // The tracker's clock: each tick() below comes one poll interval after the last.
  let clock = Date.now();
  const start = clock;
  const updater = new TaskUpdater({ registry, edits, logger, maxAgeMs: 3_600_000, now: () => clock });
  const poller = new Poller({ registry, updater, mj, logger, intervalMs: 3000, now: () => clock });
  const ids = Array.from({ length: taskCount }, (_, i) => `17320000000000${String(i).padStart(2, "0")}`);
  for (const [index, id] of ids.entries()) {
    fake.addTask({
      ...readFixture<Record<string, unknown>>("imagine-in-progress.json"),
      id,
      progress: "10%",
    });
    const task = parseTask(fake.task(id)) as Task;
    await updater.attach(task, {
      channelId: "200000000000000001",
      messageId: `3000000000000000${String(index).padStart(2, "0")}`,
      guildId: null,
      requesterId: null,
      fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
      createdAt: Date.now(),
    });
  }
  /** One poll, and everything it set off. */
  const tick = async () => {
    clock += 3000;
    await poller.tick();
    await registry.drain();
    await edits.drain(2000);
    await registry.drain();
  };
  /** One poll and the updates it set off, without waiting for Discord. */
  const poll = async () => {
    clock += 3000;
    await poller.tick();
    await registry.drain();
  };
  return { fake, mj, editor, edits, registry, updater, ids, tick, poll, elapsed: () => clock - start };
}

describe("Poller", () => {
  it("asks for every task in chunks and edits only the messages whose task changed", async () => {
    const { fake, editor, ids, tick } = await setup(5);
    await tick();
    expect(editor.sent).toEqual([]);
    expect(fake.requestsTo("/mj/task/list-by-condition")).toHaveLength(3);

    fake.setTask(ids[3]!, { progress: "55%" });
    await tick();
    expect(editor.sent.map((s) => s.target.messageId)).toEqual(["300000000000000003"]);
    expect(editor.sent[0]?.description).toMatch(/55%/);
  });

  it("shows an outage notice once polls have failed for 30 s, with one edit, and takes it away when upstream answers", async () => {
    const { fake, editor, tick, elapsed } = await setup(1);
    await tick();
    fake.failNext("500", { route: "list", count: 100 });
    // Failing polls 3 s apart: 0 s, 3 s, … 27 s since the first failure show nothing.
    for (let i = 0; i < 10; i++) await tick();
    expect(editor.sent).toEqual([]);
    await tick();
    expect(editor.sent).toHaveLength(1);
    expect(editor.sent[0]?.embed).toMatch(
      /has not answered since <t:(\d+):f> \(<t:\1:R>\); the bot keeps trying/,
    );
    // Still failing: the notice is already there, nothing more is sent.
    for (let i = 0; i < 5; i++) await tick();
    expect(editor.sent).toHaveLength(1);
    expect(elapsed()).toBeGreaterThanOrEqual(45_000);

    fake.clearFaults();
    await tick();
    expect(editor.sent).toHaveLength(2);
    expect(editor.sent[1]?.embed).not.toMatch(/not answered/);
    expect(editor.sent[1]?.description).toMatch(/10%/);
  });

  it("asks for a task the batch answer left out on its own, and applies what that answer says", async () => {
    const { fake, editor, ids, tick } = await setup(1);
    fake.setTask(ids[0]!, { progress: "40%" });
    fake.failNext("empty-list", { route: "list", count: 3 });
    await tick();
    expect(fake.requestsTo(`/mj/task/${ids[0]}/fetch`)).toHaveLength(1);
    expect(editor.sent.map((s) => s.description)).toEqual([expect.stringMatching(/40%/)]);
    await tick();
    await tick();
    expect(fake.requestsTo(`/mj/task/${ids[0]}/fetch`)).toHaveLength(3);
    await tick();
    // The batch route answers again: no more single fetches.
    expect(fake.requestsTo(`/mj/task/${ids[0]}/fetch`)).toHaveLength(3);
  });

  it("sends a final state Discord refused again on the next poll, though upstream has nothing new", async () => {
    const { fake, editor, registry, ids, tick } = await setup(1);
    fake.setTask(ids[0]!, { ...readFixture<Record<string, unknown>>("imagine-success.json"), id: ids[0] });
    editor.refusing = 1;
    await tick();
    expect(editor.sent).toEqual([]);
    expect(registry.peek(ids[0]!)?.finishing).toBe("final");

    await tick();
    expect(editor.sent).toHaveLength(1);
    expect(editor.sent[0]?.embed).toMatch(/Done/);
    expect((await registry.store.getTask(ids[0]!))?.stopped).toBe("final");
  });

  it("does not ask upstream again for a finished task while its final edit waits for Discord", async () => {
    const { fake, editor, edits, registry, ids, tick, poll } = await setup(2);
    const askedIds = () =>
      fake.requestsTo("/mj/task/list-by-condition").map((r) => (r.body as { ids: string[] }).ids);
    fake.setTask(ids[0]!, { ...readFixture<Record<string, unknown>>("imagine-success.json"), id: ids[0] });
    editor.hold();
    await poll();
    expect(askedIds().at(-1)).toEqual([ids[0], ids[1]]);
    expect(registry.peek(ids[0]!)?.finishing).toBe("final");

    await poll();
    await poll();
    expect(askedIds().slice(-2)).toEqual([[ids[1]], [ids[1]]]);

    editor.release();
    await edits.drain(2000);
    await registry.drain();
    expect(editor.sent.map((s) => s.target.messageId)).toEqual(["300000000000000000"]);
    expect(editor.sent[0]?.embed).toMatch(/Done/);
    expect(registry.peek(ids[0]!)).toBeUndefined();
    await tick();
    expect(askedIds().at(-1)).toEqual([ids[1]]);
  });

  it("polls a task whose progress edit waits for Discord once per quarter of its wait so far, the others every interval", async () => {
    const { fake, editor, edits, registry, ids, tick, poll } = await setup(2);
    const polledAt: boolean[] = [];
    const askedIds = () =>
      fake.requestsTo("/mj/task/list-by-condition").map((r) => (r.body as { ids: string[] }).ids);
    const pollAndNote = async () => {
      const before = askedIds().length;
      await poll();
      const asked = askedIds().slice(before).flat();
      expect(asked).toContain(ids[1]);
      polledAt.push(asked.includes(ids[0]!));
    };
    editor.hold();
    fake.setTask(ids[0]!, { progress: "20%" });
    await pollAndNote();
    // The 20% edit is in flight (held); the next state waits behind it, not made yet.
    expect(edits.backlog).toBe(1);
    fake.setTask(ids[0]!, { progress: "30%" });
    await pollAndNote();
    expect(edits.backlog).toBe(2);
    for (let i = 0; i < 8; i++) await pollAndNote();
    fake.setTask(ids[0]!, { progress: "60%" });
    for (let i = 0; i < 4; i++) await pollAndNote();
    // Polls 3 s apart; the edit waits from the second on. Polled after 0, 3, 6, 9, 12 s of waiting
    // (a quarter of it is at most an interval), then after 15 s (next poll 3.75 s later: the
    // second one), 21 s (5.25 s later), 27 s (6.75 s later) and 36 s.
    expect(polledAt).toEqual([
      ...[true, true, true, true, true, true, true],
      ...[false, true, false, true, false, false, true],
    ]);
    // Nothing was lost meanwhile: once Discord takes edits, the newest state is shown.
    editor.release();
    await edits.drain(2000);
    await registry.drain();
    expect(editor.sent.map((s) => s.description.match(/\d+%/)?.[0])).toEqual(["20%", "60%"]);
    // Nothing waits any more: once the poll already planned (9 s later) is made, every interval.
    for (let i = 0; i < 5; i++) await tick();
    expect(askedIds().slice(-5)).toEqual([[ids[1]], [ids[1]], ids, ids, ids]);
  });

  it("gives up a task only once upstream has said for 2 minutes that it does not know it", async () => {
    const { fake, editor, registry, ids, tick, elapsed } = await setup(1);
    await tick();
    fake.forget(ids[0]!);
    // 3 s apart: 40 polls (and their single fetches) cover 117 s of "unknown".
    for (let i = 0; i < 40; i++) await tick();
    expect(registry.peek(ids[0]!)?.failures).toBe(40);
    expect(editor.sent).toEqual([]);
    expect(fake.requestsTo(`/mj/task/${ids[0]}/fetch`)).toHaveLength(40);
    await tick();
    expect(elapsed()).toBeGreaterThanOrEqual(120_000);
    expect(editor.sent.at(-1)?.embed).toMatch(/no longer knows/);
    expect(registry.peek(ids[0]!)).toBeUndefined();
    expect((await registry.store.getTask(ids[0]!))?.stopped).toBe("not-found");
  });

  it("keeps a task whose single fetch fails (an upstream error, not an unknown task)", async () => {
    const { fake, registry, ids, tick } = await setup(1);
    fake.failNext("empty-list", { route: "list", count: 60 });
    fake.failNext("502-html", { route: "fetch", count: 60 });
    for (let i = 0; i < 50; i++) await tick();
    expect(fake.requestsTo(`/mj/task/${ids[0]}/fetch`)).toHaveLength(50);
    expect(registry.peek(ids[0]!)?.failures).toBe(0);
    expect(registry.peek(ids[0]!)?.stopped).toBeNull();
  });

  it("backs off at most a few intervals while upstream is down, probing each interval, and polls at once when it answers", async () => {
    const { fake, mj, registry, updater } = await setup(1);
    const poller = new Poller({ registry, updater, mj, logger, intervalMs: 100 });
    cleanups.push(() => poller.stop());
    fake.failNext("500", { count: Number.POSITIVE_INFINITY });
    poller.start();
    const listCalls = () => fake.requestsTo("/mj/task/list-by-condition");
    await fake.waitFor(() => listCalls().length >= 6, { timeoutMs: 15_000 });
    const gaps = listCalls()
      .slice(1)
      .map((request, index) => request.at - (listCalls()[index]?.at ?? 0));
    // 4 intervals at most, whatever the failures; late timers on a busy machine aside.
    expect(Math.max(...gaps)).toBeLessThan(4 * 100 + 250);
    // While backing off, a single fetch probes every interval instead of the whole batch.
    expect(fake.requestsTo(`/mj/task/${registry.activeIds()[0]}/fetch`).length).toBeGreaterThan(3);

    const before = listCalls().length;
    fake.clearFaults();
    const recovered = Date.now();
    await fake.waitFor(() => listCalls().length > before && listCalls().at(-1)?.at);
    expect((listCalls().at(-1)?.at ?? 0) - recovered).toBeLessThan(2 * 100 + 250);
  });
});
