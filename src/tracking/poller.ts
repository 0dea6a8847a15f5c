// The polling loop: every POLL_INTERVAL_MS, asks upstream for every due task in as few calls as
// the API allows and hands what changed to the updater, one chunk at a time. Ticks never overlap;
// errors back off.
import { setImmediate } from "node:timers/promises";
import type { Logger } from "../logger.js";
import type { MjClient, PolledChunk } from "../mj/client.js";
import { MjError } from "../mj/errors.js";
import type { TaskRegistry } from "./registry.js";
import { taskLogFields } from "./taskLogFields.js";
import { isQueuedStatus, type TaskUpdater } from "./updater.js";

export interface PollerOptions {
  registry: TaskRegistry;
  updater: TaskUpdater;
  mj: Pick<MjClient, "pollTasks">;
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
/** Upper bound for the pause after repeated upstream failures. */
const MAX_BACKOFF_MS = 60_000;
/** Queued tasks change rarely: poll them every few ticks. */
const QUEUED_INTERVAL_FACTOR = 2;
/** Tasks whose callbacks arrive are polled only as a safety net for lost callbacks. */
const CALLBACK_FED_INTERVAL_MS = 60_000;

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

  /** One polling pass over every due task. Exposed for the benchmark; the loop calls it itself. */
  async tick(): Promise<void> {
    const { registry, updater, mj, logger } = this.#options;
    await updater.expireOld();
    const now = this.#now();
    const due: string[] = [];
    for (const taskId of registry.activeIds()) {
      if ((this.#nextPollAt.get(taskId) ?? 0) > now) continue;
      // A finished task whose last edits wait for Discord has nothing more to learn upstream.
      if (registry.peek(taskId)?.finishing && !updater.wantsUnchangedState(taskId)) continue;
      due.push(taskId);
    }
    this.#forgetUntracked();
    if (due.length === 0) return;

    const unanswered = new Set(due);
    // A state the updater applied last and wants nothing more of needs no parsing.
    const known = (signature: string) => {
      const taskId = this.#taskWithSignature.get(signature);
      return taskId !== undefined && unanswered.has(taskId) && !updater.wantsUnchangedState(taskId);
    };
    try {
      for await (const chunk of mj.pollTasks(due, known)) {
        await this.#apply(chunk);
        for (const taskId of chunk.asked) unanswered.delete(taskId);
      }
    } catch (error) {
      this.#consecutiveFailures += 1;
      const level = error instanceof MjError ? "warn" : "error";
      logger[level]({ err: error, tasks: unanswered.size }, "polling the MJ API failed; backing off");
      await Promise.allSettled([...unanswered].map((taskId) => updater.onUpstreamError(taskId)));
      return;
    }
    this.#consecutiveFailures = 0;
  }

  /**
   * Hands one chunk's news to the updater. A task whose JSON upstream sent exactly as last time
   * came unparsed and is recognised by its signature alone: that is most tasks on most ticks. The
   * rest goes in slices, so timers (the edit pacing) and callbacks run in between.
   */
  async #apply({ asked, tasks }: PolledChunk): Promise<void> {
    const { updater } = this.#options;
    const wanted = new Set(asked);
    const answered = new Set<string>();
    for (let start = 0; start < tasks.length; start += APPLY_SLICE) {
      const handed: Handover[] = [];
      for (const { signature, task } of tasks.slice(start, start + APPLY_SLICE)) {
        if (task === undefined) {
          const taskId = this.#taskWithSignature.get(signature);
          if (taskId !== undefined) answered.add(taskId);
          continue;
        }
        if (!task || !wanted.has(task.id) || answered.has(task.id)) continue;
        answered.add(task.id);
        handed.push({ taskId: task.id, signature, update: updater.onTaskUpdate(task) });
      }
      await this.#settle(handed);
      await setImmediate();
    }
    const missing = asked.filter((taskId) => !answered.has(taskId));
    await this.#settle(
      missing.map((taskId) => ({ taskId, signature: undefined, update: updater.onTaskMissing(taskId) })),
    );
    const after = this.#now();
    for (const taskId of asked) this.#nextPollAt.set(taskId, after + this.#intervalFor(taskId));
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
    const record = this.#options.registry.peek(taskId);
    const base = this.#options.intervalMs;
    // Slightly early, so a task due "now" at the next tick is not pushed one more tick away.
    const pushedAt = this.#options.updater.lastPushAt(taskId);
    let interval = record && isQueuedStatus(record.status) ? base * QUEUED_INTERVAL_FACTOR : base;
    if (pushedAt !== undefined && this.#now() - pushedAt < CALLBACK_FED_INTERVAL_MS) {
      interval = Math.max(interval, CALLBACK_FED_INTERVAL_MS);
    }
    return interval - Math.min(50, base / 10);
  }

  #forgetUntracked(): void {
    if (this.#nextPollAt.size <= this.#options.registry.activeCount) return;
    for (const taskId of this.#nextPollAt.keys()) {
      if (this.#options.registry.peek(taskId)) continue;
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
          const backoff = Math.min(MAX_BACKOFF_MS, this.#options.intervalMs * 2 ** this.#consecutiveFailures);
          this.#schedule(this.#consecutiveFailures > 0 ? backoff : this.#options.intervalMs);
        });
    }, delayMs);
  }
}
