// The tracked tasks this process works on: an in-memory map of the active records, written through
// to the store, with one lock per key so a poll result and a callback never interleave. A task has
// the bot's own record (key: its id) and one per feed that posted it (see recordKey).

import { KeyedLocks } from "./keyedLocks.js";
import { recordKey, type TrackedTask, type TrackingStore } from "./store.js";

const NO_KEYS: readonly string[] = Object.freeze([]);

export class TaskRegistry {
  readonly #active = new Map<string, TrackedTask>();
  /**
   * Keys of the active records, by task id: a task has one record but for feeds. Each list is
   * replaced, never changed, so one handed out stays as it was (and costs no copy).
   */
  readonly #keysOfTask = new Map<string, readonly string[]>();
  readonly #locks = new KeyedLocks();
  /** Active records changed in memory since they were last written. */
  readonly #dirty = new Set<string>();

  constructor(readonly store: TrackingStore) {}

  /** Loads every active record from the store (after a restart); returns how many. */
  async load(owns: (taskId: string) => boolean = () => true): Promise<number> {
    for await (const record of this.store.activeTasks()) {
      if (owns(record.taskId)) this.#keep(record);
    }
    return this.#active.size;
  }

  /** Ids of the tasks still being tracked (each once, however many records show it). */
  activeIds(): string[] {
    return [...this.activeTaskIds()];
  }

  /** The same ids without a copy: not to be held while records come and go. */
  activeTaskIds(): IterableIterator<string> {
    return this.#keysOfTask.keys();
  }

  /** Keys of the active records. */
  activeKeys(): string[] {
    return [...this.#active.keys()];
  }

  /** The records of the tasks still being tracked. */
  activeRecords(): IterableIterator<TrackedTask> {
    return this.#active.values();
  }

  /** Keys of the active records that show `taskId` (as they are now: later changes leave it as it is). */
  keysOf(taskId: string): readonly string[] {
    return this.#keysOfTask.get(taskId) ?? NO_KEYS;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /** The active record under `key` (a task id for the bot's own record), if this process tracks it. */
  peek(key: string): TrackedTask | undefined {
    return this.#active.get(key);
  }

  /** The active record, else the stored one (stopped records stay in the store). */
  async find(key: string): Promise<TrackedTask | undefined> {
    return this.#active.get(key) ?? (await this.store.getTask(key));
  }

  /** Persists a record; only active records are kept in memory. */
  async save(record: TrackedTask): Promise<void> {
    const key = recordKey(record);
    if (record.stopped === null) this.#keep(record);
    else this.#forget(key, record.taskId);
    this.#dirty.delete(key);
    await this.store.saveTask(record);
  }

  /** Updates the in-memory record without a store write (for state that may lag in the store). */
  remember(record: TrackedTask): void {
    const key = recordKey(record);
    if (record.stopped !== null || !this.#active.has(key)) return;
    this.#active.set(key, record);
    this.#dirty.add(key);
  }

  /** Writes what remember() kept in memory only (on a clean stop). */
  async flush(): Promise<void> {
    // All at once: the store writes them as a few batches, not one statement each.
    const records = [...this.#dirty].flatMap((key) => this.#active.get(key) ?? []);
    await Promise.all(records.map((record) => this.save(record)));
    this.#dirty.clear();
  }

  /** Forgets a record that another process now owns; the stored record stays. */
  release(key: string): void {
    const record = this.#active.get(key);
    if (record) this.#forget(key, record.taskId);
  }

  /** Runs `work` after every earlier `work` for the same key has settled. */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.#locks.run(key, work);
  }

  /** Resolves once every locked piece of work that has started so far has settled. */
  async drain(): Promise<void> {
    await this.#locks.drain();
  }

  #keep(record: TrackedTask): void {
    const key = recordKey(record);
    this.#active.set(key, record);
    const keys = this.keysOf(record.taskId);
    // concat: a list of its exact length, for every tracked task (a spread leaves room for 16 more).
    if (!keys.includes(key)) this.#keysOfTask.set(record.taskId, keys.concat([key]));
  }

  #forget(key: string, taskId: string): void {
    this.#active.delete(key);
    const keys = this.keysOf(taskId).filter((other) => other !== key);
    if (keys.length === 0) this.#keysOfTask.delete(taskId);
    else this.#keysOfTask.set(taskId, keys);
  }
}
