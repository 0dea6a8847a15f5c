// Sits between the updater and Discord. Per message at most one edit waits (a newer request
// replaces it, never queues behind it), and its payload is only made when its turn comes, so it
// always shows the newest state and thousands of waiting edits hold no rendered messages. Per
// channel one edit is in flight at a time and channels whose bucket Discord reported empty are held;
// final states go before progress updates; edits start evenly spaced under Discord's global limit.
// Transient failures are retried with a freshly made payload.
import type { Logger } from "../logger.js";
import type { TaskMessagePayload } from "../render/renderTaskMessage.js";

export interface MessageTarget {
  channelId: string;
  messageId: string;
}

/** "gone": the message, its channel or the bot's access to it no longer exists. */
export type EditOutcome = "edited" | "gone";

/** Sends one edit to Discord; throws only for failures worth retrying. */
export interface MessageEditor {
  edit(target: MessageTarget, payload: TaskMessagePayload): Promise<EditOutcome>;
  /** When the channel can take another edit without waiting (Date.now() ms; 0 = now). */
  readyAt?(channelId: string): number;
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
   * Edits started per second, evenly spaced. Discord allows about 50 requests per second per bot;
   * spacing them (rather than sending bursts) keeps any one-second window under that, whatever
   * window Discord counts in.
   */
  maxPerSecond?: number;
}

interface PendingEdit {
  target: MessageTarget;
  prepare: PreparePayload;
  final: boolean;
  attempt: number;
  resolve: (outcome: ScheduledOutcome) => void;
}

interface ChannelQueue {
  /** Message ids with a payload waiting, finals apart so they go first. */
  finals: Set<string>;
  others: Set<string>;
  busy: boolean;
}

export class EditScheduler {
  readonly #options: Required<EditSchedulerOptions>;
  readonly #waiting = new Map<string, PendingEdit>();
  readonly #channels = new Map<string, ChannelQueue>();
  /** Channels that are idle and have work, in the order they became so (fair round-robin). */
  readonly #ready = new Set<string>();
  readonly #retryTimers = new Map<NodeJS.Timeout, PendingEdit>();
  readonly #idleWaiters: (() => void)[] = [];
  #inFlight = 0;
  #retrying = 0;
  /** Earliest time the next edit may start. */
  #nextStartAt = 0;
  #pumpTimer: NodeJS.Timeout | undefined;
  /** Channels whose bucket Discord reported empty, with the timer that wakes them. */
  readonly #sleeping = new Map<string, NodeJS.Timeout>();

  constructor(options: EditSchedulerOptions) {
    this.#options = {
      maxInFlight: 50,
      retryDelaysMs: [1000, 5000, 15_000, 60_000],
      maxPerSecond: 47,
      ...options,
    };
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
    return new Promise((resolve) => {
      this.#enqueue({ target, prepare, final: options.final, attempt: 0, resolve });
      this.#pump();
    });
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
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    for (const timer of this.#sleeping.values()) clearTimeout(timer);
    this.#sleeping.clear();
    for (const [timer, edit] of this.#retryTimers) {
      clearTimeout(timer);
      edit.resolve("failed");
    }
    this.#retryTimers.clear();
    this.#retrying = 0;
    this.#notifyIfIdle();
  }

  #enqueue(edit: PendingEdit): void {
    const { messageId, channelId } = edit.target;
    const older = this.#waiting.get(messageId);
    if (older) older.resolve("superseded");
    this.#waiting.set(messageId, { ...edit, final: edit.final || (older?.final ?? false) });
    let channel = this.#channels.get(channelId);
    if (!channel) {
      channel = { finals: new Set(), others: new Set(), busy: false };
      this.#channels.set(channelId, channel);
    }
    if (edit.final) {
      channel.others.delete(messageId);
      channel.finals.add(messageId);
    } else if (!channel.finals.has(messageId)) {
      channel.others.add(messageId);
    }
    if (!channel.busy && !this.#sleeping.has(channelId)) this.#ready.add(channelId);
  }

