// The bot as a real process (src/main.ts through tsx), for tests that kill it: its output is
// collected, and it is killed (if still running) when the test's cleanups run.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

export interface BotProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  exited: Promise<number | null>;
  /** Kills it at once (no cleanup of any kind, as a crash or an OOM kill would). */
  killHard(): Promise<number | null>;
}

/** Runs src/main.ts with exactly `env` (plus PATH), from a folder without a .env file. */
export function startBotProcess(
  env: Record<string, string>,
  cleanups: (() => Promise<unknown>)[],
): BotProcess {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    cwd: fileURLToPath(new URL("./", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return {
    child,
    output: () => output,
    exited,
    killHard: async () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
}
