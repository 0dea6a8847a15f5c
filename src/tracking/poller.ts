// The polling loop: every POLL_INTERVAL_MS, asks upstream for every due task in as few calls as
// the API allows and hands what changed to the updater, one chunk at a time. Ticks never overlap.
// A task a batch answer leaves out is asked for on its own before it counts as unknown. When polls
// fail, they back off (a few intervals at most) while a light probe each interval notices the
// provider's return at once; after 30 s of failures every live message says the provider is down.
import { setImmediate } from "node:timers/promises";
import type { Logger } from "../logger.js";
import type { MjClient, PolledChunk } from "../mj/client.js";
import { MjError, MjNotFound } from "../mj/errors.js";
import type { Task } from "../mj/schema.js";
import type { TaskRegistry } from "./registry.js";
import { taskLogFields } from "./taskLogFields.js";
import { isQueuedStatus, type TaskUpdater } from "./updater.js";

export interface PollerOptions {
  registry: TaskRegistry;
  updater: TaskUpdater;
  mj: Pick<MjClient, "pollTasks" | "fetchTask" | "answers">;
  logger: Logger;
  intervalMs: number;
  now?: () => number;
}

/** A task handed to the updater, with the signature of the state it was handed. */
interface Handover {
  taskId: string;
  signature: string | undefined;
  update: Promise<void>;
}

/** Tasks of a chunk handed to the updater at a time. */
const APPLY_SLICE = 100;
/** The pause after repeated upstream failures grows to this many poll intervals at most. */
const MAX_BACKOFF_INTERVALS = 4;
/** Polls failing this long put a notice on every live message. */
export const OUTAGE_NOTICE_AFTER_MS = 30_000;
/** Queued tasks change rarely: poll them every few ticks. */
const QUEUED_INTERVAL_FACTOR = 2;
/**
 * A task whose progress edit waits for its turn with Discord (the bot is behind Discord's limits:
 * thousands of tasks, or many in one channel) is polled once per this share of the time the edit
 * has waited so far, never more often than every interval: the waiting edit shows the newest
 * state when it goes, so the states in between would never be seen. Only the final state
 * matters; it is then found at most a quarter of the time the message has been behind later
 * than otherwise.
 */
const BACKLOGGED_POLL_SHARE = 4;
/** ...but never less often than every this many intervals. */
const BACKLOGGED_MAX_INTERVALS = 8;
/** Tasks whose callbacks arrive are polled only as a safety net for lost callbacks. */
const CALLBACK_FED_INTERVAL_MS = 60_000;
/** Tasks a batch answer left out, asked for on their own per tick (and at once). */
const CONFIRMATIONS_PER_TICK = 100;
const CONFIRMATION_CONCURRENCY = 8;

export class Poller {
  readonly #options: PollerOptions;
  readonly #now: () => number;
  readonly #nextPollAt = new Map<string, number>();
  /** Signature of the upstream state the updater applied last, per task, and the other way round. */
  readonly #signatureOf = new Map<string, string>();
  readonly #taskWithSignature = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #consecutiveFailures = 0;
  /** Since when polls fail (null while they work). */
  #failingSince: number | null = null;
  /** upstream's answer count when the last poll failed: more since means it answers again. */
  #answersAtFailure = 0;
  /** Messages may show the outage notice (after a restart, too): cleared on the next answer. */
  #outageMayShow = true;
  /** The notice was put on every live message during this outage (new ones get it on attach). */
  #outageShown = false;
  /** Confirmations left this tick. */
  #confirmationsLeft = CONFIRMATIONS_PER_TICK;

