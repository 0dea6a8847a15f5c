// One tracker process of the bench's two-process run: mjrelay's real tracking code for its share
// of the tasks, drawing channel-route edits from the bot's budget in a shared Redis (or not, to
// show what happens without). Driven over IPC by bench/run.ts.
import { REST } from "discord.js";
import { RestMessageEditor } from "../src/discord/messages/messageEditor.js";
import { createLogger } from "../src/logger.js";
import { MjClient } from "../src/mj/client.js";
import { parseTask, type Task } from "../src/mj/schema.js";
import type { TaskMessagePayload } from "../src/render/renderTaskMessage.js";
import { renderTaskMessage } from "../src/render/renderTaskMessage.js";
import {
  type EditLane,
  EditScheduler,
  type MessageEditor,
  type MessageTarget,
} from "../src/tracking/editScheduler.js";
import { Poller } from "../src/tracking/poller.js";
import { TaskRegistry } from "../src/tracking/registry.js";
import { FixedShare, type GlobalBudget, SharedTokenBucket } from "../src/tracking/sharedGlobalLimit.js";
import { TaskUpdater } from "../src/tracking/updater.js";
import { openTemporaryStore } from "../test/support/storeUrl.js";

export type Sharing = "none" | "token bucket" | "fixed share";

export interface ReplicaStart {
  cmd: "start";
  apiUrl: string;
  token: string;
  mjUrl: string;
  apiKey: string;
  redisUrl: string;
  sharing: Sharing;
  pollIntervalMs: number;
  tasks: { taskId: string; channelId: string; messageId: string; task: unknown }[];
}

export type ReplicaCommand = ReplicaStart | { cmd: "stop" };

const logger = createLogger({ level: "silent", secrets: [] });
const PER_SECOND = 46;

/** What a replica reports when stopped. */
export interface ReplicaReport {
  cpuMs: number;
  /** Per channel-route edit, ms from its payload being made to its request starting. */
  budgetWaitsMs: number[];
}

let running: { stop(): Promise<ReplicaReport> } | undefined;

async function start(message: ReplicaStart): Promise<null> {
  const scratch = await openTemporaryStore("mjrelay-bench-replica-");
  const { store } = scratch;
  const rest = new REST({ api: message.apiUrl }).setToken(message.token);
  const mj = new MjClient({
    baseUrl: message.mjUrl,
    apiKey: message.apiKey,
    authStyle: "bearer",
    timeoutMs: 30_000,
  });
  let budget: GlobalBudget | undefined;
  const editor = new WaitTimedEditor(
    new RestMessageEditor({
      rest,
      apiUrl: message.apiUrl,
      token: message.token,
      ...(message.sharing === "token bucket"
        ? { acquireGlobal: () => budget?.acquire() ?? Promise.resolve() }
        : {}),
    }),
  );
  const edits = new EditScheduler({ editor, logger, maxPerSecond: PER_SECOND });
  const budgetOptions = { redisUrl: message.redisUrl, botId: "bench", perSecond: PER_SECOND, logger };
  if (message.sharing === "token bucket") budget = await SharedTokenBucket.open(budgetOptions);
  // Opened once the scheduler exists: its first share (counted as it opens) must reach the pacing.
  if (message.sharing === "fixed share") {
    budget = await FixedShare.open({ ...budgetOptions, onShare: (share) => edits.setMaxPerSecond(share) });
  }
  const registry = new TaskRegistry(store);
  const updater = new TaskUpdater({ registry, edits: editor.timing(edits), logger, maxAgeMs: 24 * 3600_000 });
  for (const seeded of message.tasks) {
    const task = parseTask(seeded.task) as Task;
    await updater.attach(task, {
      messageId: seeded.messageId,
      channelId: seeded.channelId,
      guildId: null,
      requesterId: null,
      fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
      createdAt: Date.now(),
    });
  }
  const poller = new Poller({ registry, updater, mj, logger, intervalMs: message.pollIntervalMs });
  const cpu = process.cpuUsage();
  poller.start();
  running = {
    async stop() {
      const used = process.cpuUsage(cpu);
      await poller.stop();
      edits.stop();
      await editor.close();
      await budget?.close();
      await mj.close();
      await scratch.close();
      return { cpuMs: (used.user + used.system) / 1000, budgetWaitsMs: editor.waits };
    },
  };
  return null;
}

/**
 * The editor, timing how long each channel-route edit waited between its payload being made and
 * its request starting: the wait for the bot's global budget (the local pacing, and the shared
 * bucket when there is one).
 */
class WaitTimedEditor implements MessageEditor {
  readonly waits: number[] = [];
  readonly #madeAt = new Map<string, number>();

  constructor(private readonly inner: RestMessageEditor) {}

  /** The scheduler, with each payload's making timed. */
  timing(scheduler: EditScheduler): Pick<EditScheduler, "queue"> {
    return {
      queue: (job) =>
        scheduler.queue({
          target: job.target,
          final: job.final,
          prepare: async () => {
            const payload = await job.prepare();
            this.#madeAt.set(job.target.messageId, performance.now());
            return payload;
          },
          settle: (outcome) => job.settle(outcome),
        }),
    };
  }

  edit(target: MessageTarget, payload: TaskMessagePayload, lane: EditLane) {
    const madeAt = this.#madeAt.get(target.messageId);
    this.#madeAt.delete(target.messageId);
    if (madeAt !== undefined && lane.global) this.waits.push(performance.now() - madeAt);
    return this.inner.edit(target, payload, lane);
  }

  laneOf(target: MessageTarget): EditLane {
    return this.inner.laneOf(target);
  }

  readyAt(laneKey: string): number {
    return this.inner.readyAt(laneKey);
  }

  globalReadyAt(): number {
    return this.inner.globalReadyAt();
  }

  get acquireGlobal(): (() => Promise<void>) | undefined {
    return this.inner.acquireGlobal;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

process.on("message", (raw) => {
  const { id, message } = raw as { id: number; message: ReplicaCommand };
  const work = message.cmd === "start" ? start(message) : (running?.stop() ?? Promise.resolve(null));
  work.then(
    (result) => process.send?.({ id, result }),
    (error: unknown) => process.send?.({ id, error: String(error) }),
  );
});
process.send?.({ ready: true });
