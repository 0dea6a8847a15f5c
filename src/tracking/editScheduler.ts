// Sits between the updater and Discord. Per message at most one edit waits (a newer request
// replaces it, never queues behind it), and its payload is only made when its turn comes, so it
// always shows the newest state and thousands of waiting edits hold no rendered messages. Each
// edit goes by a lane the editor chooses per message: the channel route (one lane per channel),
// or the interaction token the message answers (one lane per token, outside the global limit).
// Per lane one edit is in flight at a time and lanes whose bucket Discord reported empty are held;
// final states go before progress updates. A few payloads are made ahead, and channel-route
// requests start in groups under Discord's global limit (see RequestPacer) however long each
// took to make. Transient failures are retried with a freshly made payload.
import type { Logger } from "../logger.js";
import type { TaskMessagePayload } from "../render/renderTaskMessage.js";

export interface MessageTarget {
  channelId: string;
  messageId: string;
  /** For log lines only: the task the message shows, and its guild. */
  taskId?: string;
  guildId?: string | null;
  /** The interaction the message answers, when it can be edited through its token (never logged). */
  interaction?: InteractionReply | undefined;
}

/** A message sent as an interaction's response or follow-up: its token can edit it for 15 minutes. */
export interface InteractionReply {
  applicationId: string;
  /** A secret: it must never reach a log line or a metric label. */
  token: string;
  /** "@original" for the response itself, else the follow-up message's id. */
  message: string;
  /** When the interaction was created (Date.now() ms): the token is valid for 15 minutes from then. */
  createdAt: number;
}

/** What a log line may say about a target: never its interaction token. */
export function targetLogFields(target: MessageTarget) {
  return {
    channelId: target.channelId,
    messageId: target.messageId,
    ...(target.taskId === undefined ? {} : { taskId: target.taskId }),
    ...(target.guildId === undefined ? {} : { guildId: target.guildId }),
  };
}

/**
 * "gone": the message or its channel no longer exists; "forbidden": Discord refuses the bot
 * access to it (Missing Access or Permissions), which a permission change may undo;
 * "edited-without-files": Discord refused the files an edit uploaded, and the message was edited
 * without them.
 */
export type EditOutcome = "edited" | "edited-without-files" | "gone" | "forbidden";

/**
 * Where an edit waits: `key` names the bucket it spends (a channel, an interaction token), and
 * `global` says whether it counts against the bot's global limit.
 */
export interface EditLane {
  key: string;
  global: boolean;
}

/** Channel lanes made so far: one object per channel, however many of its edits wait. */
const CHANNEL_LANES = new Map<string, EditLane>();
const MAX_CHANNEL_LANES = 10_000;

/** The lane of a channel-route edit: the channel's bucket, counted against the global limit. */
export function channelLane(channelId: string): EditLane {
  let lane = CHANNEL_LANES.get(channelId);
  if (!lane) {
    if (CHANNEL_LANES.size >= MAX_CHANNEL_LANES) CHANNEL_LANES.clear();
    lane = Object.freeze({ key: channelId, global: true });
    CHANNEL_LANES.set(channelId, lane);
  }
  return lane;
}

/** Sends one edit to Discord; throws only for failures worth retrying. */
export interface MessageEditor {
  /**
   * "token-refused": the edit went by an interaction token Discord no longer takes (or that is
   * about to expire); the scheduler sends it again by the channel route. "rate-limited": Discord
   * answered 429; it is sent again once its lane (or the global limit) allows.
   */
  edit(
    target: MessageTarget,
    payload: TaskMessagePayload,
    lane: EditLane,
  ): Promise<EditOutcome | "token-refused" | "rate-limited">;
  /** The lane of the message's next edit (default: its channel, under the global limit). */
  laneOf?(target: MessageTarget): EditLane;
  /** When the lane can take another edit without waiting (Date.now() ms; 0 = now). */
  readyAt?(laneKey: string): number;
  /** When Discord takes requests again after saying the bot is over its global limit (0 = now). */
  globalReadyAt?(): number;
  /**
   * Waits, if needed, until the bot's budget shared with its other processes lets one more
   * channel-route request start (used after the local pacing let it start).
   */
  acquireGlobal?(): Promise<void>;
}

