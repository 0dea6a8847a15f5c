// Applies a new state of a task to the messages that show it: render, compare, edit, untrack.
// The poller and the webhook both end here; neither talks to Discord directly. A finished task's
// pictures and videos are then uploaded as files of each message, once, so they outlive upstream's
// links. A task that finished after a long wait gets one reply that mentions its requester; a
// running task that stopped moving upstream says since when; a queued one shows its place.
import type { Phrase } from "../i18n/catalogue.js";
import { durationPhrase } from "../i18n/duration.js";
import { phrase, samePhrase } from "../i18n/translate.js";
import type { Logger } from "../logger.js";
import type { ResultFile, ResultMediaSource } from "../media/resultMedia.js";
import { queuePosition } from "../mj/queuePosition.js";
import { isFinalStatus, progressPercent, type Task } from "../mj/schema.js";
import { outageNotice, queueNotice, stallNotice } from "../render/notices.js";
import { renderCompletionPing } from "../render/renderCompletionPing.js";
import {
  type RenderedTaskMessage,
  renderTaskMessage,
  type TaskMessagePayload,
} from "../render/renderTaskMessage.js";
import { taskMedia } from "../render/taskMedia.js";
import { type CompletionPinger, completionPingFor, isPingDue } from "./completionPing.js";
import {
  type EditJob,
  type EditScheduler,
  type MessageTarget,
  type ScheduledOutcome,
  targetLogFields,
} from "./editScheduler.js";
import type { TaskRegistry } from "./registry.js";
import {
  type CompletionPing,
  feedRecordKey,
  type MessageFile,
  recordKey,
  type TrackedMessage,
  type TrackedTask,
} from "./store.js";
import { type StoredTask, shareUnchanged, shownTask, storedState } from "./storedTask.js";
import { taskLogFields } from "./taskLogFields.js";

export interface UpdaterOptions {
  registry: TaskRegistry;
  edits: Pick<EditScheduler, "queue">;
  logger: Logger;
  maxAgeMs: number;
  /** Where a finished task's files come from; without it, results stay links (MEDIA_UPLOAD=false). */
  media?: ResultMediaSource | undefined;
  /** How long upstream must say it does not know a task before it is given up (tests shorten it). */
  unknownGiveUpMs?: number;
  now?: () => number;
  /** Told, per edit Discord confirmed, how long after the bot learned of the state it shows. */
  observeEditDelay?: (seconds: number) => void;
  /** Sends the reply that tells a requester their task finished; without it, none is sent. */
  pinger?: CompletionPinger | undefined;
  /** COMPLETION_PING_AFTER_MS: null (the default) never pings. */
  completionPingAfterMs?: number | null;
  /** STALL_NOTICE_MS (default 10 minutes). */
  stallNoticeMs?: number;
}

/** STALL_NOTICE_MS's default. */
export const STALL_NOTICE_MS = 10 * 60 * 1000;
/** A completion ping Discord keeps failing (5xx, network) is given up after this many tries. */
const PING_TRIES = 10;

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

/** Upstream must say it does not know a task for this long before tracking gives up on it. */
export const UNKNOWN_GIVE_UP_MS = 2 * 60 * 1000;
/** A message Discord refuses to edit (Missing Access) is tried again after 1 s, 2 s, 4 s … up to this. */
const FORBIDDEN_RETRY_MAX_MS = 60_000;
const FORBIDDEN_RETRY_FIRST_MS = 1000;

/** Where a new state of a task comes from; a feed's callbacks only ever reach the feed's record. */
export type UpdateSource = "poll" | "callback" | { feed: string };

/** When upstream last showed a visible change of the record's task (older records: when its state came). */
function lastMovedAt(record: TrackedTask): number {
  return record.movedAt ?? record.stateAt ?? record.createdAt;
}

/** What a message shows of a task's progress changed: its status, percentage or preview. */
function visiblyMoved(previous: StoredTask, next: StoredTask): boolean {
  return (
    previous.status !== next.status ||
    previous.progress !== next.progress ||
    previous.imageUrl !== next.imageUrl ||
    previous.imageUrls !== next.imageUrls
  );
}

/** An edit asked of the scheduler for one message; `rendered` once its payload was built. */
interface EditRequest {
  readonly final: boolean;
  rendered: boolean;
  /** performance.now() when the bot learned of the first upstream state this edit shows. */
  learnedAt: number | undefined;
  /** When (the updater's clock) the message began to wait for this edit or the one it replaced. */
  waitingSince: number;
}

/** The updater's side of its edits: what MessageEdit's methods call. */
interface EditHandler {
  prepare(edit: MessageEdit): Promise<TaskMessagePayload | null>;
  settle(edit: MessageEdit, outcome: ScheduledOutcome): void;
}

/**
 * One edit of one message, as the scheduler holds it until its turn: ids and the request, never
 * the record or a payload, in one object (thousands can wait for Discord at once).
 */
class MessageEdit implements EditJob {
  /** What the payload was made of, once made. */
  sent: SentEdit | undefined;

  constructor(
    readonly handler: EditHandler,
    readonly key: string,
    readonly target: MessageTarget,
    readonly request: EditRequest,
    /** Files sent with it (an upload edit). */
    readonly uploads: readonly ResultFile[] | undefined,
    readonly done: (() => void) | undefined,
  ) {}

