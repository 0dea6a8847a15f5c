// Makes each mirrored button (and each prompt modal) submit upstream once: a claim in memory stops
// a double click in this process, the stored record stops later clicks, also after a restart.
// A click's record says "pending" while upstream's answer is awaited (long enough to outlast the
// call), "posting" once upstream started a task, then what the click led to.
import type { ClickRecord, TrackingStore } from "./store.js";

/** What the work of a claimed click is given. */
export interface ClickClaim {
  readonly key: string;
  /** Upstream started `taskId` for this click: from now on it is never submitted again. */
  started(taskId: string): Promise<void>;
}

export class ClickLedger {
  readonly #busy = new Set<string>();
  readonly #pendingTtlMs: number;

  /** `pendingTtlMs`: how long a pending mark lives; longer than an upstream call can take. */
  constructor(
    private readonly store: TrackingStore,
    options: { pendingTtlMs?: number } = {},
  ) {
    this.#pendingTtlMs = options.pendingTtlMs ?? 60_000;
  }

  /** Claims `key` for this click: null when it may go ahead, else what an earlier click left. */
  async claim(key: string): Promise<ClickRecord | null> {
    if (this.#busy.has(key)) return { status: "pending", at: Date.now() };
    this.#busy.add(key);
    try {
      const earlier = await this.store.getClick(key);
      if (earlier) {
        this.#busy.delete(key);
        return earlier;
      }
      await this.store.saveClick(key, { status: "pending", at: Date.now() }, this.#pendingTtlMs);
      return null;
    } catch (error) {
      this.#busy.delete(key);
      throw error;
    }
  }

  /** Records what the claimed click led to; later clicks are answered from it. */
  async settle(key: string, record: ClickRecord): Promise<void> {
    try {
      await this.store.saveClick(key, record);
    } finally {
      this.#busy.delete(key);
    }
  }

  /** The click led nowhere (refused upstream, failed): the button may be used again. */
  async release(key: string): Promise<void> {
    try {
      await this.store.deleteClick(key);
    } finally {
      this.#busy.delete(key);
    }
  }

  /**
   * Runs `work` for the first click on `key` and answers later ones with `onEarlier`. `work`
   * calls `claim.started(taskId)` once upstream started a task: a failure after that point keeps
   * the click answered with that task, so a retry cannot submit the same thing twice.
   */
  async once(
    key: string,
    onEarlier: (earlier: ClickRecord) => Promise<void>,
    work: (claim: ClickClaim) => Promise<ClickRecord>,
  ): Promise<void> {
    const earlier = await this.claim(key);
    if (earlier) return onEarlier(earlier);
    let startedTask: string | undefined;
    const claim: ClickClaim = {
      key,
      started: async (taskId) => {
        startedTask = taskId;
        await this.store.saveClick(key, { status: "posting", at: Date.now(), taskId });
      },
    };
    let record: ClickRecord;
    try {
      record = await work(claim);
    } catch (error) {
      if (startedTask === undefined) await this.release(key);
      else await this.settle(key, { status: "submitted", at: Date.now(), taskId: startedTask });
      throw error;
    }
    await this.settle(key, record);
  }

  get(key: string): Promise<ClickRecord | undefined> {
    return this.store.getClick(key);
  }
}