/**
 * Makes the payload when the edit's turn comes; null when the message already shows it.
 * Throws only for failures worth retrying.
 */
export type PreparePayload = () => Promise<TaskMessagePayload | null>;

/**
 * "superseded": a newer request for the same message replaced this one before it was sent;
 * "unchanged": there was nothing to send.
 */
export type ScheduledOutcome = EditOutcome | "superseded" | "unchanged" | "failed";

export interface EditSchedulerOptions {
  editor: MessageEditor;
  logger: Logger;
  /** Edits in flight across all channels. */
  maxInFlight?: number;
  /** Pause before each retry of a failed edit; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
  /**
   * Edits started per second, on average. Discord allows 50 requests per second per bot; a few
   * are left for the bot's other requests and for the network's jitter.
   */
  maxPerSecond?: number;
  /**
   * Edits started in any one second (counted over 1.1 s), however late timers fire (default:
   * maxPerSecond + 2: at 46/s, groups of a quarter second's worth, four groups of 12 per 1.1 s,
   * 43.6/s).
   */
  maxInAnySecond?: number;
}

/**
 * Payloads made ahead of their turn: enough that a few slow to make (a busy store) cost no turn,
 * few enough that each is sent within about a third of a second of being made.
 */
const MADE_AHEAD = 16;

/** Lanes whose buckets refill within this long of each other wake together (see #sleep). */
const LANE_WAKE_GRID_MS = 100;

/** Channel-route requests start in groups of up to this long's worth of the rate (see RequestPacer). */
const GROUP_SECONDS = 0.25;

/**
 * The window the one-second cap is counted over. Requests reach Discord some milliseconds after
 * they start, a group's not all alike; were the cap counted over exactly one second, a second
 * Discord starts counting at a late arrival could take in the next group too. 1,050 ms proved too
 * little: a full bench at 10,000 tasks, both cores busy, met 10 global 429s with it (one group
 * late by more than 50 ms is 12 requests over the limit); 1,100 ms costs 2 edits a second.
 */
const CAP_WINDOW_MS = 1100;

/**
 * One edit asked of the scheduler (see queue): one object per waiting edit, since thousands of
 * them can wait for Discord at once.
 */
export interface EditJob {
  readonly target: MessageTarget;
  readonly final: boolean;
  /** Makes the payload when the edit's turn comes (see PreparePayload). */
  prepare(): Promise<TaskMessagePayload | null>;
  /** Told once what became of the edit. */
  settle(outcome: ScheduledOutcome): void;
}

interface PendingEdit {
  job: EditJob;
  lane: EditLane;
  /** The job's, or an older request's for the same message that this one replaced. */
  final: boolean;
  attempt: number;
}

interface LaneQueue {
  /** Message ids with a payload waiting, finals apart so they go first. */
  finals: Set<string>;
  others: Set<string>;
  busy: boolean;
}

export class EditScheduler {
  readonly #options: Required<Omit<EditSchedulerOptions, "maxInAnySecond">>;
  readonly #waiting = new Map<string, PendingEdit>();
  readonly #lanes = new Map<string, LaneQueue>();
  /** Lanes that are idle and have work, in the order they became so (fair round-robin). */
  readonly #ready = new Set<string>();
  readonly #retryTimers = new Map<NodeJS.Timeout, PendingEdit>();
  readonly #idleWaiters: (() => void)[] = [];
  #inFlight = 0;
  #retrying = 0;
  /** Edits taken from the queues whose request has not started yet (payload being made, or made). */
  #ahead = 0;
  /** Made payloads waiting for their turn to start, oldest first. */
  readonly #turns: (() => void)[] = [];
  #pacer: RequestPacer;
  #turnTimer: NodeJS.Timeout | undefined;
  #startsThisLoopTurn = 0;
  /** Lanes whose bucket Discord reported empty, with the timer that wakes them. */
  readonly #sleeping = new Map<string, NodeJS.Timeout>();

