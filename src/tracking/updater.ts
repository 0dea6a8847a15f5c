// Applies a new state of a task to the messages that show it: render, compare, edit, untrack.
// The poller and the webhook both end here; neither talks to Discord directly.
import type { Logger } from "../logger.js";
import { isFinalStatus, progressPercent, type Task } from "../mj/schema.js";
import { type RenderedTaskMessage, renderTaskMessage } from "../render/renderTaskMessage.js";
import {
  type EditScheduler,
  type MessageTarget,
  type ScheduledOutcome,
  targetLogFields,
} from "./editScheduler.js";
import type { TaskRegistry } from "./registry.js";
import type { TrackedMessage, TrackedTask } from "./store.js";
import { taskLogFields } from "./taskLogFields.js";

export interface UpdaterOptions {
  registry: TaskRegistry;
  edits: Pick<EditScheduler, "submit">;
  logger: Logger;
  maxAgeMs: number;
  now?: () => number;
  /** Told, per edit Discord confirmed, how long after the bot learned of the state it shows. */
  observeEditDelay?: (seconds: number) => void;
}

/** How far a status is along the way; a task never moves to a lower rank. */
function statusRank(status: string): number {
  if (isFinalStatus(status)) return 3;
  if (status === "NOT_START" || status === "SUBMITTED") return 0;
  if (status === "MODAL") return 1;
  return 2;
}

export function isQueuedStatus(status: string): boolean {
  return statusRank(status) === 0;
}

/** True when `next` would show an older state than the one already applied. */
export function isRegression(current: Pick<TrackedTask, "status" | "progress">, next: Task): boolean {
  const from = statusRank(current.status);
  const to = statusRank(next.status);
  if (to !== from) return to < from;
  const nextProgress = progressPercent(next);
  return current.progress !== null && nextProgress !== null && nextProgress < current.progress;
}

/** Drops what a record never needs to re-render (and must not persist: properties can hold secrets). */
export function storedState(task: Task): Task {
  return { ...task, properties: {}, imageUrls: [], videoUrls: [] };
}

/**
 * `next`, with each field equal to `previous`'s taken from `previous`; `previous` itself when no
 * field differs. A record then holds one copy of a prompt or a button list however often the task
 * is polled, and the copies a poll parsed die young.
 */
export function shareUnchanged(previous: Task, next: Task): Task {
  const shared = { ...next };
  let changed = false;
  for (const key of Object.keys(shared) as (keyof Task)[]) {
    if (jsonEqual(previous[key], shared[key])) (shared as Record<keyof Task, unknown>)[key] = previous[key];
    else changed = true;
  }
  return changed ? shared : previous;
}

/** Deep equality of JSON values, key order aside. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!jsonEqual(a[index], b[index])) return false;
    return true;
  }
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
    count++;
  }
  for (const key in b) if (Object.hasOwn(b, key)) count--;
  return count === 0;
}

const UPSTREAM_TROUBLE_AFTER_FAILURES = 5;

/** An edit asked of the scheduler for one message; `rendered` once its payload was built. */
interface EditRequest {
  readonly final: boolean;
  rendered: boolean;
  /** performance.now() when the bot learned of the first upstream state this edit shows. */
  learnedAt: number | undefined;
}

export class TaskUpdater {
  readonly #registry: TaskRegistry;
  readonly #edits: Pick<EditScheduler, "submit">;
  readonly #logger: Logger;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #observeEditDelay: ((seconds: number) => void) | undefined;
  readonly #pushedAt = new Map<string, number>();
  /** Per message, the newest edit request not yet settled. */
  readonly #waiting = new Map<string, EditRequest>();

  constructor(options: UpdaterOptions) {
    this.#registry = options.registry;
    this.#edits = options.edits;
    this.#logger = options.logger;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#observeEditDelay = options.observeEditDelay;
  }

  /** When a callback last brought news of each task (the poller then polls it rarely). */
  lastPushAt(taskId: string): number | undefined {
    return this.#pushedAt.get(taskId);
  }