  get final(): boolean {
    return this.request.final;
  }

  prepare(): Promise<TaskMessagePayload | null> {
    return this.handler.prepare(this);
  }

  settle(outcome: ScheduledOutcome): void {
    this.handler.settle(this, outcome);
  }
}

/** What an edit's payload was made of, for recording once Discord answered. */
interface SentEdit {
  fingerprint: string;
  /** The message without the files it uploaded (what Discord shows should it refuse them). */
  withoutFilesFingerprint: string;
  /** The files the edit uploaded (empty for an edit that uploads nothing). */
  uploaded: MessageFile[];
}

/** The files already on `message`, by the upstream URL each stands for. */
function filesOf(message: TrackedMessage): ReadonlyMap<string, string> {
  return new Map((message.media?.files ?? []).map((file) => [file.source, file.name]));
}

export class TaskUpdater {
  readonly #registry: TaskRegistry;
  readonly #edits: Pick<EditScheduler, "queue">;
  readonly #logger: Logger;
  readonly #maxAgeMs: number;
  readonly #media: ResultMediaSource | undefined;
  readonly #unknownGiveUpMs: number;
  readonly #now: () => number;
  readonly #observeEditDelay: ((seconds: number) => void) | undefined;
  readonly #pinger: CompletionPinger | undefined;
  readonly #pingAfterMs: number | null;
  readonly #stallNoticeMs: number;
  /** Records whose completion ping is being sent. */
  readonly #pinging = new Set<string>();
  /** Tries in a row of each record's ping that failed (Discord down, network). */
  readonly #pingFailures = new Map<string, number>();
  /** Cuts the pings under way short on stop(); they are sent (or found) after a restart. */
  readonly #pingsStopped = new AbortController();
  readonly #pushedAt = new Map<string, number>();
  /** Per message, the newest edit request not yet settled. */
  readonly #waiting = new Map<string, EditRequest>();
  /** Messages whose task's files are being downloaded or uploaded. */
  readonly #uploading = new Set<string>();
  /** Messages Discord refuses to edit, waiting for their next try. */
  readonly #blocked = new Map<string, NodeJS.Timeout>();
  /** Refusals in a row of each such message's edits (the backoff grows with them). */
  readonly #refusals = new Map<string, number>();
  /** Since when polls fail, once that is shown (see showOutage). */
  #outageSince: number | null = null;

