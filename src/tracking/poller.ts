// The polling loop: every POLL_INTERVAL_MS, asks upstream for every due task in as few calls as
// the API allows and hands each result to the updater. Ticks never overlap; errors back off.
import type { Logger } from "../logger.js";
import type { MjClient } from "../mj/client.js";
import { MjError } from "../mj/errors.js";
import type { Task } from "../mj/schema.js";
import type { TaskRegistry } from "./registry.js";
import { isQueuedStatus, type TaskUpdater } from "./updater.js";

export interface PollerOptions {
  registry: TaskRegistry;
  updater: TaskUpdater;
  mj: Pick<MjClient, "fetchTasks">;
  logger: Logger;
  intervalMs: number;
  now?: () => number;
}

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
      if ((this.#nextPollAt.get(taskId) ?? 0) <= now) due.push(taskId);
    }
    this.#forgetUntracked();
    if (due.length === 0) return;

    let found: Map<string, Task>;
    try {
      found = await mj.fetchTasks(due);
    } catch (error) {
      this.#consecutiveFailures += 1;
      const level = error instanceof MjError ? "warn" : "error";
      logger[level]({ err: error, tasks: due.length }, "polling the MJ API failed; backing off");
      await Promise.allSettled(due.map((taskId) => updater.onUpstreamError(taskId)));
      return;
    }
    this.#consecutiveFailures = 0;
    const results = await Promise.allSettled(
      due.map((taskId) => {
        const task = found.get(taskId);
        return task ? updater.onTaskUpdate(task) : updater.onTaskMissing(taskId);
      }),
    );
    for (const [index, result] of results.entries()) {
      if (result.status === "rejected")
        logger.error({ err: result.reason, taskId: due[index] }, "update failed");
    }
    const after = this.#now();
    for (const taskId of due) this.#nextPollAt.set(taskId, after + this.#intervalFor(taskId));
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
      if (!this.#options.registry.peek(taskId)) this.#nextPollAt.delete(taskId);
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
