// The polling loop: every POLL_INTERVAL_MS, asks upstream for every due task in as few calls as
// the API allows and hands what changed to the updater, one chunk at a time. Ticks never overlap;
// errors back off.
import type { Logger } from "../logger.js";
import type { MjClient, PolledChunk, PolledTask } from "../mj/client.js";
import { MjError } from "../mj/errors.js";
import type { TaskRegistry } from "./registry.js";
import { isQueuedStatus, type TaskUpdater } from "./updater.js";

export interface PollerOptions {
  registry: TaskRegistry;
  updater: TaskUpdater;
  mj: Pick<MjClient, "pollTasks">;
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
  /** Signature of the upstream state last handed to the updater, per task. */
  readonly #lastSignature = new Map<string, string>();
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

    const unanswered = new Set(due);
    try {
      for await (const chunk of mj.pollTasks(due)) {
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

  /** Hands one chunk's news to the updater; tasks upstream sent unchanged are not even parsed. */
  async #apply({ asked, found }: PolledChunk): Promise<void> {
    const { registry, updater, logger } = this.#options;
    const updates: Promise<void>[] = [];
    const handed: { taskId: string; signature: string | undefined }[] = [];
    for (const taskId of asked) {
      const polled = found.get(taskId);
      if (polled && !this.#isNews(polled)) continue;
      const task = polled?.parse() ?? null;
      handed.push({ taskId, signature: task ? polled?.signature : undefined });
      updates.push(task ? updater.onTaskUpdate(task) : updater.onTaskMissing(taskId));
    }
    const results = await Promise.allSettled(updates);
    for (const [index, result] of results.entries()) {
      const { taskId, signature } = handed[index]!;
      if (result.status === "rejected") {
        logger.error({ err: result.reason, taskId }, "update failed");
        this.#lastSignature.delete(taskId);
      } else if (signature === undefined) this.#lastSignature.delete(taskId);
      else this.#lastSignature.set(taskId, signature);
    }
    const after = this.#now();
    for (const taskId of asked) this.#nextPollAt.set(taskId, after + this.#intervalFor(taskId));
  }

  /**
   * False when upstream sent exactly what the updater already applied and the record waits for
   * nothing (no failures to clear, no final edit to send again).
   */
  #isNews(polled: PolledTask): boolean {
    if (this.#lastSignature.get(polled.id) !== polled.signature) return true;
    const record = this.#options.registry.peek(polled.id);
    return !record || record.failures > 0 || (record.finishing ?? null) !== null;
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
      this.#lastSignature.delete(taskId);
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
