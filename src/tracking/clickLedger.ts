// Makes each mirrored button (and each prompt modal) submit upstream once: a claim in memory stops
// a double click in this process, the stored record stops later clicks, also after a restart.
import type { ClickRecord, TrackingStore } from "./store.js";

export class ClickLedger {
  readonly #busy = new Set<string>();

  constructor(private readonly store: TrackingStore) {}

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
      await this.store.saveClick(key, { status: "pending", at: Date.now() });
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
   * Runs `work` for the first click on `key` and answers later ones with `onEarlier`. `work` calls
   * `accepted()` once upstream took the request: a failure after that point keeps the key claimed
   * (until the pending mark expires) so a retry cannot submit the same thing twice.
   */
  async once(
    key: string,
    onEarlier: (earlier: ClickRecord) => Promise<void>,
    work: (accepted: () => void) => Promise<ClickRecord>,
  ): Promise<void> {
    const earlier = await this.claim(key);
    if (earlier) return onEarlier(earlier);
    let wasAccepted = false;
    let record: ClickRecord;
    try {
      record = await work(() => {
        wasAccepted = true;
      });
    } catch (error) {
      if (wasAccepted) this.#busy.delete(key);
      else await this.release(key);
      throw error;
    }
    await this.settle(key, record);
  }

  get(key: string): Promise<ClickRecord | undefined> {
    return this.store.getClick(key);
  }
}
