// The benchmark's upstream and Discord: the loopback fakes from test/support, each in its own
// process (`fakes.ts mj`, `fakes.ts discord`), as they are different services in real life: the
// tracker's CPU time and memory are measured alone, and the fake MJ's callback traffic never
// stalls the fake Discord's clock. Driven over IPC by bench/run.ts.

import { parseTask } from "../src/mj/schema.js";
import { renderTaskMessage } from "../src/render/renderTaskMessage.js";
import { type FakeDiscord, startFakeDiscord } from "../src/sandbox/discord/fakeDiscord.js";
import { type FakeMj, imagineTimeline, startFakeMj } from "../src/sandbox/mj/fakeMj.js";

export type FakeRole = "mj" | "discord";

export type BenchCommand =
  | { cmd: "start" }
  /**
   * MJ: adds the tasks and starts their timelines. Discord: posts one message per task, as the
   * reply to a slash command when `interactions` (its token comes back with it).
   */
  | {
      cmd: "seed";
      taskIds: string[];
      channels: number;
      stepMs: number;
      notifyHook?: string;
      interactions?: boolean;
    }
  | { cmd: "progress" }
  /** Discord: `firstSeen` comes from the MJ fake's report, to time each edit from its change. */
  | { cmd: "report"; firstSeen?: [taskId: string, key: string, at: number][] }
  | { cmd: "stop" };

export interface MjReport {
  upstreamRequests: number;
  visibleChanges: number;
  firstSeen: [taskId: string, key: string, at: number][];
  callbacksDelivered: number;
  callbacksFailed: number;
  callbackError?: string;
}

export interface DiscordReport {
  discordPatches: number;
  rateLimited: number;
  rateLimitedGlobal: number;
  latencies: number[];
  firstPatchAt: number;
  lastPatchAt: number;
  /** Edits through interaction tokens (the rest went by the channel route). */
  tokenPatches: number;
}

/** The part of a rendered message that changes with the task: its title and description. */
function visibleKey(embeds: unknown): string {
  const embed = (Array.isArray(embeds) ? embeds[0] : undefined) as
    | { title?: string; description?: string }
    | undefined;
  return `${embed?.title ?? ""}\n${embed?.description ?? ""}`;
}

function keyOfTask(task: unknown): string {
  const parsed = parseTask(task);
  return parsed ? visibleKey(renderTaskMessage(parsed, { locale: "en" }).payload.embeds) : "";
}

function channelIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(900000000000100000n + BigInt(i)));
}

/** The fake MJ proxy: tasks that move along their timeline, one step every `stepMs`. */
function mjRole() {
  let mj: FakeMj | undefined;
  let taskIds: string[] = [];
  let driver: NodeJS.Timeout | undefined;
  // What came before the latest seed (a run's warm-up) is left out of the report.
  let requestsAtSeed = 0;
  let callbacksAtSeed = 0;
  let callbackErrorsAtSeed = 0;
  return async (message: BenchCommand): Promise<unknown> => {
    switch (message.cmd) {
      case "start":
        mj = await startFakeMj();
        return { mjUrl: mj.url, apiKey: mj.apiKey };
      case "seed": {
        if (!mj) throw new Error("not started");
        const started = Date.now();
        const schedule: { id: string; next: number; left: number }[] = [];
        const tasks: unknown[] = [];
        taskIds = message.taskIds;
        for (const taskId of taskIds) {
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
          tasks.push(task);
          // Spread the starts over one step so the load is steady, as with real users.
          schedule.push({
            id: taskId,
            next: started + Math.random() * message.stepMs + message.stepMs,
            left: progress.length,
          });
        }
        requestsAtSeed = mj.requests.length;
        callbacksAtSeed = mj.callbacks.length;
        callbackErrorsAtSeed = mj.callbackErrors.length;
        clearInterval(driver);
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
        return tasks;
      }
      case "report": {
        if (!mj) throw new Error("not started");
        const firstSeen: [string, string, number][] = [];
        let visibleChanges = 0;
        for (const taskId of taskIds) {
          const keys = new Set<string>();
          for (const snapshot of mj.snapshots(taskId)) {
            const key = keyOfTask(snapshot.task);
            if (keys.has(key)) continue;
            keys.add(key);
            firstSeen.push([taskId, key, snapshot.at]);
          }
          visibleChanges += keys.size - 1;
        }
        const callbacks = mj.callbacks.slice(callbacksAtSeed);
        const callbackErrors = mj.callbackErrors.slice(callbackErrorsAtSeed);
        const report: MjReport = {
          upstreamRequests: mj.requests.length - requestsAtSeed,
          visibleChanges,
          firstSeen,
          callbacksDelivered: callbacks.filter((c) => c.status < 300).length,
          callbacksFailed: callbacks.filter((c) => c.status >= 300).length + callbackErrors.length,
          ...(callbackErrors[0] === undefined ? {} : { callbackError: String(callbackErrors[0]) }),
        };
        return report;
      }
      case "progress":
        throw new Error("progress is the Discord fake's");
      case "stop":
        clearInterval(driver);
        await mj?.close();
        mj = undefined;
        return null;
    }
  };
}

