// Starts a throwaway redis-server on a free loopback port (installed by .ci/run when missing).
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./freePort.js";

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

const MISSING =
  "redis-server is not installed (the Redis and sharding tests start their own): install it with `sudo apt-get install redis-server` on Debian/Ubuntu or `brew install redis` on macOS, then run the tests again.";

/** A failure that is the machine's, not the code's: shown as its one line, without a stack. */
class MissingPrerequisite extends Error {
  override name = "MissingPrerequisite";
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export async function startRedis(): Promise<RedisServer> {
  if (!onPath("redis-server")) throw new MissingPrerequisite(MISSING);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mjrelay-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    };
    child.stdout?.on("data", onData);
    child.once("error", (error) => reject(new Error(`could not start redis-server: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