  /** A new state of a task arrived (poll, callback or command). */
  onTaskUpdate(task: Task, source: "poll" | "callback" = "poll"): Promise<void> {
    const learnedAt = performance.now();
    if (source === "callback" && this.#registry.peek(task.id)) this.#pushedAt.set(task.id, this.#now());
    return this.#registry.withLock(task.id, async () => {
      const record = await this.#registry.find(task.id);
      if (!record || record.stopped !== null) return;
      if (isRegression(record, task)) {
        this.#logger.debug(
          { ...taskLogFields(task.id, record), status: task.status },
          "ignored an older state of the task",
        );
        return;
      }
      // Most polls bring nothing new: skip rendering, unless the record has news to give anyway.
      const stored = shareUnchanged(record.lastTask, storedState(task));
      if (stored === record.lastTask && !this.#wantsUnchangedState(record)) return;
      const final = isFinalStatus(task.status);
      const next: TrackedTask = {
        ...record,
        status: task.status,
        progress: progressPercent(task) ?? record.progress,
        lastTask: stored,
        failures: 0,
        failingSince: null,
        notice: isQueuedStatus(task.status) ? record.notice : null,
        stopped: final ? "final" : null,
      };
      await this.#publish(record, next, learnedAt);
    });
  }

  /**
   * True when even an unchanged upstream state is news for the task: it is not tracked here yet,
   * it has failures to clear, or it is finishing and Discord has not taken its last edit (which
   * is then sent again). A finishing task whose edits still wait for their turn needs nothing:
   * they render the newest state when they go.
   */
  wantsUnchangedState(taskId: string): boolean {
    const record = this.#registry.peek(taskId);
    return !record || this.#wantsUnchangedState(record);
  }

  #wantsUnchangedState(record: TrackedTask): boolean {
    if (record.failures > 0) return true;
    if ((record.finishing ?? null) === null) return false;
    return !record.messages.every((message) => this.#waiting.has(message.messageId));
  }

  /** Upstream does not know the task (any more): stop after it stays unknown for a while. */
  onTaskMissing(taskId: string): Promise<void> {
    return this.#registry.withLock(taskId, async () => {
      const record = await this.#registry.find(taskId);
      if (!record || record.stopped !== null) return;
      const failures = record.failures + 1;
      if (failures < UPSTREAM_TROUBLE_AFTER_FAILURES) {
        await this.#registry.save({ ...record, failures, failingSince: record.failingSince ?? this.#now() });
        return;
      }
      this.#logger.warn(
        taskLogFields(taskId, record),
        "the MJ API no longer knows this task; tracking stopped",
      );
      await this.#publish(record, {
        ...record,
        failures,
        stopped: "not-found",
        notice: "The MJ API no longer knows this task, so it is not followed any more.",
      });
    });
  }

  /** Upstream failed to answer for this task. Nothing is shown until the trouble persists. */
  onUpstreamError(taskId: string): Promise<void> {
    return this.#registry.withLock(taskId, async () => {
      const record = await this.#registry.find(taskId);
      if (!record || record.stopped !== null) return;
      const failingSince = record.failingSince ?? this.#now();
      const failures = record.failures + 1;
      const notice =
        failures >= UPSTREAM_TROUBLE_AFTER_FAILURES
          ? `The MJ API is not answering (since <t:${Math.floor(failingSince / 1000)}:R>); still trying.`
          : record.notice;
      await this.#publish(record, { ...record, failures, failingSince, notice });
    });
  }

  /** Stops tracking tasks older than the configured maximum, saying so in their messages. */
  async expireOld(): Promise<void> {
    const deadline = this.#now() - this.#maxAgeMs;
    const expired = this.#registry
      .activeIds()
      .filter((id) => (this.#registry.peek(id)?.createdAt ?? 0) <= deadline);
    for (const taskId of expired) {
      await this.#registry.withLock(taskId, async () => {
        const record = await this.#registry.find(taskId);
        if (!record || record.stopped !== null || record.createdAt > deadline) return;
        const hours = Math.round(this.#maxAgeMs / 3_600_000);
        const age = hours >= 1 ? `${hours} h` : `${Math.round(this.#maxAgeMs / 60_000)} min`;
        this.#logger.info(
          taskLogFields(taskId, record),
          "tracking stopped: task older than TRACK_MAX_AGE_MS",
        );
        await this.#publish(record, {
          ...record,
          stopped: "max-age",
          notice: `Tracking stopped after ${age}. Run /mjstatus again to refresh.`,
        });
      });
    }
  }

  /** Starts tracking a message that was just posted with `fingerprint` for `task`. */
  async attach(task: Task, message: TrackedMessage, notice: string | null = null): Promise<TrackedTask> {
    return this.#registry.withLock(task.id, async () => {
      const now = this.#now();
      const existing = await this.#registry.find(task.id);
      const final = isFinalStatus(task.status);
      const base: TrackedTask =
        existing && (existing.stopped === null || final)
          ? existing
          : {
              taskId: task.id,
              messages: [],
              status: task.status,
              progress: progressPercent(task),
              lastTask: storedState(task),
              stopped: final ? "final" : null,
              notice,
              createdAt: now,
              updatedAt: now,
              failures: 0,
              failingSince: null,
            };
      const record: TrackedTask = {
        ...base,
        messages: [...base.messages.filter((m) => m.messageId !== message.messageId), message],
        updatedAt: now,
      };
      await this.#registry.save(record);
      return record;
    });
  }

  /**
   * Applies `next` and asks the scheduler to edit each message; the payload is rendered only when
   * the message's turn comes, from the newest state then. A record asked to stop (`next.stopped`)
   * keeps being tracked, as `finishing`, until Discord confirmed its last edits, so a final state
   * is never lost to a failed edit or a restart.
   */
  async #publish(previous: TrackedTask, next: TrackedTask, learnedAt?: number): Promise<void> {
    const finishing = next.stopped;
    // A finishing record always asks again: its last edit may have been given up.
    const asks = finishing !== null || previous.lastTask !== next.lastTask || previous.notice !== next.notice;
    const requests = asks
      ? next.messages.map((message) => this.#newRequest(message, finishing !== null, learnedAt))
      : [];
    const record = this.#stopIfSettled({ ...next, stopped: null, finishing, updatedAt: this.#now() });
    if (record.stopped !== null) this.#pushedAt.delete(record.taskId);
    // The record goes to the registry first: the scheduler may render from it at once.
    const saved = changedEnoughToSave(previous, record) ? this.#registry.save(record) : undefined;
    if (!saved) this.#registry.remember(record);
    for (const [index, message] of next.messages.entries()) {
      const request = requests[index];
      if (request !== undefined) this.#requestEdit(record.taskId, message, request);
    }
    await saved;
  }

  /**
   * A new edit request for `message`; undefined when one not yet rendered waits already, as it
   * shows the newest state when its turn comes (unless this one is final and it is not: final
   * edits go first, so a final one replaces it).
   */
  #newRequest(
    message: TrackedMessage,
    final: boolean,
    learnedAt: number | undefined,
  ): EditRequest | undefined {
    const waiting = this.#waiting.get(message.messageId);
    const unrendered = waiting && !waiting.rendered ? waiting : undefined;
    if (unrendered && (unrendered.final || !final)) {
      unrendered.learnedAt ??= learnedAt;
      return undefined;
    }
    const request = { final, rendered: false, learnedAt: unrendered?.learnedAt ?? learnedAt };
    this.#waiting.set(message.messageId, request);
    return request;
  }

  #requestEdit(taskId: string, message: TrackedMessage, request: EditRequest): void {
    const target: MessageTarget = {
      channelId: message.channelId,
      messageId: message.messageId,
      taskId,
      guildId: message.guildId,
      interaction: message.interaction ?? undefined,
    };
    let sent: string | undefined;
    const prepare = async () => {
      request.rendered = true;
      const rendered = await this.#render(taskId, target.messageId);
      sent = rendered?.fingerprint;
      return rendered?.payload ?? null;
    };
    // The callback keeps only ids alive, not the record or a payload: thousands of edits can wait
    // for Discord at once.
    void this.#edits
      .submit(target, prepare, { final: request.final })
      .then((outcome) => this.#settle(taskId, target, request, sent, outcome))
      .catch((error: unknown) =>
        this.#logger.error({ err: error, ...targetLogFields(target) }, "could not record an edit"),
      );
  }

  /** The message as it should look now; null when it already does (or is no longer tracked). */
  async #render(taskId: string, messageId: string): Promise<RenderedTaskMessage | null> {
    const record = this.#registry.peek(taskId);
    const message = record?.messages.find((m) => m.messageId === messageId);
    if (!record || !message) return null;
    const rendered = renderTaskMessage(record.lastTask, {
      notice: record.notice ?? undefined,
      requesterId: message.requesterId ?? undefined,
    });
    if (rendered.fingerprint === message.fingerprint) return null;
    await this.#registry.store.saveButtons(rendered.storedButtons);
    return rendered;
  }

  /** Discord answered (or the scheduler gave up) for one edit request of `taskId`'s message. */
  #settle(
    taskId: string,
    target: MessageTarget,
    request: EditRequest,
    fingerprint: string | undefined,
    outcome: ScheduledOutcome,
  ): Promise<void> {
    if (outcome === "superseded") return Promise.resolve();
    if (outcome === "edited" && request.learnedAt !== undefined) {
      this.#observeEditDelay?.((performance.now() - request.learnedAt) / 1000);
    }
    return this.#registry.withLock(taskId, async () => {
      if (this.#waiting.get(target.messageId) === request) this.#waiting.delete(target.messageId);
      const record = await this.#registry.find(taskId);
      if (!record || record.stopped !== null) return;
      let messages = record.messages;
      if (outcome === "gone") {
        this.#logger.info(targetLogFields(target), "message is gone; stopped updating it");
        messages = messages.filter((message) => message.messageId !== target.messageId);
      } else if (outcome === "edited" && fingerprint !== undefined) {
        messages = messages.map((message) =>
          message.messageId === target.messageId ? { ...message, fingerprint } : message,
        );
      } else if (outcome === "failed") {
        this.#logger.warn(
          targetLogFields(target),
          "edit not delivered; it is sent again with the next update",
        );
      }
      // A final state Discord never took keeps the record finishing: the next poll sends it again.
      const next =
        outcome === "failed" ? { ...record, messages } : this.#stopIfSettled({ ...record, messages });
      // Confirmed fingerprints alone are kept in memory: after a restart they cost one redundant edit.
      if (next.stopped !== record.stopped || next.messages.length !== record.messages.length) {
        await this.#registry.save(next);
      } else {
        this.#registry.remember(next);
      }
    });
  }

  /** Stops a finishing record once none of its messages waits for an edit; and any without messages. */
  #stopIfSettled(record: TrackedTask): TrackedTask {
    const finishing = record.finishing ?? null;
    if (record.messages.length === 0) return { ...record, stopped: finishing ?? "no-messages" };
    if (finishing === null) return record;
    const waiting = record.messages.some((message) => this.#waiting.has(message.messageId));
    return waiting ? record : { ...record, stopped: finishing };
  }
}

/**
 * Writes to the store only what a restart must not lose: status, stopping, messages, failures,
 * notices. Progress steps live in memory (flushed on a clean stop); after a crash they cost at
 * most one redundant edit.
 */
function changedEnoughToSave(previous: TrackedTask, next: TrackedTask): boolean {
  return (
    previous.stopped !== next.stopped ||
    previous.status !== next.status ||
    previous.failures !== next.failures ||
    previous.notice !== next.notice ||
    (previous.finishing ?? null) !== (next.finishing ?? null) ||
    previous.messages.length !== next.messages.length
  );
}
