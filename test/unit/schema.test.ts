import { describe, expect, it } from "vitest";
import {
  isFinalStatus,
  parseTask,
  progressPercent,
  rawTaskId,
  SubmitResultSchema,
} from "../../src/mj/schema.js";
import { fixtureNames, readFixture } from "../support/fixtures.js";

const taskFixtures = fixtureNames().filter(
  (name) =>
    !name.startsWith("submit-") &&
    name !== "fetch-unknown-aggregator.json" &&
    name !== "list-by-condition.json",
);

describe("Task schema", () => {
  it.each(taskFixtures)("accepts the task fixture %s", (name) => {
    const raw = readFixture<Record<string, unknown>>(name);
    const task = parseTask(raw);
    expect(task).not.toBeNull();
    expect(task?.id).toBe(raw.id);
  });

  it("accepts every task of list-by-condition.json", () => {
    const list = readFixture<unknown[]>("list-by-condition.json");
    expect(list.map((item) => parseTask(item)?.id)).toEqual(["1732012412345678", "1732012345678901"]);
  });

  it("does not take new-api's task_no_found answer for a task", () => {
    expect(parseTask(readFixture("fetch-unknown-aggregator.json"))).toBeNull();
    expect(parseTask(null)).toBeNull();
    expect(parseTask("")).toBeNull();
    expect(parseTask([])).toBeNull();
  });

  it("reads a raw task's id exactly as the schema does, without parsing the rest", () => {
    const bodies: unknown[] = [
      ...readFixture<unknown[]>("list-by-condition.json"),
      readFixture("imagine-success.json"),
      readFixture("fetch-unknown-aggregator.json"),
      { id: 1732000000000001, status: "SUCCESS" },
      { id: "  1732000000000002 " },
      { id: "   " },
      { id: null },
      { id: true },
      [{ id: "1732000000000003" }],
      null,
      "1732000000000004",
    ];
    for (const body of bodies) expect(rawTaskId(body)).toBe(parseTask(body)?.id ?? null);
    expect(rawTaskId({ id: 1732000000000001 })).toBe("1732000000000001");
  });

  it("treats new-api's empty status as submitted and its 0 timestamps as not yet", () => {
    const task = parseTask(readFixture("newapi-before-first-poll.json"))!;
    expect(task.status).toBe("SUBMITTED");
    expect(task.startTime).toBeNull();
    expect(task.finishTime).toBeNull();
    expect(task.submitTime).toBe(1732012888888);
    expect(task.buttons).toEqual([]);
    expect(task.properties).toEqual({});
  });

  it("tolerates numbers as strings, nulls, missing and unknown fields", () => {
    const task = parseTask({
      id: 1732012345678901,
      status: "in_progress",
      progress: 45,
      submitTime: "1732012345678",
      startTime: null,
      buttons: [
        { customId: "MJ::JOB::upsample::1::h", style: "3", type: "2", label: null },
        { label: "no custom id" },
        "not a button",
      ],
      somethingNew: { nested: true },
    })!;
    expect(task).toMatchObject({
      id: "1732012345678901",
      status: "IN_PROGRESS",
      progress: "45%",
      submitTime: 1732012345678,
      startTime: null,
      prompt: "",
      failReason: "",
    });
    expect(task.buttons).toEqual([
      { customId: "MJ::JOB::upsample::1::h", emoji: "", label: "", type: 2, style: 3 },
    ]);
    expect(task).not.toHaveProperty("somethingNew");
  });

  it("keeps the media entries that have a URL, dates in ISO form, and only object properties", () => {
    const task = parseTask({
      id: " 1732012345678901 ",
      imageUrls: [
        { url: "https://cdn.example.com/a.png", thumbnail: null },
        { url: "" },
        { thumbnail: "x" },
        7,
      ],
      videoUrls: "not a list",
      finishTime: "2024-11-19T10:32:25.678Z",
      startTime: 0,
      properties: ["not", "an", "object"],
    })!;
    expect(task.id).toBe("1732012345678901");
    expect(task.imageUrls).toEqual([{ url: "https://cdn.example.com/a.png", thumbnail: "" }]);
    expect(task.videoUrls).toEqual([]);
    expect(task.finishTime).toBe(Date.parse("2024-11-19T10:32:25.678Z"));
    expect(task.startTime).toBeNull();
    expect(task.properties).toEqual({});
    expect(task.status).toBe("SUBMITTED");
  });

  it("reads the percentage out of a progress string", () => {
    expect(progressPercent({ progress: "45%" })).toBe(45);
    expect(progressPercent({ progress: "" })).toBeNull();
    expect(progressPercent({ progress: "100%" })).toBe(100);
  });

  it("knows the final statuses", () => {
    expect(["SUCCESS", "FAILURE", "CANCEL"].every(isFinalStatus)).toBe(true);
    expect(["SUBMITTED", "IN_PROGRESS", "MODAL", "NOT_START"].some(isFinalStatus)).toBe(false);
  });
});

describe("SubmitResult schema", () => {
  it.each(fixtureNames().filter((name) => name.startsWith("submit-")))("accepts %s", (name) => {
    const raw = readFixture<{ code: number }>(name);
    const parsed = SubmitResultSchema.parse(raw);
    expect(parsed.code).toBe(raw.code);
  });

  it("reads the banned word and the queue size from properties", () => {
    expect(SubmitResultSchema.parse(readFixture("submit-banned.json")).properties.bannedWord).toBe("nsfw");
    expect(SubmitResultSchema.parse(readFixture("submit-queued.json"))).toMatchObject({
      code: 22,
      result: "1732012777777777",
    });
  });
});