  constructor(options: PollerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops the loop and waits for a tick in progress to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /**
   * One polling pass over every due task, then the stall check (after the poll, so a state the
   * poll just brought counts). Exposed for the benchmark; the loop calls it itself.
   */
  async tick(): Promise<void> {
    await this.#pollDue();
    await this.#options.updater.noticeStalls();
  }

  async #pollDue(): Promise<void> {
    const { registry, updater, mj, logger } = this.#options;
    await updater.expireOld();
    const now = this.#now();
    const due: string[] = [];
    for (const taskId of registry.activeTaskIds()) {
      if ((this.#nextPollAt.get(taskId) ?? 0) > now) continue;
      // A finished task whose last edits wait for Discord has nothing more to learn upstream.
      if (!updater.needsPoll(taskId)) continue;
      due.push(taskId);
    }
    this.#forgetUntracked();
    if (due.length === 0) {
      // Nothing tracked: nothing to back off for, and nothing to tell.
      if (registry.activeCount === 0) {
        this.#failingSince = null;
        this.#consecutiveFailures = 0;
      }
      return;
    }

    this.#confirmationsLeft = CONFIRMATIONS_PER_TICK;
    const unanswered = new Set(due);
    // A state the updater applied last and wants nothing more of needs no parsing.
    const known = (signature: string) => {
      const taskId = this.#taskWithSignature.get(signature);
      return taskId !== undefined && unanswered.has(taskId) && !updater.wantsUnchangedState(taskId);
    };
    try {
      for await (const chunk of mj.pollTasks(due, known)) {
        await this.#answered();
        await this.#apply(chunk);
        for (const taskId of chunk.asked) unanswered.delete(taskId);
      }
    } catch (error) {
      const level = error instanceof MjError ? "warn" : "error";
      logger[level]({ err: error, tasks: unanswered.size }, "polling the MJ API failed; backing off");
      await this.#failed();
      return;
    }
    this.#consecutiveFailures = 0;
  }

  /** Upstream answered a poll: backoff and any outage notice end. */
  async #answered(): Promise<void> {
    this.#consecutiveFailures = 0;
    this.#failingSince = null;
    this.#outageShown = false;
    if (!this.#outageMayShow) return;
    this.#outageMayShow = false;
    await this.#options.updater.clearOutage();
  }

  /** A poll (or a probe) failed; past OUTAGE_NOTICE_AFTER_MS, every live message says so. */
  async #failed(): Promise<void> {
    this.#consecutiveFailures += 1;
    this.#answersAtFailure = this.#options.mj.answers;
    const now = this.#now();
    this.#failingSince ??= now;
    if (this.#outageShown || now - this.#failingSince < OUTAGE_NOTICE_AFTER_MS) return;
    this.#outageShown = true;
    this.#outageMayShow = true;
    await this.#options.updater.showOutage(this.#failingSince);
  }

  /**
   * Hands one chunk's news to the updater. A task whose JSON upstream sent exactly as last time
   * came unparsed and is recognised by its signature alone: that is most tasks on most ticks. The
   * rest goes in slices, so timers (the edit pacing) and callbacks run in between. Tasks the answer
   * left out are asked for on their own: only that answer says whether upstream knows them.
   */
  async #apply({ asked, tasks, fetchedOneByOne }: PolledChunk): Promise<void> {
    const { updater } = this.#options;
    const wanted = new Set(asked);
    const answered = new Set<string>();
    let unreadable = 0;
    for (let start = 0; start < tasks.length; start += APPLY_SLICE) {
      const handed: Handover[] = [];
      for (const { signature, task } of tasks.slice(start, start + APPLY_SLICE)) {
        if (task === undefined) {
          const taskId = this.#taskWithSignature.get(signature);
          if (taskId !== undefined) answered.add(taskId);
          continue;
        }
        if (task === null) unreadable += 1;
        if (!task || !wanted.has(task.id) || answered.has(task.id)) continue;
        answered.add(task.id);
        handed.push({ taskId: task.id, signature, update: updater.onTaskUpdate(task) });
      }
      await this.#settle(handed);
      await setImmediate();
    }
    if (unreadable > 0) {
      this.#options.logger.warn(
        { unreadable },
        "the MJ API sent tasks that cannot be read; asking for them one by one",
      );
    }
    const missing = asked.filter((taskId) => !answered.has(taskId));
    if (fetchedOneByOne) {
      await this.#settle(
        missing.map((taskId) => ({ taskId, signature: undefined, update: updater.onTaskMissing(taskId) })),
      );
    } else {
      await this.#confirmMissing(missing);
    }
    const after = this.#now();
    for (const taskId of asked) this.#nextPollAt.set(taskId, after + this.#intervalFor(taskId));
  }

  /**
   * Asks upstream for each task a batch answer left out: it is unknown only if its own fetch says
   * so. A fetch that fails is an upstream error, which changes nothing. Beyond the tick's budget
   * (a batch route answering nothing at all), the rest wait for the next tick.
   */
  async #confirmMissing(missing: string[]): Promise<void> {
    const { updater, mj, logger } = this.#options;
    const batch = missing.slice(0, Math.max(0, this.#confirmationsLeft));
    this.#confirmationsLeft -= batch.length;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const taskId = batch[next++] as string;
        let task: Task | undefined;
        try {
          task = await mj.fetchTask(taskId);
        } catch (error) {
          if (error instanceof MjNotFound) {
            await this.#settle([{ taskId, signature: undefined, update: updater.onTaskMissing(taskId) }]);
          } else {
            logger.debug({ err: error, taskId }, "a task left out of a batch answer could not be fetched");
          }
          continue;
        }
        await this.#settle([{ taskId, signature: undefined, update: updater.onTaskUpdate(task) }]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONFIRMATION_CONCURRENCY, batch.length) }, worker));
  }

  /** Waits for updates and remembers the signature of each state the updater applied. */
  async #settle(handed: Handover[]): Promise<void> {
    const results = await Promise.allSettled(handed.map((handover) => handover.update));
    for (const [index, result] of results.entries()) {
      const { taskId, signature } = handed[index]!;
      if (result.status === "rejected") {
        this.#options.logger.error(
          { err: result.reason, ...taskLogFields(taskId, this.#options.registry.peek(taskId)) },
          "update failed",
        );
      }
      this.#setSignature(taskId, result.status === "fulfilled" ? signature : undefined);
    }
  }

  /** Remembers the signature of the state the updater applied last (undefined: none). */
  #setSignature(taskId: string, signature: string | undefined): void {
    const previous = this.#signatureOf.get(taskId);
    if (previous !== undefined) this.#taskWithSignature.delete(previous);
    if (signature === undefined) {
      this.#signatureOf.delete(taskId);
    } else {
      this.#signatureOf.set(taskId, signature);
      this.#taskWithSignature.set(signature, taskId);
    }
  }

  #intervalFor(taskId: string): number {
    const { registry } = this.#options;
    const key = registry.keysOf(taskId)[0];
    const record = key === undefined ? undefined : registry.peek(key);
    const base = this.#options.intervalMs;
    // Slightly early, so a task due "now" at the next tick is not pushed one more tick away.
    const pushedAt = this.#options.updater.lastPushAt(taskId);
    let interval = record && isQueuedStatus(record.status) ? base * QUEUED_INTERVAL_FACTOR : base;
    const behind = this.#options.updater.progressEditWaitMs(taskId) / BACKLOGGED_POLL_SHARE;
    interval = Math.max(interval, Math.min(behind, base * BACKLOGGED_MAX_INTERVALS));
    if (pushedAt !== undefined && this.#now() - pushedAt < CALLBACK_FED_INTERVAL_MS) {
      interval = Math.max(interval, CALLBACK_FED_INTERVAL_MS);
    }
    return interval - Math.min(50, base / 10);
  }

  #forgetUntracked(): void {
    if (this.#nextPollAt.size <= this.#options.registry.activeCount) return;
    for (const taskId of this.#nextPollAt.keys()) {
      if (this.#options.registry.keysOf(taskId).length > 0) continue;
      this.#nextPollAt.delete(taskId);
      this.#setSignature(taskId, undefined);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .catch((error: unknown) => this.#options.logger.error({ err: error }, "poll tick failed"))
        .finally(() => {
          this.#running = undefined;
          if (this.#consecutiveFailures === 0) this.#schedule(this.#options.intervalMs);
          else this.#backOff(this.#backoffMs());
        });
    }, delayMs);
  }

  #backoffMs(): number {
    const { intervalMs } = this.#options;
    return Math.min(MAX_BACKOFF_INTERVALS * intervalMs, intervalMs * 2 ** (this.#consecutiveFailures - 1));
  }

  /**
   * Waits `remainingMs` before the next full poll, but checks every interval whether upstream
   * answers again (any successful call, or a probe of one task): then it polls at once, so
   * messages catch up within about one interval of the provider's return.
   */
  #backOff(remainingMs: number): void {
    if (this.#stopped) return;
    const { intervalMs } = this.#options;
    if (remainingMs <= intervalMs) {
      this.#schedule(remainingMs);
      return;
    }
    this.#timer = setTimeout(() => {
      this.#running = this.#probe()
        .catch((error: unknown) => this.#options.logger.error({ err: error }, "probing the MJ API failed"))
        .then((answers) => {
          this.#running = undefined;
          if (answers) this.#schedule(0);
          else this.#backOff(remainingMs - intervalMs);
        });
    }, intervalMs);
  }

  /** True when upstream answered since the last failure (a command's call counts, else one fetch). */
  async #probe(): Promise<boolean> {
    const { mj, registry, logger } = this.#options;
    if (mj.answers > this.#answersAtFailure) return true;
    const taskId: string | undefined = registry.activeTaskIds().next().value;
    if (taskId === undefined) return true;
    try {
      await mj.fetchTask(taskId);
      return true;
    } catch (error) {
      if (error instanceof MjNotFound) return true;
      logger.debug({ err: error }, "the MJ API still does not answer");
      await this.#failed();
      return false;
    }
  }
}