/** The rate-limited fake Discord, with one message per task over the channels. */
function discordRole() {
  let discord: FakeDiscord | undefined;
  let seeded: { taskId: string; messageId: string }[] = [];
  // What came before the latest seed (a run's warm-up) is left out of the report.
  let requestsAtSeed = 0;
  let rateLimitedAtSeed = 0;
  return async (message: BenchCommand): Promise<unknown> => {
    switch (message.cmd) {
      case "start":
        discord = await startFakeDiscord({
          rateLimits: { perRoute: { limit: 5, windowMs: 5000 }, global: { limit: 50, windowMs: 1000 } },
        });
        discord.recordBodies = true;
        return { apiUrl: discord.apiUrl, token: discord.token };
      case "seed": {
        if (!discord) throw new Error("not started");
        const channels = channelIds(message.channels);
        for (const channel of channels) discord.addChannel(channel);
        const fake = discord;
        const posted = message.taskIds.map((taskId, i) => {
          const channelId = channels[i % channels.length] as string;
          if (!message.interactions) return { taskId, channelId, messageId: fake.seedMessage(channelId).id };
          const reply = fake.seedInteractionReply(channelId);
          const interaction = {
            applicationId: fake.applicationId,
            token: reply.interaction.token,
            message: "@original",
            createdAt: reply.interaction.createdAt,
          };
          return { taskId, channelId, messageId: reply.message.id, interaction };
        });
        seeded = posted.map(({ taskId, messageId }) => ({ taskId, messageId }));
        requestsAtSeed = discord.requests.length;
        rateLimitedAtSeed = discord.rateLimited.length;
        return posted.map(({ taskId: _, ...where }) => where);
      }
      case "progress": {
        if (!discord) throw new Error("not started");
        // Tasks whose final state reached Discord.
        let done = 0;
        for (const s of seeded) {
          const shown = discord.messages.get(s.messageId);
          if (shown && visibleKey(shown.embeds).startsWith("Imagine · Done")) done += 1;
        }
        return { done };
      }
      case "report": {
        if (!discord) throw new Error("not started");
        const patches = discord.requests
          .slice(requestsAtSeed)
          .filter((r) => r.method === "PATCH" && r.status === 200);
        const changedAt = new Map(message.firstSeen?.map(([taskId, key, at]) => [`${taskId}\n${key}`, at]));
        const taskOf = new Map(seeded.map((s) => [s.messageId, s.taskId]));
        const replyOf = new Map(
          [...discord.interactions.values()].map((i) => [i.token, i.responseMessageId]),
        );
        const latencies: number[] = [];
        for (const patch of patches) {
          // A token edit names @original: its message is the interaction's response.
          const parts = patch.path.split("/");
          const last = parts.at(-1) ?? "";
          const messageId = last === "@original" ? replyOf.get(parts[3] ?? "") : last;
          const taskId = taskOf.get(messageId ?? "");
          const key = visibleKey((patch.body as { embeds?: unknown })?.embeds);
          const at = taskId ? changedAt.get(`${taskId}\n${key}`) : undefined;
          if (at !== undefined) latencies.push(patch.at - at);
        }
        const rateLimited = discord.rateLimited.slice(rateLimitedAtSeed);
        const report: DiscordReport = {
          discordPatches: patches.length,
          rateLimited: rateLimited.length,
          rateLimitedGlobal: rateLimited.filter((r) => r.rateLimitScope === "global").length,
          latencies,
          firstPatchAt: patches[0]?.at ?? 0,
          lastPatchAt: patches.at(-1)?.at ?? 0,
          tokenPatches: patches.filter((p) => p.path.startsWith("/webhooks/")).length,
        };
        return report;
      }
      case "stop":
        await discord?.close();
        discord = undefined;
        return null;
    }
  };
}

const role = process.argv[2] as FakeRole;
const handle = role === "mj" ? mjRole() : discordRole();
process.on("message", (raw) => {
  const { id, message } = raw as { id: number; message: BenchCommand };
  handle(message).then(
    (result) => process.send?.({ id, result }),
    (error: unknown) => process.send?.({ id, error: String(error) }),
  );
});
process.send?.({ ready: true });
