// The real MjClient against the fake MJ proxy on loopback.
import { afterEach, describe, expect, it } from "vitest";
import { MjClient, type PolledChunk, type PolledTask } from "../../src/mj/client.js";
import {
  MjAuthError,
  MjBadResponse,
  MjInvalidTaskId,
  MjNotFound,
  MjUnavailable,
} from "../../src/mj/errors.js";
import { type FakeMj, type FakeMjOptions, startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { readFixture } from "../support/fixtures.js";

const open: { fake: FakeMj; client: MjClient }[] = [];
afterEach(async () => {
  for (const { fake, client } of open.splice(0)) {
    await client.close();
    await fake.close();
  }
});

async function setup(
  options: FakeMjOptions = {},
  clientOptions: Partial<ConstructorParameters<typeof MjClient>[0]> = {},
) {
  const fake = await startFakeMj(options);
  const client = new MjClient({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    authStyle: fake.authStyle,
    timeoutMs: 1500,
    ...clientOptions,
  });
  open.push({ fake, client });
  return { fake, client };
}

/** Every chunk of a poll, with its tasks by id. */
async function pollAll(client: MjClient, ids: string[]) {
  const chunks: (PolledChunk & { found: Map<string, PolledTask> })[] = [];
  for await (const chunk of client.pollTasks(ids)) {
    const found = new Map(chunk.tasks.map((polled) => [polled.task?.id ?? "", polled]));
    chunks.push({ ...chunk, found });
  }
  return chunks;
}

const taskFixtures = [
  "imagine-submitted.json",
  "imagine-in-progress.json",
  "imagine-success.json",
  "imagine-failure.json",
  "upscale-success.json",
  "describe-success-seed.json",
  "customzoom-modal.json",
  "newapi-before-first-poll.json",
  "newapi-failure.json",
];

describe("MjClient against a fake MJ proxy", () => {
  it.each(taskFixtures)("fetches and parses %s", async (name) => {
    const { fake, client } = await setup();
    const raw = readFixture<{ id: string }>(name);
    fake.addTask(raw);
    const task = await client.fetchTask(raw.id);
    expect(task.id).toBe(raw.id);
  });

  it.each(["new-api", "java", "csharp"] as const)(
    "reports an unknown id as not found (%s)",
    async (family) => {
      const { client } = await setup({ family });
      await expect(client.fetchTask("1732000000000000")).rejects.toBeInstanceOf(MjNotFound);
    },
  );

  it.each(["bearer", "mj-api-secret"] as const)("sends the %s header", async (authStyle) => {
    const { fake, client } = await setup({ authStyle });
    fake.addImagine("1732012345678901");
    await client.fetchTask("1732012345678901");
    const headers = fake.requests[0]!.headers;
    if (authStyle === "bearer") expect(headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    else expect(headers["mj-api-secret"]).toBe(fake.apiKey);
  });

  it("reports a wrong key as an auth error without echoing the key", async () => {
    const { fake } = await setup();
    const client = new MjClient({ baseUrl: fake.url, apiKey: "sk-wrong-key-123", authStyle: "bearer" });
    open.push({ fake: await startFakeMj(), client });
    const error = await client.fetchTask("1732012345678901").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MjAuthError);
    expect(String((error as Error).message)).not.toContain("sk-wrong-key-123");
  });

  it("maps 5xx, HTML pages, timeouts and resets to typed errors", async () => {
    const { fake, client } = await setup();
    fake.addImagine("1732012345678901");
    fake.failNext("500");
    await expect(client.fetchTask("1732012345678901")).rejects.toBeInstanceOf(MjUnavailable);
    fake.failNext("502-html");
    await expect(client.fetchTask("1732012345678901")).rejects.toBeInstanceOf(MjUnavailable);
    fake.failNext("html-200");
    await expect(client.fetchTask("1732012345678901")).rejects.toBeInstanceOf(MjBadResponse);
    fake.failNext("timeout");
    const started = Date.now();
    await expect(client.fetchTask("1732012345678901")).rejects.toBeInstanceOf(MjUnavailable);
    expect(Date.now() - started).toBeLessThan(5000);
    // A rate-limiting gateway's bare 429 is trouble, not "this task does not exist".
    fake.failNext("429-empty");
    await expect(client.fetchTask("1732012345678901")).rejects.toBeInstanceOf(MjUnavailable);
    fake.failNext("reset");
    await expect(client.fetchTask("1732012345678901")).rejects.toBeInstanceOf(MjUnavailable);
    expect((await client.fetchTask("1732012345678901")).status).toBe("SUBMITTED");
  });

  it("validates ids before sending anything", async () => {
    const { fake, client } = await setup();
    await expect(client.fetchTask("../x")).rejects.toBeInstanceOf(MjInvalidTaskId);
    await expect(client.fetchTask("a".repeat(65))).rejects.toBeInstanceOf(MjInvalidTaskId);
    await expect(client.submitAction({ taskId: "a/b", customId: "x" })).rejects.toBeInstanceOf(
      MjInvalidTaskId,
    );
    expect(fake.requests).toEqual([]);
  });

  it("polls many tasks in chunks of at most 1,000 ids, whatever order upstream answers in", async () => {
    const { fake, client } = await setup();
    const ids = Array.from({ length: 2500 }, (_, i) => `17320${String(i).padStart(11, "0")}`);
    for (const id of ids.slice(0, 2400)) fake.addTask({ id, status: "IN_PROGRESS", progress: "10%" });
    const chunks = await pollAll(client, ids);
    expect(chunks.map((chunk) => chunk.asked.length)).toEqual([1000, 1000, 500]);
    expect(chunks.map((chunk) => chunk.found.size)).toEqual([1000, 1000, 400]);
    expect(chunks[0]?.found.get(ids[5]!)?.task?.progress).toBe("10%");
    const batches = fake.requestsTo("/mj/task/list-by-condition");
    expect(batches.map((r) => (r.body as { ids: string[] }).ids.length)).toEqual([1000, 1000, 500]);
  });

  it("signs each polled task so that only a change upstream changes the signature", async () => {
    const { fake, client } = await setup();
    const ids = ["1732000000000001", "1732000000000002"];
    for (const id of ids) fake.addTask({ id, status: "IN_PROGRESS", progress: "10%" });
    const signatures = async () =>
      (await pollAll(client, ids)).flatMap((chunk) => ids.map((id) => chunk.found.get(id)?.signature));
    const first = await signatures();
    expect(first.every((signature) => typeof signature === "string" && signature.length > 0)).toBe(true);
    expect(await signatures()).toEqual(first);
    fake.setTask(ids[1]!, { progress: "20%" });
    const second = await signatures();
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
  });

  it.each([true, false])(
    "leaves tasks whose signature the caller knows unparsed (batch route: %s)",
    async (listByCondition) => {
      const { fake, client } = await setup({ listByCondition });
      const ids = ["1732000000000001", "1732000000000002"];
      for (const id of ids) fake.addTask({ id, status: "IN_PROGRESS", progress: "10%" });
      const first: PolledTask[] = [];
      for await (const chunk of client.pollTasks(ids)) first.push(...chunk.tasks);
      const seen = new Set(first.map((polled) => polled.signature));
      fake.setTask(ids[1]!, { progress: "20%" });
      const second: PolledTask[] = [];
      for await (const chunk of client.pollTasks(ids, (signature) => seen.has(signature))) {
        second.push(...chunk.tasks);
      }
      expect(second).toHaveLength(2);
      const unchanged = second.find((polled) => seen.has(polled.signature));
      const changed = second.find((polled) => !seen.has(polled.signature));
      expect(unchanged?.task).toBeUndefined();
      expect(changed?.task).toMatchObject({ id: ids[1], progress: "20%" });
    },
  );

  it("falls back to one GET per task when the batch route is missing", async () => {
    const { fake, client } = await setup({ listByCondition: false });
    const ids = ["1732000000000001", "1732000000000002", "1732000000000003"];
    for (const id of ids) fake.addTask({ id, status: "SUCCESS" });
    const [chunk] = await pollAll(client, [...ids, "1732000000000009"]);
    expect([...(chunk?.found.keys() ?? [])].sort()).toEqual(ids);
    expect(chunk?.found.get(ids[0]!)?.task?.status).toBe("SUCCESS");
    expect(fake.requestsTo(/\/fetch$/)).toHaveLength(4);
    // The missing route is remembered: the next call goes straight to single fetches.
    await pollAll(client, ids);
    expect(fake.requestsTo("/mj/task/list-by-condition")).toHaveLength(1);
  });

  it("reads the image seed", async () => {
    const { fake, client } = await setup();
    fake.addImagine("1732012345678901");
    fake.setSeed("1732012345678901", "2701468283");
    expect(await client.imageSeed("1732012345678901")).toBe("2701468283");
  });

  it("submits an action with exactly taskId and customId, and reads every result code", async () => {
    const { fake, client } = await setup();
    fake.addTask(readFixture("imagine-success.json"));
    const customId = "MJ::JOB::upsample::1::0f3b2c1e-7a45-4d2b-9c61-5e8f2a9b1c77";
    const ok = await client.submitAction({ taskId: "1732012345678901", customId });
    expect(fake.requestsTo("/mj/submit/action")[0]?.body).toEqual({ taskId: "1732012345678901", customId });
    expect(ok.code).toBe(1);
    for (const name of [
      "submit-queued.json",
      "submit-needs-modal.json",
      "submit-queue-full.json",
      "submit-banned.json",
      "submit-validation.json",
    ]) {
      const expected = readFixture<{ code: number }>(name);
      fake.nextSubmitResult("action", expected);
      expect((await client.submitAction({ taskId: "1732012345678901", customId })).code).toBe(expected.code);
    }
  });
});
