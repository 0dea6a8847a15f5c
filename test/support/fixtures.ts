// Reads the upstream fixtures (test/fixtures: real-shaped MJ-proxy answers) for tests.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseTask, type Task } from "../../src/mj/schema.js";

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}${name}`, "utf8")) as T;
}

/** Names of the JSON fixtures. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR).filter((name) => name.endsWith(".json"));
}

/** A task fixture parsed the way the bot parses upstream answers. */
export function taskFixture(name: string, patch: Record<string, unknown> = {}): Task {
  const task = parseTask({ ...readFixture<Record<string, unknown>>(name), ...patch });
  if (!task) throw new Error(`${name} is not a task`);
  return task;
}
