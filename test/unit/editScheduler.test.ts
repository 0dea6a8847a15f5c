import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { TaskMessagePayload } from "../../src/render/renderTaskMessage.js";
import {
  channelLane,
  EditScheduler,
  type MessageEditor,
  type MessageTarget,
  type PreparePayload,
  RequestPacer,
} from "../../src/tracking/editScheduler.js";

const logger = createLogger({ level: "silent", secrets: [] });

function payload(text: string): PreparePayload {
  return async () => ({ content: text, embeds: [], components: [], allowedMentions: { parse: [] } });
}

/** An editor whose calls wait until the test releases them, recording what was sent. */
function gatedEditor() {
  const sent: { messageId: string; content: string }[] = [];
  const gates: (() => void)[] = [];
  let inFlightPerChannel = new Map<string, number>();
  let maxPerChannel = 0;
  const editor: MessageEditor & { failures: number } = {
    failures: 0,
    async edit(target: MessageTarget, body: TaskMessagePayload) {
      const now = (inFlightPerChannel.get(target.channelId) ?? 0) + 1;
      inFlightPerChannel.set(target.channelId, now);
      maxPerChannel = Math.max(maxPerChannel, now);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlightPerChannel.set(target.channelId, now - 1);
      if (editor.failures > 0) {
        editor.failures -= 1;
        throw new Error("HTTP 500");
      }
      sent.push({ messageId: target.messageId, content: body.content });
      return body.content === "gone" ? "gone" : "edited";
    },
  };
  return {
    editor,
    sent,
    release: () => gates.shift()?.(),
    get waiting() {
      return gates.length;
    },
    get maxPerChannel() {
      return maxPerChannel;
    },
    reset() {
      inFlightPerChannel = new Map();
    },
  };
}

