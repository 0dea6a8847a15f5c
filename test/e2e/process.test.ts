// src/main.ts as a process: how it refuses a bad configuration and how it stops on SIGTERM.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeDiscord } from "../../src/sandbox/discord/fakeDiscord.js";
import { startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";
import { temporaryStoreUrl } from "../support/storeUrl.js";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const REGISTER = fileURLToPath(new URL("../../src/register.ts", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs an entry point with exactly `env` (plus PATH), in a folder without a .env file. */
function runMain(env: Record<string, string>, entry = MAIN) {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { PATH: process.env.PATH ?? "", ...env },
    cwd: fileURLToPath(new URL("./", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  return { child, output, exited };
}

describe("the bot process", () => {
  it("refuses a bad configuration with one message naming every problem, exit code 1, no secret", async () => {
    const { output, exited } = runMain({
      DISCORD_TOKEN: "secret-token-value-1234",
      MJ_BASE_URL: "not a url",
      MJ_AUTH_STYLE: "basic",
      POLL_INTERVAL_MS: "10",
    });
    expect(await exited).toBe(1);
    expect(output.stderr).toMatch(/MJ_BASE_URL must be an http\(s\) URL/);
    expect(output.stderr).toMatch(/MJ_API_KEY is required/);
    expect(output.stderr).toMatch(/MJ_AUTH_STYLE must be bearer or mj-api-secret/);
    expect(output.stderr).toMatch(/POLL_INTERVAL_MS must be at least 250/);
    expect(output.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(output.stderr + output.stdout).not.toContain("secret-token-value-1234");
  });

  it("connects, then stops cleanly on SIGTERM with exit code 0", async () => {
    const discord = await startFakeDiscord(checkedAgainstSpec);
    const mj = await startFakeMj();
    cleanups.push(
      () => discord.close(),
      () => mj.close(),
    );
    const { child, output, exited } = runMain({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      MJ_BASE_URL: mj.url,
      MJ_API_KEY: mj.apiKey,
      STORE_URL: temporaryStoreUrl(),
      HTTP_PORT: "0",
      HTTP_HOST: "127.0.0.1",
    });
    await discord.waitFor(() => output.stdout.includes("connected to Discord"), { timeoutMs: 20_000 });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output.stdout).toMatch(/"msg":"stopped"/);
    expect(output.stdout).not.toContain(discord.token);
    expect(output.stdout).not.toContain(mj.apiKey);
  });

  it.each([
    ["globally", {}],
    ["in one guild", { DISCORD_GUILD_ID: "900000000000000010" }],
  ] as const)("registers the slash commands %s (npm run register)", async (_where, extra) => {
    const discord = await startFakeDiscord(checkedAgainstSpec);
    cleanups.push(() => discord.close());
    const { output, exited } = runMain(
      {
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        MJ_BASE_URL: "http://127.0.0.1:9",
        MJ_API_KEY: "unused",
        ...extra,
      },
      REGISTER,
    );
    expect(await exited).toBe(0);
    const registered = "DISCORD_GUILD_ID" in extra ? discord.guildCommands : discord.commands;
    expect(registered.map((command) => command.name)).toEqual(
      expect.arrayContaining([
        "mjstatus",
        "imagine",
        "describe",
        "blend",
        "shorten",
        "video",
        "swapface",
        "mjseed",
        "mjfeed",
      ]),
    );
    expect(discord.rejected).toEqual([]);
    expect(output.stdout).toMatch(/Registered 9 command/);
  });
});
