// A fake service (or a replica of the tracker) in a process of its own, driven over IPC: what
// `npm run bench` and `bench/throughput.ts` start their fakes with.
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchCommand, FakeRole } from "./fakes.js";

/**
 * bench/ in the source tree, whether this file runs from there (tsx) or compiled (npm run bench
 * measures the compiled code, as `npm start` runs it). The fakes always run from source.
 */
export const BENCH_DIR = (() => {
  let dir = fileURLToPath(new URL(".", import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return join(dir, "bench");
})();

/** A role's process: `call` sends it a command and resolves with its answer. */
export class ChildRole<Command = BenchCommand> {
  readonly #child: ChildProcess;
  #next = 0;
  readonly #waiting = new Map<number, (value: { result?: unknown; error?: string }) => void>();
  readonly ready: Promise<void>;

  constructor(role: FakeRole | "replica") {
    // The fakes always run from source; a replica is the tracker, measured as compiled when this is.
    const compiled = import.meta.url.endsWith(".js");
    const script =
      role === "replica"
        ? fileURLToPath(new URL(compiled ? "./replica.js" : "./replica.ts", import.meta.url))
        : join(BENCH_DIR, "fakes.ts");
    this.#child = fork(script, role === "replica" ? [] : [role], {
      execArgv:
        role === "replica" && compiled ? process.execArgv : ["--import", "tsx", "--max-old-space-size=4096"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    if (role === "discord" && this.#child.pid !== undefined) {
      // Real Discord does not share this machine's two cores: the fake Discord gets the CPU first,
      // so a request it receives is counted when it arrives, not after the other processes' turn.
      // (Needs the right to raise a priority; without it the figures show that contention too.)
      try {
        setPriority(this.#child.pid, -10);
      } catch {}
    }
    this.ready = new Promise((resolve) => {
      this.#child.on("message", (raw: { id?: number; ready?: boolean; result?: unknown; error?: string }) => {
        if (raw.ready) return resolve();
        if (raw.id !== undefined) this.#waiting.get(raw.id)?.(raw);
      });
    });
  }

  async call<T>(message: Command): Promise<T> {
    await this.ready;
    const id = this.#next++;
    const answer = await new Promise<{ result?: unknown; error?: string }>((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ id, message });
    });
    this.#waiting.delete(id);
    if (answer.error) throw new Error(answer.error);
    return answer.result as T;
  }

  async stop(): Promise<void> {
    await this.call({ cmd: "stop" } as Command);
    this.#child.kill();
  }

  kill(): void {
    this.#child.kill();
  }
}
