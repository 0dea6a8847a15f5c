// `npm run invite` (src/invite.ts as a process) against the fake Discord: the invite URL for the
// token's application, and one clear line when it cannot be made.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { BOT_PERMISSIONS, inviteUrl } from "../../src/discord/invite.js";
import { startFakeDiscord } from "../../src/sandbox/discord/fakeDiscord.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";
import { freePort } from "../support/freePort.js";

const INVITE = fileURLToPath(new URL("../../src/invite.ts", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs the invite script with exactly `env` (plus PATH), in a folder without a .env file. */
async function runInvite(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", INVITE], {
    env: { PATH: process.env.PATH ?? "", ...env },
    cwd: fileURLToPath(new URL("./", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}

async function fakeDiscord() {
  const discord = await startFakeDiscord(checkedAgainstSpec);
  cleanups.push(() => discord.close());
  return discord;
}

describe("npm run invite", () => {
  it("prints the invite URL with the token's application id, both scopes and the permission integer", async () => {
    const discord = await fakeDiscord();
    const { code, stdout, stderr } = await runInvite({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const url = new URL(/https:\/\/discord\.com\/oauth2\/authorize\S+/.exec(stdout)?.[0] ?? "");
    expect(url.searchParams.get("client_id")).toBe(discord.applicationId);
    expect(url.searchParams.get("scope")).toBe("bot applications.commands");
    expect(url.searchParams.get("permissions")).toBe("274878024704");
    expect(stdout).toContain(
      `https://discord.com/oauth2/authorize?client_id=${discord.applicationId}&scope=bot+applications.commands&permissions=274878024704`,
    );
    // The id came from Discord, asked with the bot token.
    const asked = discord.requests.filter((r) => r.path === "/applications/@me");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.headers.authorization).toBe(`Bot ${discord.token}`);
    expect(stdout).not.toContain(discord.token);
  });

  it("asks for exactly what the bot uses: see, post (in threads too), embed, attach, reply", () => {
    expect(BOT_PERMISSIONS).toBe(
      PermissionFlagsBits.ViewChannel |
        PermissionFlagsBits.SendMessages |
        PermissionFlagsBits.SendMessagesInThreads |
        PermissionFlagsBits.EmbedLinks |
        PermissionFlagsBits.AttachFiles |
        PermissionFlagsBits.ReadMessageHistory,
    );
    expect(BOT_PERMISSIONS).toBe(274878024704n);
    expect(inviteUrl("123")).toBe(
      "https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands&permissions=274878024704",
    );
  });

  it("says in one line that Discord refused the token, without printing it", async () => {
    const discord = await fakeDiscord();
    const token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.wrong.token-value-that-must-not-be-printed";
    const { code, stdout, stderr } = await runInvite({
      DISCORD_TOKEN: token,
      DISCORD_API_URL: discord.apiUrl,
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^mjrelay: Discord refused DISCORD_TOKEN \(HTTP 401\)/),
    ]);
    expect(stderr).not.toContain(token);
    expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("says in one line what is missing or unreachable", async () => {
    const missing = await runInvite({});
    expect(missing.code).toBe(1);
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/DISCORD_TOKEN is required/);

    const port = await freePort();
    const unreachable = await runInvite({
      DISCORD_TOKEN: "some-token-value-1234",
      DISCORD_API_URL: `http://127.0.0.1:${port}/api`,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(`^mjrelay: Could not reach Discord at http://127\\.0\\.0\\.1:${port}/api`),
      ),
    ]);
    expect(unreachable.stderr).not.toContain("some-token-value-1234");
  });
});
