// The benchmark's upstream and Discord: the loopback fakes from test/support, run in their own
// process so the tracker's CPU time and memory are measured alone. Driven over IPC by bench/run.ts.

import { parseTask } from "../src/mj/schema.js";
import { renderTaskMessage } from "../src/render/renderTaskMessage.js";
import { type FakeDiscord, startFakeDiscord } from "../test/support/fake-discord.js";
import { type FakeMj, imagineTimeline, startFakeMj } from "../test/support/fake-mj.js";

export type BenchCommand =
  | { cmd: "start"; rateLimited: boolean }
  | { cmd: "seed"; count: number; channels: number; stepMs: number; notifyHook?: string }
  | { cmd: "progress" }
  | { cmd: "report" }
  | { cmd: "stop" };

interface Seeded {
  taskId: string;
  channelId: string;
  messageId: string;
  task: unknown;
}

let discord: FakeDiscord | undefined;
let mj: FakeMj | undefined;
let seeded: Seeded[] = [];
let driver: NodeJS.Timeout | undefined;
let mjRequestsAtSeed = 0;
let discordRequestsAtSeed = 0;

/** The part of a rendered message that changes with the task: its title and description. */
function visibleKey(embeds: unknown): string {
  const embed = (Array.isArray(embeds) ? embeds[0] : undefined) as
    | { title?: string; description?: string }
    | undefined;
  return `${embed?.title ?? ""}\n${embed?.description ?? ""}`;
}

function keyOfTask(task: unknown): string {
  const parsed = parseTask(task);
  return parsed ? visibleKey(renderTaskMessage(parsed).payload.embeds) : "";
}

async function handle(message: BenchCommand): Promise<unknown> {
  switch (message.cmd) {
    case "start": {
      discord = await startFakeDiscord({
        skipSpecValidation: true,
        ...(message.rateLimited
          ? { rateLimits: { perRoute: { limit: 5, windowMs: 5000 }, global: { limit: 50, windowMs: 1000 } } }
          : {}),
      });
      discord.recordBodies = true;
      mj = await startFakeMj();
      return { apiUrl: discord.apiUrl, token: discord.token, mjUrl: mj.url, apiKey: mj.apiKey };
    }
    case "seed": {
      if (!discord || !mj) throw new Error("not started");
      const channels = Array.from({ length: message.channels }, (_, i) =>
        String(900000000000100000n + BigInt(i)),
      );
      for (const channel of channels) discord.addChannel(channel);
      const started = Date.now();
      seeded = [];
      const schedule: { id: string; next: number; left: number }[] = [];
      for (let i = 0; i < message.count; i++) {
        const taskId = `17320${String(i).padStart(11, "0")}`;
        const { task, steps } = imagineTimeline(taskId);
        // Queue, 0% -> 25% -> 50% -> 75%, success with buttons: one visible change per step.
        const progress = [
          { status: "IN_PROGRESS", progress: "0%", startTime: Date.now() },
          { progress: "25%" },
          { progress: "50%" },
          { progress: "75%", imageUrl: "https://cdn.example.com/preview.webp" },
          steps[steps.length - 1] ?? {},
        ];
        mj.addTask(
          task,
          { steps: progress, advance: "manual" },
          message.notifyHook ? { notifyHook: message.notifyHook } : {},
        );
        const channelId = channels[i % channels.length] as string;
        const posted = discord.seedMessage(channelId);
        seeded.push({ taskId, channelId, messageId: posted.id, task });
        // Spread the starts over one step so the load is steady, as with real users.
        schedule.push({
          id: taskId,
          next: started + Math.random() * message.stepMs + message.stepMs,
          left: progress.length,
        });
      }
      mjRequestsAtSeed = mj.requests.length;
      discordRequestsAtSeed = discord.requests.length;
      driver = setInterval(() => {
        const now = Date.now();
        for (const entry of schedule) {
          if (entry.left > 0 && entry.next <= now) {
            mj?.advance(entry.id);
            entry.left -= 1;
            entry.next += message.stepMs;
          }
        }
      }, 50);
      return seeded;
    }
    case "progress": {
      if (!discord || !mj) throw new Error("not started");
      // Tasks whose final state reached Discord.
      let done = 0;
      for (const s of seeded) {
        const shown = discord.messages.get(s.messageId);
        if (shown && visibleKey(shown.embeds).startsWith("Imagine · Done")) done += 1;
      }
      return { done };
    }
    case "report": {
      if (!discord || !mj) throw new Error("not started");
      const patches = discord.requests
        .slice(discordRequestsAtSeed)
        .filter((r) => r.method === "PATCH" && r.status === 200);
      const firstSeen = new Map<string, number>();
      let visibleChanges = 0;
      for (const s of seeded) {
        const keys = new Set<string>();
        for (const snapshot of mj.snapshots(s.taskId)) {
          const key = keyOfTask(snapshot.task);
          if (!keys.has(key)) {
            keys.add(key);
            firstSeen.set(`${s.taskId}\n${key}`, snapshot.at);
          }
        }
        visibleChanges += keys.size - 1;
      }
      const latencies: number[] = [];
      const byMessage = new Map(seeded.map((s) => [s.messageId, s.taskId]));
      for (const patch of patches) {
        const messageId = patch.path.split("/").at(-1) ?? "";
        const taskId = byMessage.get(messageId);
        const changedAt = taskId
          ? firstSeen.get(`${taskId}\n${visibleKey((patch.body as { embeds?: unknown })?.embeds)}`)
          : undefined;
        if (changedAt !== undefined) latencies.push(patch.at - changedAt);
      }
      const mjRequests = mj.requests.slice(mjRequestsAtSeed);
      return {
        upstreamRequests: mjRequests.length,
        upstreamBatchCalls: mjRequests.filter((r) => r.path === "/mj/task/list-by-condition").length,
        discordPatches: patches.length,
        discordRequests: discord.requests.length - discordRequestsAtSeed,
        rateLimited: discord.rateLimited.length,
        rateLimitedGlobal: discord.rateLimited.filter((r) => r.rateLimitScope === "global").length,
        visibleChanges,
        latencies,
        firstPatchAt: patches[0]?.at ?? 0,
        lastPatchAt: patches.at(-1)?.at ?? 0,
      };
    }
    case "stop": {
      clearInterval(driver);
      await Promise.all([discord?.close(), mj?.close()]);
      discord = undefined;
      mj = undefined;
      return null;
    }
  }
}

process.on("message", (raw) => {
  const { id, message } = raw as { id: number; message: BenchCommand };
  handle(message).then(
    (result) => process.send?.({ id, result }),
    (error: unknown) => process.send?.({ id, error: String(error) }),
  );
});
process.send?.({ ready: true });
