// Waiting on a condition instead of sleeping: re-checked whenever a fake reports a change, and
// every 10 ms as a fallback. The fakes' own waitFor() methods are built on this.
import type { EventEmitter } from "node:events";

export function waitForCondition<T>(
  changes: EventEmitter,
  check: () => T | undefined | null | false,
  timeoutMs: number,
  describeTimeout: (lastError: unknown) => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    let lastError: unknown;
    const attempt = () => {
      if (done) return;
      let value: T | undefined | null | false;
      try {
        value = check();
      } catch (error) {
        lastError = error;
        value = undefined;
      }
      if (value) {
        cleanup();
        resolve(value);
      }
    };
    const timer = setInterval(attempt, 10);
    const deadline = setTimeout(() => {
      cleanup();
      reject(new Error(describeTimeout(lastError)));
    }, timeoutMs);
    const cleanup = () => {
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      changes.off("change", attempt);
    };
    changes.on("change", attempt);
    attempt();
  });
}
