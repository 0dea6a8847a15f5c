// Reading upstream's place in its queue from what the families send.
import { describe, expect, it } from "vitest";
import { say } from "../../src/i18n/translate.js";
import { queuePosition } from "../../src/mj/queuePosition.js";
import { SubmitResultSchema } from "../../src/mj/schema.js";
import { queueNotice } from "../../src/render/notices.js";
import { readFixture, taskFixture } from "../support/fixtures.js";

const task = (description: string, properties: Record<string, unknown> = {}) => ({ description, properties });

describe("queuePosition", () => {
  it("reads the submit answer's numberOfQueues (Java and C# proxies, new-api's rewritten 22)", () => {
    expect(queuePosition(SubmitResultSchema.parse(readFixture("submit-queued.json")))).toBe(3);
    expect(queuePosition(SubmitResultSchema.parse(readFixture("submit-queued-newapi.json")))).toBe(3);
  });

  it("reads the queue sentence a task carries, in Chinese and in English", () => {
    expect(queuePosition(taskFixture("newapi-queued.json"))).toBe(3);
    expect(queuePosition(taskFixture("imagine-queued-hosted.json"))).toBe(2);
    expect(queuePosition(task("排队中，前面还有0个任务"))).toBe(0);
    expect(queuePosition(task("Queue position: 7"))).toBe(7);
    expect(queuePosition(task("position in the queue: 12"))).toBe(12);
    expect(queuePosition(task("", { numberOfQueues: "4" }))).toBe(4);
  });

  it("says nothing for tasks that do not say where they are", () => {
    expect(queuePosition(taskFixture("imagine-submitted.json"))).toBeNull();
    expect(queuePosition(taskFixture("imagine-in-progress.json"))).toBeNull();
    expect(queuePosition(task("/imagine 3 cats --ar 3:2"))).toBeNull();
    expect(queuePosition(task("", { numberOfQueues: -1 }))).toBeNull();
  });

  it("words the notice by how many wait ahead", () => {
    const en = (...args: Parameters<typeof queueNotice>) => say("en", queueNotice(...args));
    expect(en(3)).toBe("Queued: 3 tasks ahead.");
    expect(en(1)).toBe("Queued: 1 task ahead.");
    expect(en(0)).toBe("Queued: next in line.");
    expect(en(null, "wait `here`")).toBe("Queued (`wait 'here'`).");
    expect(en(null)).toBe("Queued.");
    expect(say("zh-CN", queueNotice(3))).toBe("排队中：前面还有 3 个任务。");
    expect(say("zh-CN", queueNotice(null, "排队中，请稍候"))).toBe("排队中（`排队中，请稍候`）。");
  });
});
