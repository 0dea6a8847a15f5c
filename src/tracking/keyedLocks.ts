// One queue of work per key: work for a key starts only after every earlier work for that key has
// settled, whatever its outcome; work for different keys runs freely.
export class KeyedLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` after every earlier `work` for `key` has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.then(ignore, ignore);
    this.#tails.set(key, settled);
    void settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves once every piece of work started so far (and any it queued meanwhile) has settled. */
  async drain(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
  }
}

/** What a settled piece of work left: nothing the queue needs (one function for every lock). */
function ignore(): undefined {
  return undefined;
}
