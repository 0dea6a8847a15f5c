// How a record holds a task's state: compact buttons that mean exactly the list upstream sent,
// and the sharing of unchanged parts between successive states.
import { describe, expect, it } from "vitest";
import { type Button, parseTask, type Task } from "../../src/mj/schema.js";
import { keyvRow, TrackingStore } from "../../src/tracking/store.js";
import {
  buttonList,
  CompactButtons,
  compactButtons,
  shareUnchanged,
  shownTask,
  storedState,
} from "../../src/tracking/storedTask.js";
import { fixtureNames, readFixture, taskFixture } from "../support/fixtures.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const TASK_ID = "1732012345678901";
const HASH = "0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";

function state(name: string, patch: Record<string, unknown> = {}): Task {
  return taskFixture(name, { id: TASK_ID, ...patch });
}

/** Every fixture that is a task with buttons (a list answer's tasks too). */
function tasksWithButtons(): { name: string; task: Task }[] {
  return fixtureNames().flatMap((name) => {
    const body = readFixture<unknown>(name);
    const bodies = Array.isArray(body) ? body : [body];
    return bodies.flatMap((item, index) => {
      const task = parseTask(item);
      return task && task.buttons.length > 0 ? [{ name: `${name}[${index}]`, task }] : [];
    });
  });
}

/** The same buttons for another job: its hash in place of HASH. */
function withHash(buttons: readonly Button[], hash: string): Button[] {
  return buttons.map((button) => ({ ...button, customId: button.customId.replaceAll(HASH, hash) }));
}

describe("storedState", () => {
  it("keeps every fixture's buttons exactly, as JSON (the store's rows) and as a list", () => {
    const fixtures = tasksWithButtons();
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
    for (const { name, task } of fixtures) {
      const stored = storedState(task);
      expect(buttonList(stored.buttons), name).toEqual(task.buttons);
      expect(JSON.parse(JSON.stringify(stored)), name).toEqual(
        JSON.parse(JSON.stringify({ ...task, properties: {} })),
      );
      expect(shownTask(stored), name).toEqual({ ...task, properties: {} });
    }
  });

  it("holds an MJ job's buttons as its hash and a layout shared with every job that has the same buttons", () => {
    const grid = state("imagine-success.json");
    const first = storedState(grid).buttons;
    const other = compactButtons(withHash(grid.buttons, "9a8b7c6d-1111-4222-8333-444455556666"));
    expect(first).toBeInstanceOf(CompactButtons);
    expect(other).toBeInstanceOf(CompactButtons);
    const [a, b] = [first as CompactButtons, other as CompactButtons];
    expect(a.hash).toBe(HASH);
    expect(b.hash).toBe("9a8b7c6d-1111-4222-8333-444455556666");
    expect(b.layout).toBe(a.layout);
    expect(buttonList(b).map((button) => button.customId)).toContain(
      "MJ::JOB::upsample::1::9a8b7c6d-1111-4222-8333-444455556666",
    );
    // Another layout (an upscale's buttons) is another object.
    const upscale = storedState(state("upscale-success.json")).buttons as CompactButtons;
    expect(upscale.layout).not.toBe(a.layout);
  });

  it("keeps a link button's URL, whose hash is the job's too", () => {
    const hosted = state("upscale-success-hosted.json");
    const stored = storedState(hosted).buttons;
    expect(stored).toBeInstanceOf(CompactButtons);
    const web = buttonList(stored).find((button) => button.style === 5);
    expect(web).toEqual(hosted.buttons.find((button) => button.style === 5));
    expect(web?.url).toContain("f6a8b0c2-d4e6-4f80-a1b3-c5d7e9f1a3b5");
  });

  it("keeps the list as it came when the customIds share no hash, or there are none", () => {
    const describeButtons = state("describe-success-csharp.json").buttons;
    expect(describeButtons.length).toBeGreaterThan(0);
    expect(compactButtons(describeButtons)).toBe(describeButtons);
    const links: Button[] = [
      { customId: "", emoji: "", label: "Web", type: 2, style: 5, url: "https://x.test/" },
    ];
    expect(compactButtons(links)).toBe(links);
    expect(buttonList(compactButtons([]))).toEqual([]);
    // Two customIds that share only a short part ("MJ", "JOB") have no hash.
    const short: Button[] = [
      { customId: "MJ::JOB::a::1", emoji: "", label: "A", type: 2, style: 2 },
      { customId: "MJ::JOB::b::1", emoji: "", label: "B", type: 2, style: 2 },
    ];
    expect(compactButtons(short)).toBe(short);
  });

  it("keeps prompt, promptEn and finalPrompt as they came, equal or not", () => {
    const prompts = (name: string, prompt: string, promptEn: string, finalPrompt: string) => {
      const stored = storedState(state(name, { prompt, promptEn, properties: { finalPrompt } }));
      return [stored.prompt, stored.promptEn, stored.finalPrompt];
    };
    expect(prompts("describe-success-java.json", "a cat", "a cat", "a cat")).toEqual([
      "a cat",
      "a cat",
      "a cat",
    ]);
    expect(prompts("imagine-success.json", "一只猫", "a cat", "a cat, 4k")).toEqual([
      "一只猫",
      "a cat",
      "a cat, 4k",
    ]);
  });

  it("drops properties, which can hold the notifyHook URL", () => {
    const task = state("imagine-success.json", {
      properties: { notifyHook: "https://bot.test/hook/secret" },
    });
    expect(storedState(task).properties).toEqual({});
    expect(JSON.stringify(storedState(task))).not.toContain("secret");
  });

  it("escapes a customId that starts with a colon in the store's rows, as keyv reads them", async () => {
    const odd = withHash(state("imagine-success.json").buttons, "feedc0de-0000-4000-8000-000000000000").map(
      (button, index) => (index === 0 ? { ...button, customId: `:${button.customId}` } : button),
    );
    const buttons = compactButtons(odd);
    expect(buttons).toBeInstanceOf(CompactButtons);
    expect(keyvRow({ value: { buttons } })).toContain(`"::${odd[0]?.customId.slice(1)}"`);

    const url = temporaryStoreUrl();
    const store = await TrackingStore.open(url);
    try {
      const task = storedState({ ...state("imagine-success.json"), buttons: odd });
      await store.saveTask({
        taskId: TASK_ID,
        messages: [],
        status: "SUCCESS",
        progress: 100,
        stopped: null,
        notice: null,
        createdAt: 1,
        updatedAt: 1,
        lastTask: task,
        failures: 0,
        failingSince: null,
      });
      await store.close();
      const reopened = await TrackingStore.open(url);
      try {
        const read = await reopened.getTask(TASK_ID);
        // Read back compact again, with the same buttons.
        expect(read?.lastTask.buttons).toBeInstanceOf(CompactButtons);
        expect(buttonList(read?.lastTask.buttons ?? [])).toEqual(odd);
      } finally {
        await reopened.close();
      }
    } catch (error) {
      await store.close();
      throw error;
    }
  });

  it("keeps the state's fields in one shape: no stray fields of an older row, one empty media list for all", () => {
    const submitted = state("imagine-submitted.json");
    const fromOldRow = { ...submitted, legacy: "an old field" } as Task;
    const stored = storedState(fromOldRow);
    expect(Object.keys(stored)).toEqual(Object.keys(storedState(state("imagine-success.json"))));
    expect(stored).not.toHaveProperty("legacy");
    expect(stored.imageUrls).toEqual([]);
    expect(storedState(state("imagine-success.json")).videoUrls).toBe(stored.videoUrls);
    expect(Object.isFrozen(stored.imageUrls)).toBe(true);
  });
});