describe("EditScheduler", () => {
  it("sends only the newest state of a message; states queued meanwhile are dropped, not queued", async () => {
    const gate = gatedEditor();
    const scheduler = new EditScheduler({ editor: gate.editor, logger });
    const target = { channelId: "c", messageId: "m" };
    const first = scheduler.submit(target, payload("10%"), { final: false });
    const second = scheduler.submit(target, payload("20%"), { final: false });
    const third = scheduler.submit(target, payload("30%"), { final: false });
    await expect.poll(() => gate.waiting).toBe(1);
    gate.release();
    expect(await first).toBe("edited");
    expect(await second).toBe("superseded");
    await expect.poll(() => gate.waiting).toBe(1);
    gate.release();
    expect(await third).toBe("edited");
    expect(gate.sent.map((s) => s.content)).toEqual(["10%", "30%"]);
  });

  it("makes each payload only when its turn comes, and sends nothing when the message already shows it", async () => {
    const gate = gatedEditor();
    const scheduler = new EditScheduler({ editor: gate.editor, logger });
    const target = { channelId: "c", messageId: "m" };
    const made: string[] = [];
    const counted =
      (text: string | null): PreparePayload =>
      async () => {
        made.push(text ?? "(nothing)");
        return text === null
          ? null
          : { content: text, embeds: [], components: [], allowedMentions: { parse: [] } };
      };
    const first = scheduler.submit(target, counted("10%"), { final: false });
    const second = scheduler.submit(target, counted("20%"), { final: false });
    const third = scheduler.submit(target, counted(null), { final: false });
    await expect.poll(() => gate.waiting).toBe(1);
    gate.release();
    expect(await first).toBe("edited");
    expect(await second).toBe("superseded");
    expect(await third).toBe("unchanged");
    // The replaced request was never made; the unneeded one reached no editor.
    expect(made).toEqual(["10%", "(nothing)"]);
    expect(gate.sent.map((s) => s.content)).toEqual(["10%"]);
    await scheduler.drain(1000);
    expect(scheduler.backlog).toBe(0);
  });

  it("keeps one edit in flight per channel and sends final states first", async () => {
    const gate = gatedEditor();
    const scheduler = new EditScheduler({ editor: gate.editor, logger });
    const results = [
      scheduler.submit({ channelId: "c", messageId: "a" }, payload("a 50%"), { final: false }),
      scheduler.submit({ channelId: "c", messageId: "b" }, payload("b 60%"), { final: false }),
      scheduler.submit({ channelId: "c", messageId: "d" }, payload("d done"), { final: true }),
    ];
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => gate.waiting).toBe(1);
      gate.release();
    }
    await Promise.all(results);
    expect(gate.maxPerChannel).toBe(1);
    // "a" was already on its way; of the waiting two, the final one went first.
    expect(gate.sent.map((s) => s.messageId)).toEqual(["a", "d", "b"]);
  });

  it("works on different channels in parallel", async () => {
    const gate = gatedEditor();
    const scheduler = new EditScheduler({ editor: gate.editor, logger });
    const results = ["c1", "c2", "c3"].map((channelId) =>
      scheduler.submit({ channelId, messageId: `m-${channelId}` }, payload("x"), { final: false }),
    );
    await expect.poll(() => gate.waiting).toBe(3);
    for (let i = 0; i < 3; i++) gate.release();
    expect(await Promise.all(results)).toEqual(["edited", "edited", "edited"]);
  });

  it("retries a failed edit and reports a message that is gone", async () => {
    const gate = gatedEditor();
    gate.editor.failures = 1;
    const scheduler = new EditScheduler({ editor: gate.editor, logger, retryDelaysMs: [10] });
    const retried = scheduler.submit({ channelId: "c", messageId: "m" }, payload("done"), { final: true });
    await expect.poll(() => gate.waiting).toBe(1);
    gate.release();
    await expect.poll(() => gate.waiting).toBe(1);
    gate.release();
    expect(await retried).toBe("edited");
    const gone = scheduler.submit({ channelId: "c", messageId: "n" }, payload("gone"), { final: false });
    await expect.poll(() => gate.waiting).toBe(1);
    gate.release();
    expect(await gone).toBe("gone");
    await scheduler.drain(1000);
    expect(scheduler.backlog).toBe(0);
  });

  it("holds a channel whose bucket Discord reported empty", async () => {
    const sent: { channelId: string; at: number }[] = [];
    const refill = Date.now() + 300;
    const editor: MessageEditor = {
      async edit(target) {
        sent.push({ channelId: target.channelId, at: Date.now() });
        return "edited";
      },
      readyAt: (channelId) => (channelId === "empty" ? refill : 0),
    };
    const scheduler = new EditScheduler({ editor, logger });
    await Promise.all([
      scheduler.submit({ channelId: "empty", messageId: "a" }, payload("a"), { final: false }),
      ...["c1", "c2", "c3"].map((channelId) =>
        scheduler.submit({ channelId, messageId: channelId }, payload(channelId), { final: false }),
      ),
    ]);
    expect(sent.map((s) => s.channelId)).toEqual(["c1", "c2", "c3", "empty"]);
    expect(sent[3]!.at).toBeGreaterThanOrEqual(refill - 5);
  });

  it("starts nothing while Discord holds the bot to its global limit, and no burst after", async () => {
    const starts: number[] = [];
    const heldUntil = Date.now() + 300;
    const editor: MessageEditor = {
      async edit() {
        starts.push(Date.now());
        return "edited";
      },
      globalReadyAt: () => heldUntil,
    };
    const scheduler = new EditScheduler({ editor, logger, maxPerSecond: 20 });
    await Promise.all(
      ["c1", "c2", "c3"].map((channelId) =>
        scheduler.submit({ channelId, messageId: channelId }, payload(channelId), { final: false }),
      ),
    );
    expect(starts[0]).toBeGreaterThanOrEqual(heldUntil);
    // The rate starts again from nothing (20 a second: the k-th start no sooner than k × 50 ms
    // after the hold), not with the burst saved up meanwhile.
    starts.forEach((at, index) => {
      expect(at).toBeGreaterThanOrEqual(heldUntil + (index + 1) * 50 - 5);
    });
  });

  it("starts no more edits in any one second than allowed, however long their payloads take to make", async () => {
    const starts: number[] = [];
    const editor: MessageEditor = {
      async edit() {
        starts.push(Date.now());
        return "edited";
      },
    };
    // 5 per second (a group is one request at this rate), never more than 5 in one second. The first payloads
    // take longest to make, so made in turn they would all be ready at about the same moment.
    const scheduler = new EditScheduler({ editor, logger, maxPerSecond: 5, maxInAnySecond: 5 });
    const delays = [200, 150, 100, 50, 0, 0, 0];
    await Promise.all(
      delays.map((ms, index) =>
        scheduler.submit(
          { channelId: `c${index}`, messageId: `m${index}` },
          async () => {
            await new Promise((resolve) => setTimeout(resolve, ms));
            return { content: "x", embeds: [], components: [], allowedMentions: { parse: [] } };
          },
          { final: false },
        ),
      ),
    );
    expect(starts).toHaveLength(7);
    const gaps = starts.slice(1).map((at, index) => at - starts[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95);
    const mostInOneSecond = Math.max(
      ...starts.map((at) => starts.filter((t) => t >= at && t < at + 1000).length),
    );
    expect(mostInOneSecond).toBe(5);
  });
});

