// A fresh SQLite file per test, so tests never share state and can run in parallel.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function temporaryStoreUrl(): string {
  return `sqlite://${join(mkdtempSync(join(tmpdir(), "mjrelay-test-")), "state.sqlite")}`;
}
