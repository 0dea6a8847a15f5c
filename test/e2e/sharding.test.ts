// Two shards under discord.js's ShardingManager (npm run start:sharded), sharing a real Redis:
// every task is polled and edited by exactly one shard, the one its id maps to.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { taskShard } from "../../src/tracking/partition.js";
import { startShardedFakes } from "../support/shardedFakes.js";

const SHARD_ENTRY = fileURLToPath(new URL("../../src/shard.ts", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function title(embeds: unknown[]): string | undefined {
  return (embeds[0] as { title?: string } | undefined)?.title;
}

describe("sharded (two shards, Redis)", () => {
  it("polls and edits each task from exactly one shard, also across a restart of the shards", async () => {
    const { discord, mj, redis } = await startShardedFakes(cleanups);
    const env = {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      MJ_BASE_URL: mj.url,
      MJ_API_KEY: mj.apiKey,
      STORE_URL: `${redis.url}/0`,
      POLL_INTERVAL_MS: "250",
      HTTP_PORT: "0",
      HTTP_HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      // Its tasks' images are on cdn.discordapp.com, which no test may reach.
      MEDIA_UPLOAD: "false",
    };
    const startManager = async () => {
      const child = spawn(process.execPath, ["--import", "tsx", SHARD_ENTRY], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      cleanups.push(async () => {
        if (child.exitCode === null) child.kill("SIGTERM");
        await exited;
      });
      await discord.waitFor(() => output.includes("all shards ready"), { timeoutMs: 40_000 });
      return {
        stop: async () => {
          child.kill("SIGTERM");
          return exited;
        },
      };
    };
    let manager = await startManager();
    expect([...discord.identified].sort()).toEqual([0, 1]);

    // Three tasks owned by each shard; the guild (and so every command) lives on one of them.
    const ids: string[] = [];
    for (let n = 0; ids.length < 6; n++) {
      const id = `1732000000${String(n).padStart(6, "0")}`;
      if (ids.filter((other) => taskShard(other, 2) === taskShard(id, 2)).length < 3) ids.push(id);
    }
    const messages = new Map<string, string>();
    const tokens = new Map<string, string>();
    for (const id of ids) {
      mj.addImagine(id, "manual");
      const interaction = await discord.sendCommand("mjstatus", { id });
      const message = await discord.waitForMessage((m) => m.interactionId === interaction.id, {
        timeoutMs: 15_000,
      });
      messages.set(id, message.id);
      tokens.set(id, interaction.token);
    }
    for (let step = 0; step < 3; step++) {
      if (step === 1) {
        // Every shard stops and starts again mid-task; tracking resumes from Redis.
        expect(await manager.stop()).toBe(0);
        manager = await startManager();
      }
      const seen = new Map(ids.map((id) => [id, mj.pollsOf(id)]));
      await mj.waitFor(() => ids.every((id) => mj.pollsOf(id) > (seen.get(id) ?? 0)), { timeoutMs: 15_000 });
      for (const id of ids) mj.advance(id);
    }
    await discord.waitFor(
      () =>
        ids.every((id) => title(discord.messages.get(messages.get(id)!)?.embeds ?? []) === "Imagine · Done"),
      { timeoutMs: 20_000 },
    );

    for (const id of ids) {
      const owner = `mjrelay (shard ${taskShard(id, 2)}/2)`;
      const polls = mj
        .requestsTo("/mj/task/list-by-condition")
        .filter((r) => (r.body as { ids: string[] }).ids.includes(id));
      expect(polls.length).toBeGreaterThan(0);
      expect(new Set(polls.map((r) => r.headers["user-agent"]))).toEqual(new Set([owner]));
      // Each /mjstatus reply is edited through its interaction's token (or its channel once refused).
      const token = tokens.get(id);
      const edits = discord.requests.filter(
        (r) =>
          r.method === "PATCH" &&
          r.status === 200 &&
          (r.path.endsWith(`/messages/${messages.get(id)}`) ||
            r.path.includes(`/${token}/messages/@original`)),
      );
      expect(edits.length).toBe(3);
      expect(edits.every((r) => r.headers["user-agent"]?.endsWith(owner))).toBe(true);
    }
    expect(discord.rejected).toEqual([]);
    expect(discord.channelMessages(discord.channelId)).toHaveLength(ids.length);
    expect(await manager.stop()).toBe(0);
  }, 120_000);
});
