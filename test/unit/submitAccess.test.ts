// SubmitAccess with the real store and a clock the test moves: every rule, the refund of submits
// that start nothing, one member's submits one at a time, and the allowance a help command shows.
import { afterEach, describe, expect, it } from "vitest";
import type { Member } from "../../src/access/member.js";
import { type Refusal, SubmitAccess, SubmitRefused } from "../../src/access/submitAccess.js";
import type { SubmitPolicy } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { TrackingStore } from "../../src/tracking/store.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const logger = createLogger({ level: "silent", secrets: [] });
const open: TrackingStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

const ALICE: Member = { userId: "100", guildId: "9", roleIds: [], managesServer: false };
const BOB: Member = { ...ALICE, userId: "200" };
/** 25 Nov 2026, 10:00 UTC. */
const MORNING = Date.UTC(2026, 10, 25, 10);

async function setup(policy: Partial<SubmitPolicy>, running = new Map<string, boolean | undefined>()) {
  const url = temporaryStoreUrl();
  const store = await TrackingStore.open(url);
  open.push(store);
  let clock = MORNING;
  const make = (on: TrackingStore) =>
    new SubmitAccess({
      store: on,
      policy: { allowed: { kind: "anyone" }, cooldownMs: 0, dailyLimit: 0, maxRunning: 0, ...policy },
      isRunning: async (taskId) => running.get(taskId),
      logger,
      now: () => clock,
    });
  let ids = 0;
  const access = make(store);
  const submit = (who: Member, on = access) =>
    on.spend(
      who,
      async () => `task${++ids}`,
      (taskId) => taskId,
    );
  const refusalOf = async (who: Member, on = access): Promise<Refusal | null> => {
    try {
      await submit(who, on);
      return null;
    } catch (error) {
      if (error instanceof SubmitRefused) return error.refusal;
      throw error;
    }
  };
  return {
    store,
    access,
    submit,
    refusalOf,
    advance: (ms: number) => {
      clock += ms;
    },
    reopen: async () => {
      const reopened = await TrackingStore.open(url);
      open.push(reopened);
      return make(reopened);
    },
  };
}

describe("SubmitAccess", () => {
  it("holds a member to the cooldown after a job, and only that member", async () => {
    const { submit, refusalOf, advance } = await setup({ cooldownMs: 60_000 });
    await submit(ALICE);
    advance(59_000);
    expect(await refusalOf(ALICE)).toEqual({
      reason: "cooldown",
      until: MORNING + 60_000,
      cooldownMs: 60_000,
    });
    expect(await refusalOf(BOB)).toBeNull();
    advance(1000);
    expect(await refusalOf(ALICE)).toBeNull();
  });

  it("counts jobs per UTC day, across a restart, and starts again at midnight UTC", async () => {
    const { submit, refusalOf, advance, reopen } = await setup({ dailyLimit: 2 });
    await submit(ALICE);
    await submit(ALICE);
    const midnight = Date.UTC(2026, 10, 26);
    expect(await refusalOf(ALICE)).toEqual({ reason: "daily", limit: 2, resetsAt: midnight });
    const afterRestart = await reopen();
    await expect(afterRestart.assertMaySubmit(ALICE)).rejects.toThrow(
      "You have started 2 jobs today, the daily limit. You can start more <t:1795651200:R> (the count starts again at midnight UTC).",
    );
    advance(midnight - MORNING);
    expect(await refusalOf(ALICE, afterRestart)).toBeNull();
  });

  it("gives back a submit that fails or only asks for a prompt, and makes the member the submitter of what starts", async () => {
    const { store, access, refusalOf } = await setup({ dailyLimit: 1, cooldownMs: 60_000 });
    await expect(
      access.spend(
        ALICE,
        async () => {
          throw new Error("HTTP 502");
        },
        () => "never",
      ),
    ).rejects.toThrow("HTTP 502");
    expect(
      await access.spend(
        ALICE,
        async () => "needs a prompt",
        () => null,
      ),
    ).toBe("needs a prompt");
    expect((await access.allowance(ALICE)).leftToday).toBe(1);
    expect(
      await access.spend(
        ALICE,
        async () => "t1",
        (taskId) => taskId,
      ),
    ).toBe("t1");
    expect(await store.getSubmitter("t1")).toBe(ALICE.userId);
    expect((await refusalOf(ALICE))?.reason).toBe("daily");
  });

  it("counts a member's unfinished jobs, including one not recorded yet for a while", async () => {
    const running = new Map<string, boolean | undefined>();
    const { submit, refusalOf, advance } = await setup({ maxRunning: 2 }, running);
    await submit(ALICE);
    await submit(ALICE);
    running.set("task1", true);
    // task2 has no record yet (its message is being posted): it counts, for 15 minutes.
    expect(await refusalOf(ALICE)).toEqual({ reason: "running", limit: 2, taskIds: ["task1", "task2"] });
    running.set("task1", false);
    expect(await refusalOf(ALICE)).toBeNull();
    running.set("task3", true);
    advance(15 * 60 * 1000);
    expect(await refusalOf(ALICE)).toBeNull();
  });

  it("lets a member with Manage Server past the cooldown and the limits, but not past SUBMIT_ALLOWED's role", async () => {
    const admin: Member = { ...ALICE, managesServer: true };
    const limited = await setup({ cooldownMs: 60_000, dailyLimit: 1, maxRunning: 1 });
    for (let i = 0; i < 3; i++) expect(await limited.refusalOf(admin)).toBeNull();
    expect((await limited.access.allowance(admin)).exempt).toBe(true);

    const roleOnly = await setup({ allowed: { kind: "role", roleId: "555" } });
    expect(await roleOnly.refusalOf(admin)).toEqual({ reason: "role", roleId: "555" });
    expect(await roleOnly.refusalOf({ ...ALICE, roleIds: ["555"] })).toBeNull();
  });

  it("runs one member's submits one at a time, so two at once cannot both take the last one", async () => {
    const { access } = await setup({ dailyLimit: 1 });
    let calls = 0;
    const attempt = () =>
      access.spend(
        ALICE,
        async () => {
          calls += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return "t";
        },
        (taskId) => taskId,
      );
    const results = await Promise.allSettled([attempt(), attempt()]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(calls).toBe(1);
  });

  it("reports what a member has left (for a help command)", async () => {
    const running = new Map<string, boolean | undefined>([["task1", true]]);
    const { access, submit } = await setup({ cooldownMs: 30_000, dailyLimit: 5, maxRunning: 3 }, running);
    expect(await access.allowance(ALICE)).toEqual({
      refusal: null,
      exempt: false,
      leftToday: 5,
      resetsAt: Date.UTC(2026, 10, 26),
      cooldownEndsAt: null,
      runningLeft: 3,
    });
    await submit(ALICE);
    expect(await access.allowance(ALICE)).toMatchObject({
      leftToday: 4,
      cooldownEndsAt: MORNING + 30_000,
      runningLeft: 2,
      refusal: { reason: "cooldown" },
    });
  });
});
