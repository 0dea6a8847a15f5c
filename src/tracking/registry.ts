// The tracked tasks this process works on: an in-memory map of the active ones, written through
// to the store, with one lock per task so a poll result and a callback never interleave.
import type { TrackedTask, TrackingStore } from "./store.js";

export class TaskRegistry {
  readonly #active = new Map<string, TrackedTask>();
  readonly #locks = new Map<string, Promise<void>>();
  /** Active records changed in memory since they were last written. */
  readonly #dirty = new Set<string>();

  constructor(readonly store: TrackingStore) {}

  /** Loads every active record from the store (after a restart); returns how many. */
  async load(owns: (taskId: string) => boolean = () => true): Promise<number> {
    for await (const record of this.store.activeTasks()) {
      if (owns(record.taskId)) this.#active.set(record.taskId, record);
    }
    return this.#active.size;
  }

  /** Ids of the tasks still being tracked. */
  activeIds(): string[] {
    return [...this.#active.keys()];
  }

  /** The records of the tasks still being tracked. */
  activeRecords(): IterableIterator<TrackedTask> {
    return this.#active.values();
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /** The active record, if the task is tracked by this process. */
  peek(taskId: string): TrackedTask | undefined {
    return this.#active.get(taskId);
  }

  /** The active record, else the stored one (stopped records stay in the store). */
  async find(taskId: string): Promise<TrackedTask | undefined> {
    return this.#active.get(taskId) ?? (await this.store.getTask(taskId));
  }

  /** Persists a record; only active records are kept in memory. */
  async save(record: TrackedTask): Promise<void> {
    if (record.stopped === null) this.#active.set(record.taskId, record);
    else this.#active.delete(record.taskId);
    this.#dirty.delete(record.taskId);
    await this.store.saveTask(record);
  }

  /** Updates the in-memory record without a store write (for state that may lag in the store). */
  remember(record: TrackedTask): void {
    if (record.stopped !== null || !this.#active.has(record.taskId)) return;
    this.#active.set(record.taskId, record);
    this.#dirty.add(record.taskId);
  }

  /** Writes what remember() kept in memory only (on a clean stop). */
  async flush(): Promise<void> {
    for (const taskId of [...this.#dirty]) {
      const record = this.#active.get(taskId);
      if (record) await this.save(record);
    }
    this.#dirty.clear();
  }

  /** Forgets a task that another process now owns; the stored record stays. */
  release(taskId: string): void {
    this.#active.delete(taskId);
  }

  /** Runs `work` after every earlier `work` for the same task has settled. */
  withLock<T>(taskId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(taskId) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(taskId, settled);
    void settled.then(() => {
      if (this.#locks.get(taskId) === settled) this.#locks.delete(taskId);
    });
    return result;
  }

  /** Resolves once every locked piece of work that has started so far has settled. */
  async drain(): Promise<void> {
    while (this.#locks.size > 0) await Promise.all(this.#locks.values());
  }
}