  constructor(options: EditSchedulerOptions) {
    this.#options = {
      maxInFlight: 50,
      retryDelaysMs: [1000, 5000, 15_000, 60_000],
      maxPerSecond: 46,
      ...options,
    };
    const perSecond = this.#options.maxPerSecond;
    this.#pacer = new RequestPacer(perSecond, options.maxInAnySecond ?? perSecond + 2);
  }

  /** Paces channel-route starts at a new average rate (this process's share of the bot's budget). */
  setMaxPerSecond(perSecond: number): void {
    const rate = Math.max(0.1, perSecond);
    // One spare a second per process: the shares' caps add up across the bot's processes.
    this.#pacer = new RequestPacer(rate, Math.max(1, Math.floor(rate) + 1));
  }

  /** Edits waiting or being sent. */
  get backlog(): number {
    return this.#waiting.size + this.#inFlight + this.#retrying;
  }

  /**
   * Queues an edit of the message, made by `prepare` when its turn comes; resolves once it was sent,
   * found unneeded, replaced by a newer request, or given up.
   */
  submit(
    target: MessageTarget,
    prepare: PreparePayload,
    options: { final: boolean },
  ): Promise<ScheduledOutcome> {
    return new Promise((settle) => this.queue({ target, final: options.final, prepare, settle }));
  }

  /** submit(), for a caller that keeps its own object per edit: no promise or closure is made. */
  queue(job: EditJob): void {
    this.#enqueue({ job, lane: this.#laneOf(job.target), final: job.final, attempt: 0 });
    this.#pump();
  }

  /** Resolves when nothing is waiting or in flight, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.backlog === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Gives up retries still waiting (on shutdown; the tracker sends them again after a restart). */
  stop(): void {
    for (const timer of this.#sleeping.values()) clearTimeout(timer);
    this.#sleeping.clear();
    for (const [timer, edit] of this.#retryTimers) {
      clearTimeout(timer);
      edit.job.settle("failed");
    }
    this.#retryTimers.clear();
    this.#retrying = 0;
    this.#notifyIfIdle();
  }

  #laneOf(target: MessageTarget): EditLane {
    return this.#options.editor.laneOf?.(target) ?? channelLane(target.channelId);
  }

  #enqueue(edit: PendingEdit): void {
    const { messageId } = edit.job.target;
    const laneKey = edit.lane.key;
    const older = this.#waiting.get(messageId);
    if (older) {
      older.job.settle("superseded");
      // The message changed lanes (its token expired): it waits in the new one only.
      const olderLane = older.lane.key === laneKey ? undefined : this.#lanes.get(older.lane.key);
      olderLane?.finals.delete(messageId);
      olderLane?.others.delete(messageId);
    }
    if (older?.final) edit.final = true;
    const { final } = edit;
    this.#waiting.set(messageId, edit);
    let lane = this.#lanes.get(laneKey);
    if (!lane) {
      lane = { finals: new Set(), others: new Set(), busy: false };
      this.#lanes.set(laneKey, lane);
    }
    if (final) {
      lane.others.delete(messageId);
      lane.finals.add(messageId);
    } else if (!lane.finals.has(messageId)) {
      lane.others.add(messageId);
    }
    if (!lane.busy && !this.#sleeping.has(laneKey)) this.#ready.add(laneKey);
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#ahead < MADE_AHEAD && this.#ready.size > 0) {
      const laneKey = this.#ready.values().next().value as string;
      this.#ready.delete(laneKey);
      const readyAt = this.#options.editor.readyAt?.(laneKey) ?? 0;
      const now = Date.now();
      if (readyAt > now) {
        this.#sleep(laneKey, readyAt - now);
        continue;
      }
      const lane = this.#lanes.get(laneKey);
      const messageId = lane ? (takeFirst(lane.finals) ?? takeFirst(lane.others)) : undefined;
      const edit = messageId ? this.#waiting.get(messageId) : undefined;
      if (!lane || !messageId || !edit) {
        if (lane && lane.finals.size === 0 && lane.others.size === 0 && !lane.busy)
          this.#lanes.delete(laneKey);
        continue;
      }
      this.#waiting.delete(messageId);
      lane.busy = true;
      this.#inFlight += 1;
      this.#ahead += 1;
      void this.#send(edit).finally(() => {
        this.#inFlight -= 1;
        lane.busy = false;
        if ((lane.finals.size > 0 || lane.others.size > 0) && !this.#sleeping.has(laneKey)) {
          this.#ready.add(laneKey);
        } else if (lane.finals.size === 0 && lane.others.size === 0) this.#lanes.delete(laneKey);
        this.#pump();
        this.#notifyIfIdle();
      });
    }
  }

  /** Makes and sends one edit. */
  async #send(edit: PendingEdit): Promise<void> {
    const { job } = edit;
    let counted = true;
    const leaveAhead = () => {
      if (!counted) return;
      counted = false;
      this.#ahead -= 1;
      this.#pump();
    };
    try {
      const payload = await job.prepare();
      if (payload === null) {
        job.settle("unchanged");
        return;
      }
      if (edit.lane.global) {
        await this.#turn();
        await this.#options.editor.acquireGlobal?.();
      }
      leaveAhead();
      const outcome = await this.#options.editor.edit(job.target, payload, edit.lane);
      if (outcome === "rate-limited") {
        if (this.#waiting.has(job.target.messageId)) job.settle("superseded");
        else this.#enqueue({ ...edit, lane: this.#laneOf(job.target) });
        return;
      }
      if (outcome !== "token-refused") {
        job.settle(outcome);
        return;
      }
      // Sent again by the channel route, unless a newer one waits.
      if (this.#waiting.has(job.target.messageId)) job.settle("superseded");
      else this.#enqueue({ ...edit, lane: channelLane(job.target.channelId) });
    } catch (error) {
      const delay = this.#options.retryDelaysMs[edit.attempt];
      const fields = targetLogFields(job.target);
      if (delay === undefined) {
        this.#options.logger.error({ err: error, ...fields }, "gave up editing a message");
        job.settle("failed");
        return;
      }
      this.#options.logger.warn(
        { err: error, ...fields, retryInMs: delay },
        "editing a message failed; will retry",
      );
      this.#retrying += 1;
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        this.#retrying -= 1;
        // A newer payload queued meanwhile wins; this one is then simply replaced.
        if (this.#waiting.has(job.target.messageId)) job.settle("superseded");
        else this.#enqueue({ ...edit, lane: this.#laneOf(job.target), attempt: edit.attempt + 1 });
        this.#pump();
        this.#notifyIfIdle();
      }, delay);
      this.#retryTimers.set(timer, edit);
    } finally {
      leaveAhead();
    }
  }

  /** Resolves when the next request may start; requests start in the order their payloads were made. */
  #turn(): Promise<void> {
    return new Promise((resolve) => {
      this.#turns.push(resolve);
      this.#releaseTurns();
    });
  }

  #releaseTurns(): void {
    while (this.#turns.length > 0) {
      // A loop turn starts one group at most: a busy event loop must not turn late starts into a
      // larger burst.
      if (this.#startsThisLoopTurn >= this.#pacer.groupSize) return;
      const now = Date.now();
      const held = this.#options.editor.globalReadyAt?.() ?? 0;
      if (held > now) this.#pacer.holdUntil(held);
      // The first start of a loop turn waits until the whole group waiting can go; the rest of
      // the group follows in the same turn.
      const at = this.#pacer.earliestStart(now, this.#startsThisLoopTurn === 0 ? this.#turns.length : 1);
      if (at > now) {
        if (this.#startsThisLoopTurn > 0) return;
        this.#turnTimer ??= setTimeout(() => {
          this.#turnTimer = undefined;
          this.#releaseTurns();
        }, at - now);
        return;
      }
      this.#pacer.started(now);
      if (this.#startsThisLoopTurn++ === 0) {
        setImmediate(() => {
          this.#startsThisLoopTurn = 0;
          this.#releaseTurns();
        });
      }
      this.#turns.shift()?.();
    }
  }

  /**
   * Keeps a lane out of the rotation until its bucket refills. Lanes wake on a grid of
   * LANE_WAKE_GRID_MS, so those refilling about together wake in one turn of the event loop.
   */
  #sleep(laneKey: string, ms: number): void {
    if (this.#sleeping.has(laneKey)) return;
    const now = Date.now();
    const wakeAt = Math.ceil((now + ms) / LANE_WAKE_GRID_MS) * LANE_WAKE_GRID_MS;
    const timer = setTimeout(() => {
      this.#sleeping.delete(laneKey);
      const lane = this.#lanes.get(laneKey);
      if (lane && !lane.busy && (lane.finals.size > 0 || lane.others.size > 0)) {
        this.#ready.add(laneKey);
        this.#pump();
      }
    }, wakeAt - now);
    this.#sleeping.set(laneKey, timer);
  }

  #notifyIfIdle(): void {
    if (this.backlog > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

/**
 * Paces request starts: `perSecond` on average (a token bucket), never more than `inAnySecond` in
 * any window of CAP_WINDOW_MS (a second and a little more), and in groups: while requests wait,
 * they start together once the bucket holds enough for a group of them (about a quarter second's
 * worth, sized so that whole groups fill the cap), not one by one as each token comes. Every
 * wake-up of the process costs CPU, and so does every answer arriving alone: on the development
 * machine 2,000 PATCHes at 46 a second cost about 0.9 ms of CPU each when spaced evenly and
 * 0.25-0.3 ms when started in groups four times a second (`npx tsx bench/spacing.ts`).
 * Discord counts its global limit per second, not per gap. A stall (a busy event loop, a payload
 * slow to make) costs no capacity beyond a group: the tokens it let gather, up to a group's worth,
 * are spent at once when it ends, as far as the window allows.
 */
export class RequestPacer {
  readonly #perMs: number;
  /** The largest group of requests that starts together. */
  readonly #group: number;
  /** The most tokens the bucket holds (at least a group's). */
  readonly #burst: number;
  #tokens: number;
  #tokensAt = Number.NEGATIVE_INFINITY;
  /** The last `inAnySecond` start times, oldest at `#oldest`. */
  readonly #starts: number[];
  #oldest = 0;

  constructor(perSecond: number, inAnySecond: number) {
    const cap = Math.max(1, Math.floor(inAnySecond));
    // Groups that fill the cap's window exactly: a group must fit whole under the cap, so with
    // groups that do not divide it the rest of the window stays unused (a cap of 47 takes four
    // groups of 11: 40/s, not 42.7; a cap of 48, four groups of 12: 43.6/s).
    const groupsPerWindow = Math.max(1, Math.round(cap / Math.max(1, perSecond * GROUP_SECONDS)));
    this.#group = Math.max(1, Math.floor(cap / groupsPerWindow));
    this.#perMs = perSecond / 1000;
    this.#burst = Math.max(this.#group, perSecond * GROUP_SECONDS);
    this.#tokens = this.#burst;
    this.#starts = new Array<number>(cap).fill(Number.NEGATIVE_INFINITY);
  }

  /** The largest group of requests that starts together. */
  get groupSize(): number {
    return this.#group;
  }

  /**
   * The earliest time (ms, same clock as `now`) `count` requests (at most a group) may all start;
   * one by default.
   */
  earliestStart(now: number, count = 1): number {
    const wanted = Math.max(1, Math.min(count, this.groupSize));
    const tokens = this.#tokensNow(now);
    const tokenAt = tokens >= wanted ? now : now + (wanted - tokens) / this.#perMs;
    const windowAt =
      (this.#starts[(this.#oldest + wanted - 1) % this.#starts.length] ?? Number.NEGATIVE_INFINITY) +
      CAP_WINDOW_MS;
    return Math.max(now, tokenAt, windowAt);
  }

  started(at: number): void {
    this.#tokens = this.#tokensNow(at) - 1;
    this.#tokensAt = at;
    this.#starts[this.#oldest] = at;
    this.#oldest = (this.#oldest + 1) % this.#starts.length;
  }

  /** No start before `until`, and none in a burst after it: the rate resumes from zero then. */
  holdUntil(until: number): void {
    if (this.#tokensAt >= until) return;
    this.#tokens = 0;
    this.#tokensAt = until;
  }

  /** Tokens refill at the average rate, up to the burst (full at first). */
  #tokensNow(now: number): number {
    return Math.min(this.#burst, this.#tokens + (now - this.#tokensAt) * this.#perMs);
  }
}

function takeFirst(set: Set<string>): string | undefined {
  const first = set.values().next();
  if (first.done) return undefined;
  set.delete(first.value);
  return first.value;
}
