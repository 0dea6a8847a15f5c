// Two replicas of one bot as separate processes (SHARD_IDS, no ShardingManager) sharing a real
// Redis: each task is polled and edited by its owner only, callbacks that reach either replica
// reach the owner, and together they stay under Discord's global limit.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { taskShard } from "../../src/tracking/partition.js";
import { TrackingStore } from "../../src/tracking/store.js";
import { hookUrl } from "../../src/webhook/hookSecrets.js";
import { freePort } from "../support/freePort.js";
import { startShardedFakes } from "../support/shardedFakes.js";

const MAIN_ENTRY = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One replica: `npm start` with SHARD_IDS, its output collected. */
function startReplica(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", MAIN_ENTRY], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const replica = { output: "", child };
  child.stdout?.on("data", (chunk: Buffer) => {
    replica.output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    replica.output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  });
  return {
    ...replica,
    get output() {
      return replica.output;
    },
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

describe("replicas (SHARD_IDS, no manager, Redis)", () => {
  it("polls and edits each task on its owner only; callbacks to either replica reach the owner; 0 global 429s under load", async () => {
    const channels = Array.from({ length: 120 }, (_, i) => String(900000000000300000n + BigInt(i)));
    const { discord, mj, redis } = await startShardedFakes(cleanups, {
      channelIds: channels,
      rateLimits: { global: { limit: 50, windowMs: 1000 }, perRoute: { limit: 5, windowMs: 5000 } },
    });
    const ports = [await freePort(), await freePort()];
    const replicas = [0, 1].map((shard) =>
      startReplica({
        PATH: process.env.PATH ?? "",
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        MJ_BASE_URL: mj.url,
        MJ_API_KEY: mj.apiKey,
        STORE_URL: `${redis.url}/0`,
        SHARD_IDS: String(shard),
        SHARD_COUNT: "2",
        POLL_INTERVAL_MS: "250",
        HTTP_PORT: String(ports[shard]),
        HTTP_HOST: "127.0.0.1",
        PUBLIC_URL: `http://127.0.0.1:${ports[shard]}`,
        LOG_LEVEL: "info",
      }),
    );
    await discord.waitFor(() => replicas.every((r) => r.output.includes("HTTP server listening")), {
      timeoutMs: 40_000,
    });
    expect([...discord.identified].sort()).toEqual([0, 1]);

    // Both replicas registered their own hook secret in the shared store: the stored one works at either.
    const store = await TrackingStore.open(`${redis.url}/0`);
    const secret = await store.getBotHookSecret();
    await store.close();
    expect(secret).toBeDefined();

    // Two tasks owned by each shard, tracked by callbacks: each task's callbacks go to the replica
    // that does NOT own it (and the other half's to the owner).
    const ids: string[] = [];
    for (let n = 0; ids.length < 4; n++) {
      const id = `1732100000${String(n).padStart(6, "0")}`;
      if (ids.filter((other) => taskShard(other, 2) === taskShard(id, 2)).length < 2) ids.push(id);
    }
    const embedsOf = (messageId: string | undefined) =>
      JSON.stringify(discord.messages.get(messageId ?? "")?.embeds ?? []);
    const messages = new Map<string, string>();
    for (const id of ids) {
      const owner = taskShard(id, 2);
      const first = ids.find((other) => taskShard(other, 2) === owner) === id;
      const receiver = first ? 1 - owner : owner;
      mj.addImagine(id, "manual", { notifyHook: hookUrl(`http://127.0.0.1:${ports[receiver]}`, secret!) });
      const interaction = await discord.sendCommand("mjstatus", { id });
      const message = await discord.waitForMessage((m) => m.interactionId === interaction.id, {
        timeoutMs: 15_000,
      });
      messages.set(id, message.id);
    }
    for (const shown of ["30%", "70%", "Imagine · Done"]) {
      for (const id of ids) mj.advance(id);
      await discord.waitFor(() => ids.every((id) => embedsOf(messages.get(id)).includes(shown)), {
        timeoutMs: 20_000,
      });
    }
    for (const id of ids) {
      const owner = `mjrelay (shard ${taskShard(id, 2)}/2)`;
      const polls = mj
        .requestsTo("/mj/task/list-by-condition")
        .filter((r) => (r.body as { ids: string[] }).ids.includes(id));
      expect(polls.every((r) => r.headers["user-agent"] === owner)).toBe(true);
      const message = discord.messages.get(messages.get(id)!);
      const edits = discord.requests.filter(
        (r) =>
          r.method === "PATCH" &&
          r.status === 200 &&
          (r.path.endsWith(`/messages/${message?.id}`) ||
            (r.path.includes(`/messages/@original`) &&
              discord.interactions.get(message?.interactionId ?? "")?.token === r.path.split("/")[3])),
      );
      expect(edits.length).toBe(3);
      expect(edits.every((r) => r.headers["user-agent"]?.endsWith(owner))).toBe(true);
    }
    const delivered = mj.callbacks.filter((c) => c.status === 204);
    for (const port of ports) {
      expect(delivered.some((c) => c.url.startsWith(`http://127.0.0.1:${port}/`))).toBe(true);
    }
    expect(replicas.every((r) => !r.output.includes("could not apply work"))).toBe(true);

    // Load on the channel route from both replicas at once: 120 tasks in 120 channels whose
    // tokens are too old for token edits, all changing together, twice. Paced alone, each
    // replica would send 46/s: together over the global 50.
    const loadIds = Array.from({ length: 120 }, (_, i) => `1732200000${String(i).padStart(6, "0")}`);
    const loadMessages = new Map<string, string>();
    for (const [index, id] of loadIds.entries()) {
      mj.addImagine(id, "manual");
      const interaction = await discord.sendCommand(
        "mjstatus",
        { id },
        { channelId: channels[index], createdAgoMs: 14 * 60_000 },
      );
      const message = await discord.waitForMessage((m) => m.interactionId === interaction.id, {
        timeoutMs: 15_000,
      });
      loadMessages.set(id, message.id);
    }
    for (let step = 0; step < 2; step++) {
      for (const id of loadIds) mj.advance(id);
      const shown = step === 0 ? "30%" : "70%";
      await discord.waitFor(() => loadIds.every((id) => embedsOf(loadMessages.get(id)).includes(shown)), {
        timeoutMs: 30_000,
      });
    }
    const channelEdits = discord.requests.filter(
      (r) => r.method === "PATCH" && r.path.startsWith("/channels/") && r.status === 200,
    );
    expect(channelEdits.length).toBeGreaterThanOrEqual(240);
    const senders = new Set(
      channelEdits.map((r) => /mjrelay \(shard \d\/2\)$/.exec(r.headers["user-agent"] ?? "")?.[0]),
    );
    expect(senders).toEqual(new Set(["mjrelay (shard 0/2)", "mjrelay (shard 1/2)"]));
    for (const id of loadIds) {
      const owner = `mjrelay (shard ${taskShard(id, 2)}/2)`;
      const polls = mj
        .requestsTo("/mj/task/list-by-condition")
        .filter((r) => (r.body as { ids: string[] }).ids.includes(id));
      expect(polls.length).toBeGreaterThan(0);
      expect(polls.every((r) => r.headers["user-agent"] === owner)).toBe(true);
    }
    expect(discord.rateLimited.filter((r) => r.rateLimitScope === "global")).toEqual([]);
    expect(discord.rejected).toEqual([]);

    expect(await Promise.all(replicas.map((r) => r.stop()))).toEqual([0, 0]);
  }, 120_000);
});
