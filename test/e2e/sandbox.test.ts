// `npm run sandbox` as a newcomer runs it: no .env, the real variables ignored; it prints the
// page's address, the page answers, the #welcome demo finishes on its own, and Ctrl-C (SIGINT to
// the terminal's process group) stops everything with exit code 0.
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { PageMessage, PageSnapshot } from "../../src/sandbox/page/pageTypes.js";
import { waitForCondition } from "../../src/sandbox/waitForCondition.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function runSandbox(env: Record<string, string>) {
  const child = spawn("npm", ["run", "--silent", "sandbox"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a SIGINT reaches npm and node together, as Ctrl-C in a terminal does.
    detached: true,
  });
  const output = { stdout: "", stderr: "" };
  const changes = new EventEmitter();
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
    changes.emit("change");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid)
      process.kill(-child.pid, "SIGKILL");
    await exited;
  });
  const waitFor = <T>(check: () => T | undefined | null | false, timeoutMs: number) =>
    waitForCondition(
      changes,
      check,
      timeoutMs,
      () => `sandbox: not seen within ${timeoutMs} ms\n${output.stdout}\n${output.stderr}`,
    );
  return { child, output, exited, waitFor };
}

function title(message: PageMessage | undefined): string | undefined {
  return (message?.embeds[0] as { title?: string } | undefined)?.title;
}

describe("npm run sandbox", () => {
  it("prints the page's address, serves the page, plays the #welcome demo to the upscale, and stops on Ctrl-C", async () => {
    const sandbox = runSandbox({
      SANDBOX_PORT: "0",
      // The real variables are not read: a bot that did would fail to log in or flood the output.
      DISCORD_TOKEN: "not-a-real-token",
      MJ_BASE_URL: "http://127.0.0.1:9",
      MJ_API_KEY: "not-a-real-key",
      LOG_LEVEL: "trace",
    });
    const url = await sandbox.waitFor(
      () => /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(sandbox.output.stdout)?.[1],
      30_000,
    );

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("<title>mjrelay sandbox</title>");
    const script = await fetch(new URL("client/main.js", url));
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("EventSource");

    const snapshot = async () => (await (await fetch(new URL("api/state", url))).json()) as PageSnapshot;
    const welcome = (await snapshot()).channels.find((channel) => channel.name === "welcome");
    expect(welcome).toBeDefined();
    const demoResult = async () => {
      const inWelcome = (await snapshot()).messages.filter((message) => message.channelId === welcome?.id);
      const upscale = inWelcome.find((message) => title(message) === "Upscale · Done");
      const grid = inWelcome.find((message) => message.id === upscale?.replyTo);
      return upscale && grid ? { grid, upscale } : undefined;
    };
    // The promise: a finished job with its buttons within 30 s, nobody typing (about 13 s
    // for the grid and 4 s for the upscale at the sandbox's own pace).
    await expect.poll(demoResult, { timeout: 30_000, interval: 250 }).toBeDefined();
    const finished = await demoResult();
    expect(title(finished?.grid)).toBe("Imagine · Done");
    expect(finished?.grid.usedCommand?.name).toBe("imagine");
    // The bot itself shows the clicked U1 as used (Midjourney's blue); the page adds nothing.
    const gridButtons = (finished?.grid.components ?? []).flatMap(
      (row) => (row.components ?? []) as { custom_id?: string; style?: number }[],
    );
    expect(gridButtons.find((b) => b.custom_id?.includes("::upsample::1::"))?.style).toBe(1);
    expect(gridButtons.find((b) => b.custom_id?.includes("::upsample::2::"))?.style).toBe(2);
    // The pictures are the simulated proxy's own, drawn as PNG and served from its origin; the bot
    // downloads the finished one and uploads it as a file of its message, as against a real provider.
    // The final state is shown at once with the proxy's link; the upload edit follows it.
    const uploadedImage = async () => {
      const upscale = (await demoResult())?.upscale;
      return (upscale?.embeds[0] as { image?: { url?: string } } | undefined)?.image?.url ?? "";
    };
    await expect
      .poll(uploadedImage, { timeout: 10_000, interval: 250 })
      .toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attachments\/\d+\/\d+-1\.png$/);
    const image = await uploadedImage();
    const png = await fetch(image);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");

    process.kill(-(sandbox.child.pid as number), "SIGINT");
    // npm waits for the sandbox to stop, then ends itself by the same signal, as a shell expects.
    expect([
      { code: 0, signal: null },
      { code: null, signal: "SIGINT" },
    ]).toContainEqual(await sandbox.exited);
    // Printed only once everything has stopped, just before exit code 0.
    expect(sandbox.output.stdout).toMatch(/mjrelay sandbox: stopping…\nmjrelay sandbox: stopped\.\n$/);
    expect(sandbox.output.stdout).not.toMatch(/"level":(10|20|30)/);
    expect(sandbox.output.stderr).toBe("");
    await expect(fetch(url)).rejects.toThrow();
  }, 90_000);
});