describe("shareUnchanged", () => {
  it("keeps the earlier copy of every unchanged part, and the earlier state itself when nothing changed", () => {
    const before = storedState(state("imagine-success.json"));
    const same = storedState(state("imagine-success.json"));
    expect(same.buttons).not.toBe(before.buttons);
    expect(shareUnchanged(before, same)).toBe(before);
    const reordered = Object.fromEntries(
      Object.entries(storedState(state("imagine-success.json"))).reverse(),
    );
    expect(shareUnchanged(before, reordered as typeof before)).toBe(before);

    const later = shareUnchanged(
      before,
      storedState(state("imagine-success.json", { finishTime: 1732012999999 })),
    );
    expect(later).not.toBe(before);
    expect(later.finishTime).toBe(1732012999999);
    expect(later.buttons).toBe(before.buttons);
    expect(later).toEqual({ ...before, finishTime: 1732012999999 });
  });

  it("sees a changed label, and a changed hash, as changed buttons", () => {
    const before = storedState(state("imagine-success.json"));
    const grid = state("imagine-success.json");
    const relabelled = storedState({
      ...grid,
      buttons: grid.buttons.map((button, index) => (index === 0 ? { ...button, label: "U9" } : button)),
    });
    const shared = shareUnchanged(before, relabelled);
    expect(shared.buttons).not.toBe(before.buttons);
    expect(buttonList(shared.buttons)[0]?.label).toBe("U9");

    const rehashed = storedState({
      ...grid,
      buttons: withHash(grid.buttons, "12345678-abcd-4ef0-9123-456789abcdef"),
    });
    expect(shareUnchanged(before, rehashed).buttons).not.toBe(before.buttons);
    // A plain list (a record from the store before it is read again) equal to compact buttons is unchanged.
    const plain = { ...storedState(grid), buttons: grid.buttons };
    expect(shareUnchanged(before, plain).buttons).toBe(before.buttons);
  });

  it("keeps one finalPrompt equal to promptEn when the final state brings it", () => {
    const before = storedState(state("imagine-submitted.json", { promptEn: "a cat" }));
    const final = storedState(
      state("imagine-submitted.json", { promptEn: "a cat", properties: { finalPrompt: "a cat" } }),
    );
    const shared = shareUnchanged(before, final);
    expect(shared).not.toBe(before);
    expect(shared.promptEn).toBe(before.promptEn);
    expect(shared.finalPrompt).toBe("a cat");
  });
});