describe("EditScheduler lanes", () => {
  it("gives all the edits waiting in one channel one lane object, which nothing can change", () => {
    const lane = channelLane("1190000000000000001");
    expect(lane).toEqual({ key: "1190000000000000001", global: true });
    expect(channelLane("1190000000000000001")).toBe(lane);
    expect(channelLane("1190000000000000002")).not.toBe(lane);
    expect(Object.isFrozen(lane)).toBe(true);
  });

  /** Messages "t…" answer an interaction whose token lane is outside the global limit. */
  function laneEditor(refuse: Set<string> = new Set()) {
    const sent: { messageId: string; lane: string; at: number }[] = [];
    const known = new Set<string>();
    const editor: MessageEditor = {
      laneOf: (target) =>
        target.interaction && !known.has(target.interaction.token)
          ? { key: `token:${target.interaction.token}`, global: false }
          : { key: target.channelId, global: true },
      async edit(target, _payload, lane) {
        if (lane.key.startsWith("token:") && target.interaction && refuse.has(target.interaction.token)) {
          known.add(target.interaction.token);
          return "token-refused";
        }
        sent.push({ messageId: target.messageId, lane: lane.key, at: Date.now() });
        return "edited";
      },
    };
    return { editor, sent };
  }

  const reply = (token: string) => ({
    applicationId: "a",
    token,
    message: "@original",
    createdAt: Date.now(),
  });

  it("sends edits through interaction tokens without waiting for the global pacing", async () => {
    const { editor, sent } = laneEditor();
    // One start a second on the channel route: twenty token edits must not wait for it.
    const scheduler = new EditScheduler({ editor, logger, maxPerSecond: 1, maxInAnySecond: 1 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        scheduler.submit(
          { channelId: "c", messageId: `t${i}`, interaction: reply(`tok${i}`) },
          payload(`t${i}`),
          { final: false },
        ),
      ),
    );
    expect(sent).toHaveLength(20);
    expect(new Set(sent.map((s) => s.lane)).size).toBe(20);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("sends an edit again by the channel route when its token is refused, under the global pacing", async () => {
    const refused = new Set(["dead"]);
    const { editor, sent } = laneEditor(refused);
    const scheduler = new EditScheduler({ editor, logger, maxPerSecond: 46 });
    const target = { channelId: "c", messageId: "m", interaction: reply("dead") };
    // Even an editor that would keep choosing the token gets the channel route after a refusal.
    editor.laneOf = () => ({ key: "token:dead", global: false });
    expect(await scheduler.submit(target, payload("x"), { final: true })).toBe("edited");
    expect(sent).toEqual([{ messageId: "m", lane: "c", at: expect.any(Number) }]);
  });
});

describe("RequestPacer", () => {
  /**
   * Starts requests as the scheduler does with many waiting: a whole group once the pacer allows
   * it, then the rest of the group in the same turn; nothing runs during the stalls.
   */
  function drive(pacer: RequestPacer, until: number, stalls: [number, number][] = []) {
    const starts: number[] = [];
    let now = 0;
    while (now < until) {
      now = pacer.earliestStart(now, Number.POSITIVE_INFINITY);
      const stall = stalls.find(([from, to]) => now >= from && now < to);
      if (stall) {
        now = stall[1];
        continue;
      }
      for (let k = 0; k < pacer.groupSize && pacer.earliestStart(now) === now; k++) {
        pacer.started(now);
        starts.push(now);
      }
    }
    return starts;
  }

  function mostInOneSecond(starts: number[]): number {
    return Math.max(...starts.map((at) => starts.filter((t) => t >= at && t < at + 1000).length));
  }

  it("keeps to the average rate and the one-second cap, starting waiting requests in groups", () => {
    const pacer = new RequestPacer(20, 21);
    expect(pacer.groupSize).toBe(5);
    const starts = drive(pacer, 10_000);
    // At most 21 in any 1.1 s (19.1 a second: the cap binds before the average rate), plus the
    // group it may start with at once.
    expect(starts.length).toBeGreaterThanOrEqual(186);
    expect(starts.length).toBeLessThanOrEqual(196);
    expect(mostInOneSecond(starts)).toBeLessThanOrEqual(21);
    // Groups of five, four times a second: about 40 moments to wake up for in 10 s, not 200.
    const moments = new Set(starts);
    expect(moments.size).toBeLessThanOrEqual(42);
    for (const at of moments) expect(starts.filter((t) => t === at).length).toBeLessThanOrEqual(5);
    const gaps = [...moments].slice(1).map((at, index) => at - [...moments][index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(240);
  });

  it("fills the cap's window with whole groups: at 46/s under a cap of 48, four groups of 12 per 1.1 s", () => {
    const pacer = new RequestPacer(46, 48);
    expect(pacer.groupSize).toBe(12);
    const starts = drive(pacer, 20_000);
    const inWindow = (at: number, ms: number) => starts.filter((t) => t >= at && t < at + ms).length;
    expect(Math.max(...starts.map((at) => inWindow(at, 1100)))).toBeLessThanOrEqual(48);
    // A cap the groups did not divide (47: groups of 11) left its rest unused: 40 a second.
    expect(inWindow(10_000, 10_000) / 10).toBeGreaterThanOrEqual(43);
    const odd = drive(new RequestPacer(46, 47), 20_000).filter((t) => t >= 10_000 && t < 20_000);
    expect(odd.length / 10).toBeLessThan(40.5);
  });

  it("starts a lone request at once while the bucket holds a token", () => {
    const pacer = new RequestPacer(20, 21);
    drive(pacer, 2000);
    // Quiet for a second: the bucket is full again, and one request waits for nothing.
    expect(pacer.earliestStart(3000)).toBe(3000);
    // Three waiting ask for three tokens, which are there too.
    expect(pacer.earliestStart(3000, 3)).toBe(3000);
  });

  it("loses at most a group to each short stall, never exceeding the one-second cap", () => {
    const steady = drive(new RequestPacer(20, 21), 10_000);
    const stalled = drive(new RequestPacer(20, 21), 10_000, [
      [3000, 3150],
      [6000, 6100],
    ]);
    // What a stall delayed goes when it ends, up to the group the bucket holds.
    expect(stalled.length).toBeGreaterThanOrEqual(steady.length - 2 * 5);
    expect(mostInOneSecond(stalled)).toBeLessThanOrEqual(21);
  });

  it("lets the starts a late timer delayed go in one group, no larger than a group", () => {
    const pacer = new RequestPacer(20, 21);
    const steady = drive(pacer, 2000);
    // The timer for the next group fires a second late: one group (a quarter second's worth)
    // goes at once, not the whole second's.
    const late = steady.at(-1)! + 1000;
    let together = 0;
    while (together < 20 && pacer.earliestStart(late) === late) {
      pacer.started(late);
      together += 1;
    }
    expect(together).toBe(5);
    expect(pacer.earliestStart(late)).toBeGreaterThan(late);
  });
});
