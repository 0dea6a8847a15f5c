// The Dockerfile's HEALTHCHECK command, taken from the Dockerfile and run as Docker runs it (with
// the container's HTTP_PORT), against a running bot and against servers that are not healthy.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { useWorlds } from "../support/bot.js";
import { dockerfileHealthcheckCommand } from "../support/deployment.js";
import { freePort } from "../support/freePort.js";

const world = useWorlds();
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Runs the HEALTHCHECK command with only PATH and HTTP_PORT set; resolves with its exit code. */
function runHealthcheck(port: number): Promise<{ code: number | null; ms: number }> {
  const [program, ...args] = dockerfileHealthcheckCommand();
  const started = Date.now();
  const child = spawn(program!, args, {
    env: { PATH: process.env.PATH ?? "", HTTP_PORT: String(port) },
    stdio: "ignore",
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, ms: Date.now() - started }));
  });
}

async function serverAnswering(handle: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("the Dockerfile's HEALTHCHECK", () => {
  it("exits 0 while the bot is healthy, and non-zero once its server is down", async () => {
    const w = await world();
    const port = w.bot.app.httpPort!;
    expect((await runHealthcheck(port)).code).toBe(0);
    await w.bot.stop();
    expect((await runHealthcheck(port)).code).not.toBe(0);
  });

  it("exits non-zero when /healthz says 503 (Discord or the store unreachable)", async () => {
    const port = await serverAnswering((_request, response) => {
      response.writeHead(503, { "content-type": "application/json" }).end('{"status":"unavailable"}');
    });
    expect((await runHealthcheck(port)).code).toBe(1);
  });

  it("exits non-zero when nothing listens, and within its own timeout when the server hangs", async () => {
    expect((await runHealthcheck(await freePort())).code).toBe(1);
    const port = await serverAnswering(() => {
      // Never answers.
    });
    const hung = await runHealthcheck(port);
    expect(hung.code).toBe(1);
    // Docker's --timeout=5s would kill it; it gives up by itself first.
    expect(hung.ms).toBeLessThan(5000);
  });
});