  #pump(): void {
    const spacing = 1000 / this.#options.maxPerSecond;
    while (this.#inFlight < this.#options.maxInFlight && this.#ready.size > 0) {
      const now = Date.now();
      if (now < this.#nextStartAt) {
        this.#pumpTimer ??= setTimeout(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, this.#nextStartAt - now);
        return;
      }
      const channelId = this.#ready.values().next().value as string;
      this.#ready.delete(channelId);
      const readyAt = this.#options.editor.readyAt?.(channelId) ?? 0;
      if (readyAt > now) {
        this.#sleep(channelId, readyAt - now);
        continue;
      }
      // Edits keep to their schedule when a timer fires a little late, rather than pushing every
      // later edit back (that alone costs a tenth of the rate). An edit starts at most one slot
      // after its own, so any one-second window holds at most two edits more than the rate.
      const slot = now - this.#nextStartAt <= spacing ? this.#nextStartAt : now;
      this.#nextStartAt = slot + spacing;
      const channel = this.#channels.get(channelId);
      const messageId = channel ? (takeFirst(channel.finals) ?? takeFirst(channel.others)) : undefined;
      const edit = messageId ? this.#waiting.get(messageId) : undefined;
      if (!channel || !messageId || !edit) continue;
      this.#waiting.delete(messageId);
      channel.busy = true;
      this.#inFlight += 1;
      void this.#send(edit, slot).finally(() => {
        this.#inFlight -= 1;
        channel.busy = false;
        if ((channel.finals.size > 0 || channel.others.size > 0) && !this.#sleeping.has(channelId)) {
          this.#ready.add(channelId);
        } else this.#channels.delete(channelId);
        this.#pump();
        this.#notifyIfIdle();
      });
    }
  }

  /** Makes and sends one edit; `slot` is the start time it was given, handed back when unused. */
  async #send(edit: PendingEdit, slot: number): Promise<void> {
    try {
      const payload = await edit.prepare();
      if (payload === null) {
        if (this.#nextStartAt === slot + 1000 / this.#options.maxPerSecond) this.#nextStartAt = slot;
        edit.resolve("unchanged");
        return;
      }
      edit.resolve(await this.#options.editor.edit(edit.target, payload));
    } catch (error) {
      const delay = this.#options.retryDelaysMs[edit.attempt];
      if (delay === undefined) {
        this.#options.logger.error({ err: error, ...edit.target }, "gave up editing a message");
        edit.resolve("failed");
        return;
      }
      this.#options.logger.warn(
        { err: error, ...edit.target, retryInMs: delay },
        "editing a message failed; will retry",
      );
      this.#retrying += 1;
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        this.#retrying -= 1;
        // A newer payload queued meanwhile wins; this one is then simply replaced.
        if (this.#waiting.has(edit.target.messageId)) edit.resolve("superseded");
        else this.#enqueue({ ...edit, attempt: edit.attempt + 1 });
        this.#pump();
        this.#notifyIfIdle();
      }, delay);
      this.#retryTimers.set(timer, edit);
    }
  }

  /** Keeps a channel out of the rotation until its bucket refills. */
  #sleep(channelId: string, ms: number): void {
    if (this.#sleeping.has(channelId)) return;
    const timer = setTimeout(() => {
      this.#sleeping.delete(channelId);
      const channel = this.#channels.get(channelId);
      if (channel && !channel.busy && (channel.finals.size > 0 || channel.others.size > 0)) {
        this.#ready.add(channelId);
        this.#pump();
      }
    }, ms);
    this.#sleeping.set(channelId, timer);
  }

  #notifyIfIdle(): void {
    if (this.backlog > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function takeFirst(set: Set<string>): string | undefined {
  const first = set.values().next();
  if (first.done) return undefined;
  set.delete(first.value);
  return first.value;
}