  /** What every MessageEdit calls back into: one pair of functions for all of them. */
  readonly #editHandler: EditHandler = {
    prepare: (edit) => this.#prepareEdit(edit),
    settle: (edit, outcome) => {
      this.#settle(edit, outcome)
        .catch((error: unknown) =>
          this.#logger.error(
            { err: error, key: edit.key, ...targetLogFields(edit.target) },
            "could not record an edit",
          ),
        )
        .finally(edit.done);
    },
  };

  constructor(options: UpdaterOptions) {
    this.#registry = options.registry;
    this.#edits = options.edits;
    this.#logger = options.logger;
    this.#maxAgeMs = options.maxAgeMs;
    this.#media = options.media;
    this.#unknownGiveUpMs = options.unknownGiveUpMs ?? UNKNOWN_GIVE_UP_MS;
    this.#now = options.now ?? Date.now;
    this.#observeEditDelay = options.observeEditDelay;
    this.#pinger = options.pinger;
    // Without a sender (tests, the benchmark) no ping is ever owed: it would hold the record open.
    this.#pingAfterMs = options.pinger ? (options.completionPingAfterMs ?? null) : null;
    this.#stallNoticeMs = options.stallNoticeMs ?? STALL_NOTICE_MS;
  }

  /** When a callback last brought news of each task (the poller then polls it rarely). */
  lastPushAt(taskId: string): number | undefined {
    return this.#pushedAt.get(taskId);
  }

  /**
   * A new state of a task arrived. Upstream's (a poll, the bot's own notifyHook, a command's
   * fetch) applies to every record of the task; a feed's only to that feed's record.
   */
  async onTaskUpdate(task: Task, source: UpdateSource = "poll"): Promise<void> {
    const learnedAt = performance.now();
    if (typeof source === "object") {
      const key = feedRecordKey(source.feed, task.id);
      return this.#registry.withLock(key, () => this.#apply(key, task, "feed", learnedAt));
    }
    const keys = this.#registry.keysOf(task.id);
    // A feed's callbacks never slow down the polling of a task: only upstream's own do.
    if (source === "callback" && keys.length > 0) this.#pushedAt.set(task.id, this.#now());
    const [only] = keys;
    // Most tasks have one record: no list of promises for it.
    if (keys.length === 1 && only !== undefined) {
      return this.#registry.withLock(only, () => this.#apply(only, task, "upstream", learnedAt));
    }
    await Promise.all(
      keys.map((key) => this.#registry.withLock(key, () => this.#apply(key, task, "upstream", learnedAt))),
    );
  }

  async #apply(key: string, task: Task, from: "upstream" | "feed", learnedAt: number): Promise<void> {
    const record = await this.#registry.find(key);
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
    await this.#publish(record, this.#withState(record, task, from, stored), learnedAt);
  }

  /** `record` showing `task` (which is not older than what it shows), stored as `stored`. */
  #withState(
    record: TrackedTask,
    task: Task,
    from: "upstream" | "feed",
    stored = shareUnchanged(record.lastTask, storedState(task)),
  ): TrackedTask {
    const now = this.#now();
    const queued = isQueuedStatus(task.status);
    // Upstream's word on the queue is read from the whole task: `properties` are not stored.
    const ahead = queued ? queuePosition(task) : null;
    const moved = visiblyMoved(record.lastTask, stored);
    const notice = queued ? (ahead !== null ? queueNotice(ahead) : record.notice) : null;
    return {
      ...record,
      status: task.status,
      progress: progressPercent(task) ?? record.progress,
      lastTask: stored,
      stateFrom: from,
      stateAt: stored === record.lastTask && record.stateFrom === from ? record.stateAt : now,
      failures: 0,
      failingSince: null,
      // The same place in the queue is the same notice: no edit or write for it.
      notice: samePhrase(notice, record.notice) ? record.notice : notice,
      movedAt: moved ? now : lastMovedAt(record),
      stalledSince: moved ? null : (record.stalledSince ?? null),
      completionPing: completionPingFor(record, task, this.#pingAfterMs, now),
      stopped: isFinalStatus(task.status) ? "final" : null,
    };
  }

  /**
   * True when even an unchanged upstream state is news for the task: it is not tracked here yet,
   * it has failures to clear, or it is finishing and Discord has not taken its last edit (which
   * is then sent again). A finishing task whose edits still wait for their turn needs nothing:
   * they render the newest state when they go.
   */
  wantsUnchangedState(taskId: string): boolean {
    const keys = this.#registry.keysOf(taskId);
    if (keys.length === 0) return true;
    // Called for every task of every poll: no list of records is made.
    for (const key of keys) {
      const record = this.#registry.peek(key);
      if (record && this.#wantsUnchangedState(record)) return true;
    }
    return false;
  }

  /** False for a task whose every record is finishing and only waits for Discord. */
  needsPoll(taskId: string): boolean {
    for (const key of this.#registry.keysOf(taskId)) {
      const record = this.#registry.peek(key);
      if (record && ((record.finishing ?? null) === null || this.#wantsUnchangedState(record))) return true;
    }
    return false;
  }

  #wantsUnchangedState(record: TrackedTask): boolean {
    if (record.failures > 0) return true;
    if ((record.finishing ?? null) === null) return false;
    for (const message of record.messages) if (!this.#isBusy(message.messageId)) return true;
    return false;
  }

  /**
   * How long the task's messages have been waiting for their turn with Discord, each for an edit
   * of its progress not made yet: the shortest of those waits, 0 when any message waits for
   * nothing (or for its final edit). When the bot is this far behind Discord's limits, a newer
   * progress state would only replace the one waiting before anyone saw either.
   */
  progressEditWaitMs(taskId: string): number {
    let shortest = Number.POSITIVE_INFINITY;
    const now = this.#now();
    for (const key of this.#registry.keysOf(taskId)) {
      for (const message of this.#registry.peek(key)?.messages ?? []) {
        const waiting = this.#waiting.get(message.messageId);
        if (!waiting || waiting.rendered || waiting.final) return 0;
        shortest = Math.min(shortest, now - waiting.waitingSince);
      }
    }
    return Number.isFinite(shortest) ? shortest : 0;
  }

  /** An edit of the message waits, is held after a refusal, or its files are on their way. */
  #isBusy(messageId: string): boolean {
    return this.#waiting.has(messageId) || this.#blocked.has(messageId) || this.#uploading.has(messageId);
  }

  /** The message shows a finished result whose files are not uploaded yet (nor tried). */
  #needsUpload(record: TrackedTask, message: TrackedMessage): boolean {
    if (!this.#media || message.media !== undefined || record.lastTask.status !== "SUCCESS") return false;
    const media = taskMedia(record.lastTask);
    return media.pictures.length + media.videos.length > 0;
  }

  /**
   * Upstream said it does not know the task (its own fetch confirmed it). Tracking gives up only
   * once upstream has said so for UNKNOWN_GIVE_UP_MS: providers forget new tasks for a moment.
   */
  async onTaskMissing(taskId: string): Promise<void> {
    await Promise.all(
      this.#registry.keysOf(taskId).map((key) =>
        this.#registry.withLock(key, async () => {
          const record = await this.#registry.find(key);
          if (!record || record.stopped !== null) return;
          const now = this.#now();
          const failingSince = record.failingSince ?? now;
          const failures = record.failures + 1;
          if (now - failingSince < this.#unknownGiveUpMs) {
            await this.#registry.save({ ...record, failures, failingSince });
            return;
          }
          this.#logger.warn(
            { ...taskLogFields(taskId, record), key },
            "the MJ API no longer knows this task; tracking stopped",
          );
          await this.#publish(record, {
            ...record,
            failures,
            failingSince,
            stopped: "not-found",
            notice: phrase("notice.notFound"),
          });
        }),
      ),
    );
  }

  /**
   * Polls have failed since `since` for long enough: every live message says so, with one edit
   * each (paced like every other edit), until clearOutage().
   */
  async showOutage(since: number): Promise<void> {
    this.#outageSince = since;
    await this.#forEachActive(async (record) => {
      if ((record.outageSince ?? null) !== null) return;
      await this.#publish(record, { ...record, outageSince: since });
    });
  }

  /** The provider answers again: the notice goes from every message that shows it. */
  async clearOutage(): Promise<void> {
    this.#outageSince = null;
    await this.#forEachActive(async (record) => {
      if ((record.outageSince ?? null) === null) return;
      await this.#publish(record, { ...record, outageSince: null });
    });
  }

  async #forEachActive(work: (record: TrackedTask) => Promise<void>): Promise<void> {
    await Promise.all(
      this.#registry.activeKeys().map((key) =>
        this.#registry.withLock(key, async () => {
          const record = this.#registry.peek(key);
          if (record && record.stopped === null) await work(record);
        }),
      ),
    );
  }

  /**
   * Running tasks that upstream has shown no change of for STALL_NOTICE_MS say so on their
   * messages, with since when; the notice goes with the task's next visible change. Not while
   * the provider does not answer at all: the outage notice says that already.
   */
  async noticeStalls(): Promise<void> {
    const deadline = this.#now() - this.#stallNoticeMs;
    const stalledSince = (record: TrackedTask | undefined): number | null => {
      if (!record || record.stopped !== null || record.status !== "IN_PROGRESS") return null;
      if ((record.finishing ?? null) !== null || (record.stalledSince ?? null) !== null) return null;
      if ((record.outageSince ?? null) !== null) return null;
      const movedAt = lastMovedAt(record);
      return movedAt <= deadline ? movedAt : null;
    };
    // Most records moved recently: only the others wait for their lock.
    const stalled: string[] = [];
    for (const record of this.#registry.activeRecords()) {
      if (stalledSince(record) !== null) stalled.push(recordKey(record));
    }
    await Promise.all(
      stalled.map((key) =>
        this.#registry.withLock(key, async () => {
          const record = this.#registry.peek(key);
          const since = stalledSince(record);
          if (!record || since === null) return;
          this.#logger.info(
            { ...taskLogFields(record.taskId, record), movedAt: since },
            "the task has not moved upstream for STALL_NOTICE_MS",
          );
          await this.#publish(record, { ...record, stalledSince: since });
        }),
      ),
    );
  }

  /**
   * Upstream accepted the action of the button `customId` clicked on `messageId` (a message of the
   * record under `key`): the button is shown as used there from now on, in the stored record too.
   * A finished record is followed again until Discord has taken the edit. False when no record
   * shows that message.
   */
  async markButtonUsed(key: string, messageId: string, customId: string): Promise<boolean> {
    return this.#registry.withLock(key, async () => {
      const record = await this.#registry.find(key);
      const message = record?.messages.find((m) => m.messageId === messageId);
      if (!record || !message) return false;
      if (message.usedButtons?.includes(customId)) return true;
      const marked = { ...message, usedButtons: [...(message.usedButtons ?? []), customId] };
      const next = {
        ...record,
        messages: record.messages.map((m) => (m.messageId === messageId ? marked : m)),
      };
      if (next.stopped !== null) {
        const reopened = { ...next, stopped: null, finishing: null };
        await this.#publish(reopened, { ...reopened, stopped: next.stopped });
        return true;
      }
      await this.#registry.save(next);
      const request = this.#newRequest(marked, (next.finishing ?? null) !== null, undefined);
      if (request) this.#requestEdit(next, marked, request);
      return true;
    });
  }

  /** Stops tracking tasks older than the configured maximum, saying so in their messages. */
  async expireOld(): Promise<void> {
    const deadline = this.#now() - this.#maxAgeMs;
    // Every tick: the records are looked through, not copied into a list.
    const expired: string[] = [];
    for (const record of this.#registry.activeRecords()) {
      if (record.createdAt <= deadline) expired.push(recordKey(record));
    }
    for (const key of expired) {
      await this.#registry.withLock(key, async () => {
        const record = await this.#registry.find(key);
        if (!record || record.stopped !== null || record.createdAt > deadline) return;
        const age = durationPhrase(this.#maxAgeMs);
        this.#logger.info(
          taskLogFields(record.taskId, record),
          "tracking stopped: task older than TRACK_MAX_AGE_MS",
        );
        await this.#publish(record, {
          ...record,
          stopped: "max-age",
          notice: phrase("notice.maxAge", { age }),
        });
      });
    }
  }

  /**
   * Starts tracking `message`, which shows `task` (rendered with `message.fingerprint`; an
   * unknown fingerprint, as for a message found again after a restart, gets an edit). A record
   * already tracked takes the state if it is newer, and its other messages are edited to match.
   */
  async attach(
    task: Task,
    message: TrackedMessage,
    notice: Phrase | null = null,
    options: { feedChannelId?: string | null; from?: "upstream" | "feed" } = {},
  ): Promise<TrackedTask> {
    const feedChannelId = options.feedChannelId ?? null;
    const from = options.from ?? (feedChannelId ? "feed" : "upstream");
    const key = recordKey({ taskId: task.id, feedChannelId });
    return this.#registry.withLock(key, async () => {
      const now = this.#now();
      const existing = await this.#registry.find(key);
      const final = isFinalStatus(task.status);
      const base: TrackedTask =
        existing && (existing.stopped === null || final)
          ? existing
          : {
              taskId: task.id,
              ...(feedChannelId ? { feedChannelId } : {}),
              messages: [],
              status: task.status,
              progress: progressPercent(task),
              lastTask: storedState(task),
              stateFrom: from,
              stateAt: now,
              stopped: final ? "final" : null,
              notice,
              createdAt: now,
              updatedAt: now,
              failures: 0,
              failingSince: null,
              outageSince: this.#outageSince,
            };
      let record: TrackedTask = {
        ...base,
        // concat: an array of its exact length (a spread into a literal leaves room for 16 more).
        messages: base.messages.filter((m) => m.messageId !== message.messageId).concat([message]),
        updatedAt: now,
      };
      // A finished task shown again: the record shows what the new message shows.
      if (final && base.stopped !== null) {
        record = {
          ...record,
          status: task.status,
          progress: progressPercent(task) ?? record.progress,
          lastTask: storedState(task),
          notice,
        };
      }
      const stale = this.#renderFor(record, message.messageId) !== null;
      if (record.stopped !== null && (stale || this.#needsUpload(record, message))) {
        // A finished task's message that shows something older (found again after a restart), or
        // whose files are not uploaded yet (shown finished at once): the record finishes once more,
        // until Discord took the final edit and the files.
        // Finishing again from the start: the record is written, and tracked, until it stops again.
        const reopened = { ...record, stopped: null, finishing: null };
        await this.#publish(reopened, { ...reopened, stopped: record.stopped });
        return this.#registry.peek(key) ?? reopened;
      }
      await this.#registry.save(record);
      if (record.stopped !== null) return record;
      if (base === existing && !isRegression(record, task)) {
        const next = this.#withState(record, task, from);
        if (next.lastTask !== record.lastTask) {
          await this.#publish(record, next);
          return this.#registry.peek(key) ?? next;
        }
      }
      if (stale) {
        const request = this.#newRequest(message, (record.finishing ?? null) !== null, undefined);
        if (request) this.#requestEdit(record, message, request);
      }
      this.#startUploads(record);
      this.#startPing(record);
      return record;
    });
  }

  /** Clears the retry timers of messages Discord refused and cuts pings short (on shutdown). */
  stop(): void {
    for (const timer of this.#blocked.values()) clearTimeout(timer);
    this.#blocked.clear();
    this.#pingsStopped.abort();
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
    const asks =
      finishing !== null ||
      previous.lastTask !== next.lastTask ||
      previous.notice !== next.notice ||
      (previous.outageSince ?? null) !== (next.outageSince ?? null) ||
      (previous.stalledSince ?? null) !== (next.stalledSince ?? null);
    // A message Discord refuses waits for its retry, which shows the newest state then.
    const requests = asks
      ? next.messages.map((message) =>
          this.#blocked.has(message.messageId)
            ? undefined
            : this.#newRequest(message, finishing !== null, learnedAt),
        )
      : [];
    const record = this.#stopIfSettled({ ...next, stopped: null, finishing, updatedAt: this.#now() });
    if (record.stopped !== null && this.#registry.keysOf(record.taskId).length <= 1) {
      this.#pushedAt.delete(record.taskId);
    }
    // The record goes to the registry first: the scheduler may render from it at once.
    const saved = changedEnoughToSave(previous, record) ? this.#registry.save(record) : undefined;
    if (!saved) this.#registry.remember(record);
    for (const [index, message] of next.messages.entries()) {
      const request = requests[index];
      if (request !== undefined) this.#requestEdit(record, message, request);
    }
    await saved;
    this.#startUploads(record);
    this.#startPing(record);
  }

  /**
   * Starts uploading a finishing record's files to each of its messages that needs them. The
   * final edit has gone (or waits) with upstream's links; the upload edit replaces it when it
   * waits still, or follows it.
   */
  #startUploads(record: TrackedTask): void {
    const media = this.#media;
    if (!media || record.stopped !== null || (record.finishing ?? null) === null) return;
    const key = recordKey(record);
    for (const message of record.messages) {
      if (this.#uploading.has(message.messageId) || !this.#needsUpload(record, message)) continue;
      this.#uploading.add(message.messageId);
      void this.#upload(media, key, message.messageId)
        .catch((error: unknown) =>
          this.#logger.error(
            { err: error, ...taskLogFields(record.taskId, record), messageId: message.messageId },
            "could not upload a result's files; the next update tries again",
          ),
        )
        .finally(() => this.#uploading.delete(message.messageId));
    }
  }

  /** Downloads the task's files and edits the message with them; resolves once Discord answered. */
  async #upload(media: ResultMediaSource, key: string, messageId: string): Promise<void> {
    const record = this.#registry.peek(key);
    const message = record?.messages.find((m) => m.messageId === messageId);
    if (!record || !message) return;
    const prepared = await media.prepare(record.taskId, taskMedia(record.lastTask));
    try {
      if (prepared.interrupted) return;
      if (prepared.files.length === 0) {
        await this.#recordFiles(key, messageId, []);
        return;
      }
      const request: EditRequest = {
        final: true,
        rendered: false,
        learnedAt: undefined,
        waitingSince: this.#now(),
      };
      this.#waiting.set(messageId, request);
      await new Promise<void>((done) => this.#requestEdit(record, message, request, prepared.files, done));
    } finally {
      prepared.release();
    }
  }

  /** Remembers which files `messageId` holds (none: nothing could be uploaded), and stops a settled record. */
  #recordFiles(key: string, messageId: string, files: MessageFile[]): Promise<void> {
    return this.#registry.withLock(key, async () => {
      this.#uploading.delete(messageId);
      const record = await this.#registry.find(key);
      if (!record || record.stopped !== null) return;
      const messages = record.messages.map((message) =>
        message.messageId === messageId ? { ...message, media: { files } } : message,
      );
      const next = this.#stopIfSettled({ ...record, messages });
      await this.#registry.save(next);
      this.#startPing(next);
    });
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
    const request = {
      final,
      rendered: false,
      learnedAt: unrendered?.learnedAt ?? learnedAt,
      waitingSince: unrendered?.waitingSince ?? this.#now(),
    };
    this.#waiting.set(message.messageId, request);
    return request;
  }

  /**
   * Asks the scheduler to edit `message` of `record`; `uploads`: files to send with it (an upload
   * edit), `done`: told once the edit is settled and recorded.
   */
  #requestEdit(
    record: TrackedTask,
    message: TrackedMessage,
    request: EditRequest,
    uploads?: readonly ResultFile[],
    done?: () => void,
  ): void {
    const target: MessageTarget = {
      channelId: message.channelId,
      messageId: message.messageId,
      taskId: record.taskId,
      guildId: message.guildId,
      interaction: message.interaction ?? undefined,
    };
    this.#edits.queue(new MessageEdit(this.#editHandler, recordKey(record), target, request, uploads, done));
  }

  /** Renders the edit's message from the newest state its record holds now (the edit's turn came). */
  async #prepareEdit(edit: MessageEdit): Promise<TaskMessagePayload | null> {
    edit.request.rendered = true;
    const current = this.#registry.peek(edit.key);
    const made = current ? this.#renderFor(current, edit.target.messageId, edit.uploads ?? []) : null;
    if (made) await this.#registry.store.saveButtons(made.rendered.storedButtons);
    edit.sent = made?.sent;
    return made?.rendered.payload ?? null;
  }

  /**
   * The message as it should look now, pointing at the files it holds and at `uploads` (which go
   * with the edit); null when it already looks so (or is not one of the record's).
   */
  #renderFor(
    record: TrackedTask,
    messageId: string,
    uploads: readonly ResultFile[] = [],
  ): { rendered: RenderedTaskMessage; sent: SentEdit } | null {
    const message = record.messages.find((m) => m.messageId === messageId);
    if (!message) return null;
    const outage = (record.outageSince ?? null) !== null ? outageNotice(record.outageSince as number) : null;
    const stall = (record.stalledSince ?? null) !== null ? stallNotice(record.stalledSince as number) : null;
    const options = {
      // Written in the message's own language: each message of a record may speak another.
      locale: message.locale ?? "en",
      notices: [record.notice, outage, stall].filter((line) => line !== null),
      requesterId: message.requesterId ?? undefined,
      usedButtons: message.usedButtons,
    };
    const held = filesOf(message);
    const task = shownTask(record.lastTask);
    const withoutFiles = renderTaskMessage(task, { ...options, attachments: held });
    // Only files the message shows now: the state may have changed since they were downloaded.
    const media = taskMedia(record.lastTask);
    const shown = new Set([...media.pictures, ...media.videos]);
    const files = uploads.filter((file) => shown.has(file.source) && !held.has(file.source));
    const rendered =
      files.length === 0
        ? withoutFiles
        : renderTaskMessage(task, {
            ...options,
            attachments: new Map([...held, ...files.map((file) => [file.source, file.name] as const)]),
          });
    if (rendered.fingerprint === message.fingerprint) return null;
    if (files.length > 0) {
      const linksShown = withoutFiles.fingerprint === message.fingerprint;
      rendered.payload.uploads = { files, withoutFiles: linksShown ? null : withoutFiles.payload };
    }
    return {
      rendered,
      sent: {
        fingerprint: rendered.fingerprint,
        withoutFilesFingerprint: withoutFiles.fingerprint,
        uploaded: files.map((file) => ({ source: file.source, name: file.name })),
      },
    };
  }

  /** Discord answered (or the scheduler gave up) for one edit request of the record's message. */
  #settle(edit: MessageEdit, outcome: ScheduledOutcome): Promise<void> {
    const { key, target, request, sent } = edit;
    const upload = edit.uploads !== undefined;
    if (outcome === "superseded") return Promise.resolve();
    if (outcome === "edited" && request.learnedAt !== undefined) {
      this.#observeEditDelay?.((performance.now() - request.learnedAt) / 1000);
    }
    return this.#registry.withLock(key, async () => {
      if (this.#waiting.get(target.messageId) === request) this.#waiting.delete(target.messageId);
      // The upload is over whatever Discord said; if it must be tried again, a later update does.
      if (upload) this.#uploading.delete(target.messageId);
      const record = await this.#registry.find(key);
      if (!record || record.stopped !== null) return;
      const where = { ...taskLogFields(record.taskId), ...targetLogFields(target) };
      let messages = record.messages;
      let mustSave = false;
      if (outcome === "gone") {
        this.#logger.info(where, "message is gone; stopped updating it");
        this.#refusals.delete(target.messageId);
        messages = messages.filter((message) => message.messageId !== target.messageId);
      } else if (outcome === "edited" || outcome === "edited-without-files") {
        if (this.#refusals.delete(target.messageId) || this.#hasForbiddenSince(record, target.messageId)) {
          this.#logger.info(where, "Discord takes edits of the message again");
          mustSave = true;
        }
        const refused = outcome === "edited-without-files";
        if (refused)
          this.#logger.warn(where, "Discord refused the result's files; the message keeps the links");
        // Which files a message holds is saved: they must never be uploaded twice.
        if (upload) mustSave = true;
        messages = messages.map((message) => {
          if (message.messageId !== target.messageId) return message;
          const fingerprint =
            sent === undefined
              ? message.fingerprint
              : refused
                ? sent.withoutFilesFingerprint
                : sent.fingerprint;
          const edited = { ...message, fingerprint, forbiddenSince: null };
          if (!upload || sent === undefined) return edited;
          const held = message.media?.files ?? [];
          return { ...edited, media: { files: refused ? held : [...held, ...sent.uploaded] } };
        });
      } else if (outcome === "unchanged" && upload) {
        // Nothing to send: the message looks as it would with the files. Recorded as tried, so
        // the upload is not attempted for ever.
        mustSave = true;
        messages = messages.map((message) =>
          message.messageId === target.messageId
            ? { ...message, media: message.media ?? { files: [] } }
            : message,
        );
      } else if (outcome === "forbidden") {
        ({ messages, mustSave } = this.#onForbidden(key, record, target));
      } else if (outcome === "failed") {
        this.#logger.warn(where, "edit not delivered; it is sent again with the next update");
      }
      // A final state Discord never took keeps the record finishing: the next poll sends it again.
      const next =
        outcome === "failed" ? { ...record, messages } : this.#stopIfSettled({ ...record, messages });
      // Confirmed fingerprints alone are kept in memory: after a restart they cost one redundant edit.
      if (mustSave || next.stopped !== record.stopped || next.messages.length !== record.messages.length) {
        await this.#registry.save(next);
      } else {
        this.#registry.remember(next);
      }
      this.#startPing(next);
    });
  }

  #hasForbiddenSince(record: TrackedTask, messageId: string): boolean {
    const since = record.messages.find((message) => message.messageId === messageId)?.forbiddenSince;
    return since !== undefined && since !== null;
  }

  /**
   * Discord refused the edit for want of access (a permission change, often passing): the
   * message stays tracked and is tried again with backoff, until TRACK_MAX_AGE_MS after the
   * first refusal. Only that first refusal is logged.
   */
  #onForbidden(
    key: string,
    record: TrackedTask,
    target: MessageTarget,
  ): { messages: TrackedMessage[]; mustSave: boolean } {
    const message = record.messages.find((m) => m.messageId === target.messageId);
    if (!message) return { messages: record.messages, mustSave: false };
    const now = this.#now();
    const since = message.forbiddenSince ?? now;
    const where = { ...taskLogFields(record.taskId, record), ...targetLogFields(target) };
    if (now - since >= this.#maxAgeMs) {
      this.#logger.warn(
        where,
        "Discord refused edits of the message for TRACK_MAX_AGE_MS; stopped updating it",
      );
      this.#refusals.delete(target.messageId);
      return { messages: record.messages.filter((m) => m.messageId !== target.messageId), mustSave: true };
    }
    if ((message.forbiddenSince ?? null) === null) {
      this.#logger.warn(
        where,
        "Discord refuses edits of the message (missing access or permissions); retrying with backoff",
      );
    }
    const refusals = (this.#refusals.get(target.messageId) ?? 0) + 1;
    this.#refusals.set(target.messageId, refusals);
    const delay = Math.min(FORBIDDEN_RETRY_MAX_MS, FORBIDDEN_RETRY_FIRST_MS * 2 ** (refusals - 1));
    clearTimeout(this.#blocked.get(target.messageId));
    const timer = setTimeout(() => this.#retryForbidden(key, target.messageId), delay);
    timer.unref();
    this.#blocked.set(target.messageId, timer);
    const messages = record.messages.map((m) =>
      m.messageId === target.messageId ? { ...m, forbiddenSince: since } : m,
    );
    return { messages, mustSave: (message.forbiddenSince ?? null) === null };
  }

  /** The retry of a refused message is due: it is edited to the newest state. */
  #retryForbidden(key: string, messageId: string): void {
    void this.#registry
      .withLock(key, async () => {
        this.#blocked.delete(messageId);
        const record = this.#registry.peek(key);
        const message = record?.messages.find((m) => m.messageId === messageId);
        if (!record || !message) {
          this.#refusals.delete(messageId);
          return;
        }
        const request = this.#newRequest(message, (record.finishing ?? null) !== null, undefined);
        if (request) this.#requestEdit(record, message, request);
      })
      .catch((error: unknown) =>
        this.#logger.error({ err: error, key, messageId }, "could not retry a refused edit"),
      );
  }

  /**
   * Stops a finishing record once none of its messages waits for an edit or for its files, and
   * its completion ping is sent; and any without messages.
   */
  #stopIfSettled(record: TrackedTask): TrackedTask {
    const finishing = record.finishing ?? null;
    if (record.messages.length === 0) return { ...record, stopped: finishing ?? "no-messages" };
    if (finishing === null) return record;
    const waiting =
      isPingDue(record) ||
      record.messages.some(
        (message) => this.#isBusy(message.messageId) || this.#needsUpload(record, message),
      );
    return waiting ? record : { ...record, stopped: finishing };
  }

  /**
   * Sends the record's completion ping once the message it replies to shows the final state (no
   * edit or upload of it waits). A try that fails is made again with the record's next update (a
   * finishing record is polled until it stops).
   */
  #startPing(record: TrackedTask): void {
    const ping = record.completionPing;
    const pinger = this.#pinger;
    if (!pinger || ping?.state !== "due" || this.#pingsStopped.signal.aborted) return;
    const key = recordKey(record);
    if (this.#pinging.has(key) || this.#isBusy(ping.messageId)) return;
    this.#pinging.add(key);
    void this.#ping(pinger, key)
      .then(() => this.#pingFailures.delete(key))
      .catch(async (error: unknown) => {
        if (this.#pingsStopped.signal.aborted) return;
        const failures = (this.#pingFailures.get(key) ?? 0) + 1;
        this.#pingFailures.set(key, failures);
        const where = { err: error, ...taskLogFields(record.taskId, record), channelId: ping.channelId };
        if (failures < PING_TRIES) {
          this.#logger.warn(where, "could not send the completion ping; the next update tries again");
          return;
        }
        this.#logger.error(where, "could not send the completion ping; gave up after PING_TRIES tries");
        this.#pingFailures.delete(key);
        await this.#settlePing(key, { state: "dropped", at: this.#now() });
      })
      .catch((error: unknown) =>
        this.#logger.error({ err: error, key }, "could not record a completion ping given up"),
      )
      .finally(() => this.#pinging.delete(key));
  }

  /** Records what became of the record's ping, and stops the record if nothing else waits. */
  #settlePing(key: string, completionPing: CompletionPing): Promise<void> {
    return this.#registry.withLock(key, async () => {
      const record = this.#registry.peek(key);
      if (record?.completionPing?.state !== "due") return;
      await this.#registry.save(this.#stopIfSettled({ ...record, completionPing }));
    });
  }

  /**
   * One try of a record's ping. Before the first, the record says a try was begun: should the bot
   * stop before Discord's answer is recorded, the next try looks for the reply before sending it
   * again (and Discord itself answers a repeat of the nonce with the first reply).
   */
  async #ping(pinger: CompletionPinger, key: string): Promise<void> {
    const due = await this.#registry.withLock(key, async () => {
      const record = this.#registry.peek(key);
      const ping = record?.completionPing;
      if (!record || ping?.state !== "due") return undefined;
      if (!ping.attempted)
        await this.#registry.save({ ...record, completionPing: { ...ping, attempted: true } });
      // The reply speaks the language of the message it answers.
      const replied = record.messages.find((m) => m.messageId === ping.messageId) ?? record.messages[0];
      const locale = replied?.locale ?? "en";
      return { ping, task: record.lastTask, retry: ping.attempted === true, locale };
    });
    if (!due) return;
    const { ping } = due;
    const outcome = await pinger.send({
      channelId: ping.channelId,
      replyTo: ping.messageId,
      nonce: ping.nonce,
      retry: due.retry,
      payload: renderCompletionPing(due.task, ping.userId, due.locale),
      signal: this.#pingsStopped.signal,
    });
    const where = { ...taskLogFields(due.task.id), guildId: ping.guildId, channelId: ping.channelId };
    const at = this.#now();
    if (outcome.kind === "sent") {
      this.#logger.info({ ...where, pingMessageId: outcome.messageId }, "pinged the requester");
      await this.#settlePing(key, { state: "sent", at, pingMessageId: outcome.messageId });
    } else {
      this.#logger.warn({ ...where, reason: outcome.reason }, "Discord refused the completion ping");
      await this.#settlePing(key, { state: "dropped", at });
    }
  }
}

/**
 * Writes to the store only what a restart must not lose: a final state (finishing, stopping),
 * messages, failures, notices, the outage and stall lines, the completion ping. The steps on the
 * way (a status, a percentage, a preview) live in memory (flushed on a clean stop): after a crash
 * the next poll brings them again, at the cost of one redundant edit at most.
 */
function changedEnoughToSave(previous: TrackedTask, next: TrackedTask): boolean {
  return (
    previous.stopped !== next.stopped ||
    previous.failures !== next.failures ||
    previous.notice !== next.notice ||
    (previous.outageSince ?? null) !== (next.outageSince ?? null) ||
    (previous.stalledSince ?? null) !== (next.stalledSince ?? null) ||
    (previous.completionPing ?? null) !== (next.completionPing ?? null) ||
    (previous.finishing ?? null) !== (next.finishing ?? null) ||
    previous.messages.length !== next.messages.length
  );
}
