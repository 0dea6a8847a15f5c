// When a finished task owes its requester a ping.
import { describe, expect, it } from "vitest";
import { completionPingFor } from "../../src/tracking/completionPing.js";
import type { TrackedTask } from "../../src/tracking/store.js";
import { storedState } from "../../src/tracking/storedTask.js";
import { taskFixture } from "../support/fixtures.js";

const CREATED = 1_000_000;
const AFTER = 30_000;
const LATER = CREATED + AFTER + 1;

function running(patch: Partial<TrackedTask> = {}): TrackedTask {
  return {
    taskId: "1732012345678901",
    messages: [
      {
        messageId: "300000000000000001",
        channelId: "900000000000000020",
        guildId: "900000000000000010",
        requesterId: "900000000000000101",
        fingerprint: "",
        createdAt: CREATED,
      },
    ],
    status: "IN_PROGRESS",
    progress: 45,
    stopped: null,
    notice: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    lastTask: storedState(taskFixture("imagine-in-progress.json")),
    failures: 0,
    failingSince: null,
    ...patch,
  };
}

describe("completionPingFor", () => {
  it("is due when the bot's own record sees its task succeed or fail after COMPLETION_PING_AFTER_MS", () => {
    for (const status of ["SUCCESS", "FAILURE"]) {
      expect(completionPingFor(running(), { status }, AFTER, LATER)).toMatchObject({
        state: "due",
        userId: "900000000000000101",
        channelId: "900000000000000020",
        messageId: "300000000000000001",
        nonce: expect.stringMatching(/^[\w-]{1,25}$/),
      });
    }
  });

  it("is not due for a quick task, a cancel, a feed's record, a task already final, no requester, or off", () => {
    expect(completionPingFor(running(), { status: "SUCCESS" }, AFTER, CREATED + AFTER)).toBeNull();
    expect(completionPingFor(running(), { status: "CANCEL" }, AFTER, LATER)).toBeNull();
    expect(
      completionPingFor(
        running({ feedChannelId: "900000000000000020" }),
        { status: "SUCCESS" },
        AFTER,
        LATER,
      ),
    ).toBeNull();
    expect(completionPingFor(running({ status: "SUCCESS" }), { status: "SUCCESS" }, AFTER, LATER)).toBeNull();
    const noRequester = running();
    noRequester.messages = noRequester.messages.map((message) => ({ ...message, requesterId: null }));
    expect(completionPingFor(noRequester, { status: "SUCCESS" }, AFTER, LATER)).toBeNull();
    expect(completionPingFor(running(), { status: "SUCCESS" }, null, LATER)).toBeNull();
    expect(completionPingFor(running(), { status: "IN_PROGRESS" }, AFTER, LATER)).toBeNull();
  });

  it("keeps a ping once owed: a task pings once", () => {
    const sent = { state: "sent", at: LATER, pingMessageId: "300000000000000009" } as const;
    expect(completionPingFor(running({ completionPing: sent }), { status: "SUCCESS" }, AFTER, LATER)).toBe(
      sent,
    );
  });
});
