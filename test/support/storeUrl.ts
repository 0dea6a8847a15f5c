// A fresh SQLite file per test (or bench run), so they never share state and can run in parallel.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TrackingStore } from "../../src/tracking/store.js";

function sqliteUrlIn(dir: string): string {
  return `sqlite://${join(dir, "state.sqlite")}`;
}

export function temporaryStoreUrl(): string {
  return sqliteUrlIn(mkdtempSync(join(tmpdir(), "mjrelay-test-")));
}

/**
 * A store on a SQLite file of its own, for the benchmark's runs (a 10,000-task run's is ~40 MB):
 * `close` closes it and removes the file with its directory.
 */
export async function openTemporaryStore(
  prefix: string,
): Promise<{ store: TrackingStore; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await TrackingStore.open(sqliteUrlIn(dir));
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
