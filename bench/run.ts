// `npm run bench`: drives mjrelay's real tracking code (store, registry, poller, updater, edit
// scheduler, webhook receiver, MJ client, discord.js REST) with N concurrent tasks against the fake
// MJ proxy and a rate-limited fake Discord (each in its own process), next to a naive baseline that
// GETs every task and PATCHes every message on every tick. Prints figures and ratios and writes
// them to bench/results.md. Figures, not pass/fail: nothing here asserts a timing.
import { execFileSync, fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, relative, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import { REST, Routes } from "discord.js";
import { RestMessageEditor } from "../src/discord/messages/messageEditor.js";
import { createLogger } from "../src/logger.js";
import { MjClient } from "../src/mj/client.js";
import { parseTask, type Task } from "../src/mj/schema.js";
import { renderTaskMessage } from "../src/render/renderTaskMessage.js";
import { EditScheduler, type InteractionReply } from "../src/tracking/editScheduler.js";
import { Poller } from "../src/tracking/poller.js";
import { TaskRegistry } from "../src/tracking/registry.js";
import { TaskUpdater } from "../src/tracking/updater.js";
import { botHookSecret, hookUrl } from "../src/webhook/hookSecrets.js";
import { WebhookServer } from "../src/webhook/server.js";
import { startRedis } from "../test/support/redis.js";
import { openTemporaryStore } from "../test/support/storeUrl.js";
import { BENCH_DIR, ChildRole } from "./childRole.js";
import type { DiscordReport, MjReport } from "./fakes.js";
import { type ProfileSummary, profileTable, RunProfiler, summarizeFile } from "./profile.js";
import type { ReplicaCommand, ReplicaReport, Sharing } from "./replica.js";

const POLL_INTERVAL_MS = 3000;
const STEP_MS = 6000;
/**
 * Before its measured part each run tracks WARM_UP_TASKS tasks of its own on a fast timeline, with
 * the very objects it then measures, and throws those figures away. A bot runs for days: the CPU
 * per tick that matters is its steady state, not the JIT compiling (and recompiling, as the types
 * it sees settle) the code a fresh process runs, which is more code for mjrelay than for the
 * baseline. `--cold` measures from a fresh process instead.
 */
const WARM_UP_TASKS = 300;
const WARM_UP_STEP_MS = 1000;
const WARM_UP_IDS = "17321";
const warmUp = !process.argv.includes("--cold");
const CHANNELS = 50;
const sizes = (process.argv.find((a) => a.startsWith("--sizes="))?.slice(8) ?? "100,1000,10000")
  .split(",")
  .map(Number);
const modes = (
  process.argv.find((a) => a.startsWith("--modes="))?.slice(8) ??
  "polling,callbacks,interactions,naive,two-process"
).split(",");
const logger = createLogger({ level: "silent", secrets: [] });
/**
 * --profile: a CPU profile of the largest polling run, and its top five items by self time. The
 * profiled run is one more run, after the table's: the profiler's own cost is in no figure.
 */
const profileRun = process.argv.includes("--profile");
const PROFILED = "--profiled-run";
const profiler = new RunProfiler();
let profile: ProfileSummary | undefined;

type Mode = "mjrelay, polling" | "mjrelay, callbacks" | "mjrelay, interactions" | "naive baseline";

interface Result {
  n: number;
  mode: Mode;
  seconds: number;
  ticks: number;
  finished: number;
  upstreamRequests: number;
  discordPatches: number;
  rateLimited: number;
  rateLimitedGlobal: number;
  visibleChanges: number;
  p50: number | null;
  p99: number | null;
  /** The process's CPU time over the run, per poll interval it lasted. */
  cpuMsPerTick: number;
  peakRssMb: number;
  editsPerSecond: number;
  callbacks: { delivered: number; failed: number; firstError?: string };
}

/** The fake MJ proxy and the fake Discord, each in its own process. */
class Fakes {
  readonly #mj = new ChildRole("mj");
  readonly #discord = new ChildRole("discord");

  async start(): Promise<{ apiUrl: string; token: string; mjUrl: string; apiKey: string }> {
    const [discord, mj] = await Promise.all([
      this.#discord.call<{ apiUrl: string; token: string }>({ cmd: "start" }),
      this.#mj.call<{ mjUrl: string; apiKey: string }>({ cmd: "start" }),
    ]);
    return { ...discord, ...mj };
  }

  /** N tasks on their timelines upstream, each shown by one message. */
  async seed(
    n: number,
    options: {
      notifyHook?: string;
      interactions?: boolean;
      channels?: number;
      stepMs?: number;
      /** The first digits of the task ids (the warm-up's differ from the measured tasks'). */
      ids?: string;
    } = {},
  ): Promise<SeededTask[]> {
    const {
      notifyHook,
      interactions = false,
      channels = CHANNELS,
      stepMs = STEP_MS,
      ids = "17320",
    } = options;
    const taskIds = Array.from({ length: n }, (_, i) => `${ids}${String(i).padStart(11, "0")}`);
    const command = { cmd: "seed", taskIds, channels, stepMs } as const;
    const messages = await this.#discord.call<
      { channelId: string; messageId: string; interaction?: InteractionReply }[]
    >({ ...command, interactions });
    const tasks = await this.#mj.call<unknown[]>({ ...command, ...(notifyHook ? { notifyHook } : {}) });
    return taskIds.map((taskId, i) => ({ taskId, task: tasks[i], ...(messages[i] as (typeof messages)[0]) }));
  }

  /** Tasks whose final state reached Discord. */
  async finished(): Promise<number> {
    return (await this.#discord.call<{ done: number }>({ cmd: "progress" })).done;
  }

  async report(): Promise<Report> {
    const { firstSeen, ...mj } = await this.#mj.call<MjReport>({ cmd: "report" });
    const discord = await this.#discord.call<DiscordReport>({ cmd: "report", firstSeen });
    return { ...mj, ...discord };
  }

  async stop(): Promise<void> {
    await Promise.all([this.#mj.stop(), this.#discord.stop()]);
  }
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

/** Samples RSS while `work` runs. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; peakRssMb: number; cpuMs: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const cpu = process.cpuUsage();
  try {
    const value = await work();
    const used = process.cpuUsage(cpu);
    return { value, peakRssMb: peak / 1024 / 1024, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    clearInterval(sampler);
  }
}

/** How long a run on a timeline of `stepMs` steps may last: its five steps, spread starts, slack. */
function runCapMs(stepMs: number): number {
  return 8 * stepMs + 60_000;
}

/** Waits until the latest seed's N tasks show their final state, or the run's cap is reached. */
async function waitUntilDone(
  fakes: Fakes,
  n: number,
  stepMs = STEP_MS,
): Promise<{ finished: number; ms: number }> {
  const capMs = runCapMs(stepMs);
  const started = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const done = await fakes.finished();
    if (done >= n || Date.now() - started > capMs) return { finished: done, ms: Date.now() - started };
  }
}

async function runMjrelay(n: number, how: "polling" | "callbacks" | "interactions"): Promise<Result> {
  const callbacks = how === "callbacks";
  const fakes = new Fakes();
  const env = await fakes.start();
  const scratch = await openTemporaryStore("mjrelay-bench-");
  const { store } = scratch;
  const rest = new REST({ api: env.apiUrl }).setToken(env.token);
  const mj = new MjClient({ baseUrl: env.mjUrl, apiKey: env.apiKey, authStyle: "bearer", timeoutMs: 30_000 });
  const registry = new TaskRegistry(store);
  const editor = new RestMessageEditor({ rest, apiUrl: env.apiUrl, token: env.token });
  const edits = new EditScheduler({ editor, logger });
  const updater = new TaskUpdater({ registry, edits, logger, maxAgeMs: 24 * 3600_000 });
  let ticks = 0;
  class CountingPoller extends Poller {
    override tick(): Promise<void> {
      ticks += 1;
      return super.tick();
    }
  }
  const poller = new CountingPoller({ registry, updater, mj, logger, intervalMs: POLL_INTERVAL_MS });
  const webhook = new WebhookServer({
    host: "127.0.0.1",
    port: 0,
    store,
    logger,
    isDiscordReady: () => true,
    onCallback: (_target, task) => updater.onTaskUpdate(task, "callback"),
  });
  const port = await webhook.start();
  const notifyHook = callbacks ? hookUrl(`http://127.0.0.1:${port}`, await botHookSecret(store)) : undefined;
  const seedOptions = { ...(notifyHook ? { notifyHook } : {}), interactions: how === "interactions" };

  if (warmUp) {
    await attachSeeded(fakes, updater, WARM_UP_TASKS, {
      ...seedOptions,
      stepMs: WARM_UP_STEP_MS,
      ids: WARM_UP_IDS,
    });
    poller.start();
    await waitUntilDone(fakes, WARM_UP_TASKS, WARM_UP_STEP_MS);
    await poller.stop();
    await edits.drain(5000);
    ticks = 0;
  }
  await attachSeeded(fakes, updater, n, seedOptions);

  const profiled = process.argv.includes(PROFILED);
  if (profiled) await profiler.start();
  const run = await measured(async () => {
    poller.start();
    return waitUntilDone(fakes, n);
  });
  if (profiled) profile = await profiler.stop(join(BENCH_DIR, ".tmp", `polling-${n}.cpuprofile`));
  await poller.stop();
  await edits.drain(5000);
  const report = await fakes.report();
  await webhook.stop();
  await editor.close();
  await mj.close();
  await scratch.close();
  await fakes.stop();
  return toResult(n, `mjrelay, ${how}`, run, report, ticks);
}

interface SeededTask {
  taskId: string;
  channelId: string;
  messageId: string;
  interaction?: InteractionReply;
  task: unknown;
}

/** Has the fakes post N messages and tracks them; the seed data is not kept (its memory is not the tracker's). */
async function attachSeeded(
  fakes: Fakes,
  updater: TaskUpdater,
  n: number,
  options: { notifyHook?: string; interactions?: boolean; stepMs?: number; ids?: string },
): Promise<void> {
  const seeded = await fakes.seed(n, options);
  for (const s of seeded) {
    const task = parseTask(s.task) as Task;
    await updater.attach(task, {
      messageId: s.messageId,
      channelId: s.channelId,
      guildId: null,
      requesterId: null,
      fingerprint: renderTaskMessage(task, { locale: "en" }).fingerprint,
      createdAt: Date.now(),
      ...(s.interaction ? { interaction: s.interaction } : {}),
    });
  }
}

type Report = Omit<MjReport, "firstSeen"> & DiscordReport;

/** What the fake Discord saw of the edits: how many, their 429s, how fast, how late. */
function discordFigures(report: DiscordReport) {
  const patchSeconds = Math.max(1, (report.lastPatchAt - report.firstPatchAt) / 1000);
  return {
    discordPatches: report.discordPatches,
    rateLimited: report.rateLimited,
    rateLimitedGlobal: report.rateLimitedGlobal,
    p50: percentile(report.latencies, 50),
    p99: percentile(report.latencies, 99),
    editsPerSecond: report.discordPatches / patchSeconds,
  };
}

function toResult(
  n: number,
  mode: Mode,
  run: { value: { finished: number; ms: number }; peakRssMb: number; cpuMs: number },
  report: Report,
  ticks: number,
): Result {
  return {
    n,
    mode,
    seconds: run.value.ms / 1000,
    ticks,
    finished: run.value.finished,
    upstreamRequests: report.upstreamRequests,
    ...discordFigures(report),
    visibleChanges: report.visibleChanges,
    cpuMsPerTick: run.cpuMs / (run.value.ms / POLL_INTERVAL_MS),
    peakRssMb: run.peakRssMb,
    callbacks: {
      delivered: report.callbacksDelivered,
      failed: report.callbacksFailed,
      ...(report.callbackError === undefined ? {} : { firstError: report.callbackError }),
    },
  };
}

/** One GET per task and one PATCH per task on every tick; ticks run back to back at most every interval. */
async function runNaive(n: number): Promise<Result> {
  const fakes = new Fakes();
  const env = await fakes.start();
  const rest = new REST({ api: env.apiUrl }).setToken(env.token);
  const mj = new MjClient({ baseUrl: env.mjUrl, apiKey: env.apiKey, authStyle: "bearer", timeoutMs: 30_000 });
  let ticks = 0;
  /** Loops over the seeded tasks until stopped; stopping waits for the tick under way (at most 2 s). */
  const naiveLoop = (seeded: SeededTask[]) => {
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const started = Date.now();
        ticks += 1;
        await Promise.allSettled(
          seeded.map(async (s) => {
            const task = await mj.fetchTask(s.taskId);
            if (stopped) return;
            await rest.patch(Routes.channelMessage(s.channelId, s.messageId), {
              body: { ...renderTaskMessage(task, { locale: "en" }).payload, allowed_mentions: { parse: [] } },
            });
          }),
        );
        if (stopped) break;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, POLL_INTERVAL_MS - (Date.now() - started))),
        );
      }
    })();
    return async () => {
      stopped = true;
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 2000))]);
    };
  };
  if (warmUp) {
    const stop = naiveLoop(await fakes.seed(WARM_UP_TASKS, { stepMs: WARM_UP_STEP_MS, ids: WARM_UP_IDS }));
    await waitUntilDone(fakes, WARM_UP_TASKS, WARM_UP_STEP_MS);
    await stop();
    ticks = 0;
  }
  const stop = naiveLoop(await fakes.seed(n));
  const run = await measured(() => waitUntilDone(fakes, n));
  const stopping = stop();
  const report = await fakes.report();
  await fakes.stop();
  await stopping;
  await mj.close().catch(() => undefined);
  return toResult(n, "naive baseline", run, report, ticks);
}

/** Channels of the two-process run: enough that channel buckets do not cap the bot below its global limit. */
const TWO_PROCESS_CHANNELS = 250;

interface TwoProcessResult {
  n: number;
  sharing: Sharing;
  /** Tasks of the first process, out of ten (5: half each; 9: one busy process, one quiet). */
  tenths: number;
  seconds: number;
  finished: number;
  discordPatches: number;
  rateLimited: number;
  rateLimitedGlobal: number;
  p50: number | null;
  p99: number | null;
  editsPerSecond: number;
  cpuMsPerTick: number;
  /** Per channel-route edit, from its payload being made to its request starting (both processes). */
  budgetWait: { p50: number | null; p99: number | null; mean: number | null };
}

/**
 * Two tracker processes of one bot against one fake Discord, the first with `tenths` of ten tasks:
 * without sharing (each paces itself at 46/s), and drawing from one budget in Redis both ways.
 */
async function runTwoProcesses(
  n: number,
  sharing: Sharing,
  tenths: number,
  redisUrl: string,
): Promise<TwoProcessResult> {
  const fakes = new Fakes();
  const env = await fakes.start();
  const seeded = await fakes.seed(n, { channels: TWO_PROCESS_CHANNELS });
  const replicas = [new ChildRole<ReplicaCommand>("replica"), new ChildRole<ReplicaCommand>("replica")];
  await Promise.all(
    replicas.map((replica, index) =>
      replica.call({
        cmd: "start",
        ...env,
        redisUrl,
        sharing,
        pollIntervalMs: POLL_INTERVAL_MS,
        tasks: seeded.filter((_, i) => (i % 10 < tenths ? 0 : 1) === index),
      }),
    ),
  );
  const run = await waitUntilDone(fakes, n);
  const stopped = await Promise.all(replicas.map((replica) => replica.call<ReplicaReport>({ cmd: "stop" })));
  const waits = stopped.flatMap((r) => r.budgetWaitsMs);
  for (const replica of replicas) replica.kill();
  const report = await fakes.report();
  await fakes.stop();
  return {
    n,
    sharing,
    tenths,
    seconds: run.ms / 1000,
    finished: run.finished,
    ...discordFigures(report),
    cpuMsPerTick: stopped.reduce((sum, r) => sum + r.cpuMs, 0) / (run.ms / POLL_INTERVAL_MS),
    budgetWait: {
      p50: percentile(waits, 50),
      p99: percentile(waits, 99),
      mean: waits.length > 0 ? waits.reduce((sum, w) => sum + w, 0) / waits.length : null,
    },
  };
}

function twoProcessTable(rows: TwoProcessResult[]): string {
  const head =
    "| N | tasks per process | global limit shared | finished | run (s) | Discord edits | 429s (global) | change→edit p50 (ms) | p99 (ms) | edits/s | wait for the budget: mean (ms) | p50 (ms) | p99 (ms) | CPU ms/tick (both) |";
  const rule = "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
  const lines = rows.map((r) =>
    [
      r.n,
      `${(r.n * r.tenths) / 10} + ${(r.n * (10 - r.tenths)) / 10}`,
      r.sharing === "none" ? "no (each process 46/s)" : r.sharing,
      `${r.finished}/${r.n}`,
      fmt(r.seconds, 1),
      r.discordPatches,
      `${r.rateLimited} (${r.rateLimitedGlobal})`,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.editsPerSecond, 1),
      fmt(r.budgetWait.mean),
      fmt(r.budgetWait.p50),
      fmt(r.budgetWait.p99),
      fmt(r.cpuMsPerTick, 1),
    ].join(" | "),
  );
  return [head, rule, ...lines.map((line) => `| ${line} |`)].join("\n");
}

/**
 * Which sharing scheme kept the bot at 0 global 429s with the least waiting for the budget, for
 * each split of the tasks between the processes.
 */
function sharingVerdict(rows: TwoProcessResult[]): string {
  const splits = [...new Set(rows.map((r) => r.tenths))];
  return splits
    .map((tenths) => {
      const split = rows.filter((r) => r.tenths === tenths && r.sharing !== "none");
      const label = tenths === 5 ? "Half the tasks each" : `${tenths * 10} % of the tasks on one process`;
      const best = split
        .filter((r) => r.rateLimitedGlobal === 0 && r.budgetWait.mean !== null)
        .sort((a, b) => (a.budgetWait.mean ?? 0) - (b.budgetWait.mean ?? 0))[0];
      if (!best) return `${label}: no sharing scheme held 0 global 429s.`;
      const others = split
        .filter((r) => r !== best)
        .map(
          (r) =>
            `${r.sharing}: ${r.rateLimitedGlobal} global 429s, ${fmt(r.budgetWait.mean)} ms mean wait, ${fmt(r.seconds, 1)} s`,
        );
      return `${label}: least waiting with 0 global 429s: ${best.sharing} (${fmt(best.budgetWait.mean)} ms mean wait, done in ${fmt(best.seconds, 1)} s${others.length > 0 ? `; ${others.join("; ")}` : ""}).`;
    })
    .join("\n");
}

/**
 * Lays the file's tables out as the project's formatter does (biome), so `npm run lint` stays
 * clean after a run; without biome (a trimmed install) the file stays as written.
 */
function formatMarkdown(file: string): void {
  try {
    execFileSync(process.execPath, [biomeBin(), "format", "--write", file], { stdio: "ignore" });
  } catch {
    process.stdout.write(
      `(not formatted: run \`npm run format\` before committing ${relative(process.cwd(), file)})\n`,
    );
  }
}

function biomeBin(): string {
  return join(dirname(BENCH_DIR), "node_modules", "@biomejs", "biome", "bin", "biome");
}

function fmt(value: number | null, digits = 0): string {
  return value === null || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

function table(results: Result[]): string {
  const head =
    "| N | mode | finished | run (s) | upstream req/tick | Discord req/task | Discord req/visible change | 429s (global) | change→edit p50 (ms) | p99 (ms) | edits/s | CPU ms/tick | peak RSS (MB) |";
  const rule = "|---|---|---|---|---|---|---|---|---|---|---|---|---|";
  const rows = results.map((r) =>
    [
      r.n,
      r.mode,
      `${r.finished}/${r.n}`,
      fmt(r.seconds, 1),
      fmt(r.ticks > 0 ? r.upstreamRequests / r.ticks : null, 1),
      fmt(r.discordPatches / r.n, 2),
      fmt(r.visibleChanges > 0 ? r.discordPatches / r.visibleChanges : null, 2),
      `${r.rateLimited} (${r.rateLimitedGlobal})`,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.editsPerSecond, 1),
      fmt(r.cpuMsPerTick, 1),
      fmt(r.peakRssMb),
    ].join(" | "),
  );
  return [head, rule, ...rows.map((row) => `| ${row} |`)].join("\n");
}

/** (peak RSS at the largest N − peak RSS at the smallest) / the tasks between, from the polling rows. */
function kbPerTask(results: Result[]): { kb: number; from: Result; to: Result } | undefined {
  const polling = results.filter((r) => r.mode === "mjrelay, polling").sort((a, b) => a.n - b.n);
  const from = polling[0];
  const to = polling.at(-1);
  if (!from || !to || to.n === from.n) return undefined;
  return { kb: ((to.peakRssMb - from.peakRssMb) * 1024) / (to.n - from.n), from, to };
}

/** The issue's targets next to what this run measured. */
function targets(results: Result[], twoProcessRows: TwoProcessResult[]): string {
  const lines = ["| target | measured | met |", "|---|---|---|"];
  const row = (target: string, measured: string, met: boolean | undefined) =>
    lines.push(`| ${target} | ${measured} | ${met === undefined ? "–" : met ? "yes" : "no"} |`);
  for (const n of sizes) {
    const ours = results.find((r) => r.n === n && r.mode === "mjrelay, polling");
    const naive = results.find((r) => r.n === n && r.mode === "naive baseline");
    if (!ours || !naive || n < 1000) continue;
    const ratio = ours.cpuMsPerTick / naive.cpuMsPerTick;
    row(
      `CPU per tick at N = ${n} at most half the naive baseline's`,
      `${fmt(ours.cpuMsPerTick, 1)} vs ${fmt(naive.cpuMsPerTick, 1)} ms/tick (${fmt(ratio, 2)}×)`,
      ratio <= 0.5,
    );
  }
  const interactions = results.filter((r) => r.mode === "mjrelay, interactions").sort((a, b) => b.n - a.n)[0];
  if (interactions) {
    row(
      `interactions mode at ${interactions.n === 10000 ? "10,000" : interactions.n} tasks: ≥ 150 edits/s, 0 429s`,
      `${fmt(interactions.editsPerSecond, 1)} edits/s, ${interactions.rateLimited} 429s`,
      interactions.editsPerSecond >= 150 && interactions.rateLimited === 0,
    );
  }
  const shared = twoProcessRows.filter((r) => r.sharing !== "none");
  if (shared.length > 0) {
    const best = Math.min(...shared.map((r) => r.rateLimitedGlobal));
    row("two processes sharing Redis: 0 global 429s", `${best} (best scheme)`, best === 0);
  }
  const memory = kbPerTask(results);
  if (memory) {
    row(
      `RSS per tracked task ≤ 2 KB ((peak RSS at ${memory.to.n} − at ${memory.from.n}) / ${memory.to.n - memory.from.n})`,
      `${fmt(memory.kb, 2)} KB/task (${fmt(memory.to.peakRssMb)} − ${fmt(memory.from.peakRssMb)} MB)`,
      memory.kb <= 2,
    );
  }
  return lines.length > 2 ? lines.join("\n") : "";
}

function ratios(results: Result[]): string {
  const lines = [
    "| N | upstream req/tick (naive ÷ mjrelay) | Discord req/task (naive ÷ mjrelay) | 429s (naive vs mjrelay) |",
    "|---|---|---|---|",
  ];
  for (const n of sizes) {
    const ours = results.find((r) => r.n === n && r.mode === "mjrelay, polling");
    const naive = results.find((r) => r.n === n && r.mode === "naive baseline");
    if (!ours || !naive) continue;
    const perTick = (r: Result) => (r.ticks > 0 ? r.upstreamRequests / r.ticks : Number.NaN);
    lines.push(
      `| ${n} | ${fmt(perTick(naive) / perTick(ours), 0)}× | ${fmt(naive.discordPatches / Math.max(1, ours.discordPatches), 1)}× | ${naive.rateLimited} vs ${ours.rateLimited} |`,
    );
  }
  return lines.join("\n");
}

const MODES = ["mjrelay, polling", "mjrelay, callbacks", "mjrelay, interactions", "naive baseline"] as const;

/** What a run's own process reports back. */
interface RunReport {
  result: Result;
  profile?: ProfileSummary;
}

function runInThisProcess(n: number, mode: Mode): Promise<Result> {
  if (mode === "naive baseline") return runNaive(n);
  return runMjrelay(
    n,
    mode === "mjrelay, callbacks"
      ? "callbacks"
      : mode === "mjrelay, interactions"
        ? "interactions"
        : "polling",
  );
}

/**
 * Each run in a process of its own, started with this one's flags: one run's JIT warm-up (the
 * code mjrelay and the baseline share, undici and the renderer, is compiled by whichever runs
 * first) and its heap never count in another's CPU or RSS.
 */
function runInItsOwnProcess(n: number, mode: Mode, profiled = false): Promise<RunReport> {
  const args = [...process.argv.slice(2), `--run=${n}:${mode}`, ...(profiled ? [PROFILED] : [])];
  const child = fork(fileURLToPath(import.meta.url), args, {
    execArgv: process.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let report: RunReport | undefined;
    child.on("message", (message: RunReport) => {
      report = message;
    });
    child.on("exit", (code) =>
      report
        ? resolve(report)
        : reject(new Error(`the run N=${n}, ${mode} ended without a report (exit ${code})`)),
    );
  });
}

const single = process.argv.find((a) => a.startsWith("--run="))?.slice(6);
if (single !== undefined) {
  const [n, mode] = [
    Number(single.slice(0, single.indexOf(":"))),
    single.slice(single.indexOf(":") + 1) as Mode,
  ];
  const result = await runInThisProcess(n, mode);
  const report = { result, ...(profile ? { profile } : {}) } satisfies RunReport;
  // Started by hand (no parent to report to), one run prints its figures.
  if (process.send) process.send(report, () => process.exit(0));
  // (Edits that Discord, gone with its fake, never answered would keep retrying for minutes.)
  else process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => process.exit(0));
} else {
  await main();
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const n of sizes) {
    for (const mode of MODES) {
      if (!modes.some((wanted) => mode.includes(wanted))) continue;
      process.stdout.write(`N=${n}, ${mode}… `);
      const report = await runInItsOwnProcess(n, mode);
      const result = report.result;
      if (report.profile) profile = report.profile;
      results.push(result);
      process.stdout.write(
        `done in ${result.seconds.toFixed(1)} s (${result.finished}/${n} finished, ${result.rateLimited} 429s, ${result.rateLimitedGlobal} of them global)\n`,
      );
      const { delivered, failed, firstError } = result.callbacks;
      if (delivered + failed > 0) {
        process.stdout.write(
          `  callbacks: ${delivered} delivered, ${failed} failed${firstError ? ` (first: ${firstError})` : ""}\n`,
        );
      }
    }
  }

  if (profileRun) {
    const n = Math.max(...sizes);
    process.stdout.write(`N=${n}, mjrelay, polling, profiled (not in the table)… `);
    profile = (await runInItsOwnProcess(n, "mjrelay, polling", true)).profile;
    process.stdout.write("done\n");
  }

  const twoProcessSize = Number(
    process.argv.find((a) => a.startsWith("--two-process="))?.slice(14) ??
      (modes.includes("two-process") ? 2000 : 0),
  );
  const twoProcess: TwoProcessResult[] = [];
  if (twoProcessSize > 0) {
    const redis = await startRedis();
    try {
      // Half the tasks each, then one busy process and one quiet (shards are rarely even): the
      // schemes differ in what a process may use of the budget another leaves.
      const runs = [
        ...(["none", "token bucket", "fixed share"] as const).map((sharing) => ({ sharing, tenths: 5 })),
        ...(["token bucket", "fixed share"] as const).map((sharing) => ({ sharing, tenths: 9 })),
      ];
      for (const { sharing, tenths } of runs) {
        const split = `${(twoProcessSize * tenths) / 10} + ${(twoProcessSize * (10 - tenths)) / 10} tasks`;
        process.stdout.write(
          `N=${twoProcessSize} (${split}), two processes, global limit shared: ${sharing}… `,
        );
        // Each run on a fresh database: the budget and the process list start empty.
        const row = await runTwoProcesses(
          twoProcessSize,
          sharing,
          tenths,
          `${redis.url}/${twoProcess.length + 1}`,
        );
        twoProcess.push(row);
        process.stdout.write(`done in ${row.seconds.toFixed(1)} s (${row.rateLimitedGlobal} global 429s)\n`);
      }
    } finally {
      await redis.stop();
    }
  }

  const memory = kbPerTask(results);
  const beforeFile = process.argv.find((a) => a.startsWith("--profile-before="))?.slice(17);
  const before = beforeFile === undefined ? undefined : summarizeFile(beforeFile);
  const profiles = [
    before === undefined
      ? ""
      : `CPU profile BEFORE (${before.file}, given with --profile-before: a run of the tracker as it was, profiled
as a whole process, seeding included), ${before.busyMs.toFixed(0)} ms busy; the top five items by self time:

${profileTable(before)}`,
    profile === undefined
      ? ""
      : `CPU profile of one more N=${Math.max(...sizes)} polling run, apart from the table's (its measured part, sampled every 0.5 ms; ${profile.file}),
${profile.busyMs.toFixed(0)} ms busy; the top five items by self time:

${profileTable(profile)}`,
  ].filter(Boolean);
  /** What both the terminal and bench/results.md show, after the setup text. */
  const figures = [
    table(results),
    `Ratios:\n\n${ratios(results)}`,
    memory === undefined
      ? ""
      : `Memory: (peak RSS at N = ${memory.to.n} − peak RSS at N = ${memory.from.n}) / ${memory.to.n - memory.from.n} = ${fmt(memory.kb, 2)} KB per tracked task (polling rows).`,
    twoProcess.length === 0
      ? ""
      : `Two tracker processes of one bot (${twoProcessSize} tasks, split as the table says, over ${TWO_PROCESS_CHANNELS} channels so that channel
buckets allow more than the global limit), one fake Discord, one redis-server. "Wait for the budget" =
per channel-route edit, from its payload being made to its request starting (the pacing, and the
shared bucket's answer when there is one):

${twoProcessTable(twoProcess)}

${sharingVerdict(twoProcess)}`,
    ...profiles,
    targets(results, twoProcess) === "" ? "" : `The issue's targets:\n\n${targets(results, twoProcess)}`,
  ].filter(Boolean);

  const markdown = `# mjrelay benchmark

Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version} (flags: ${process.execArgv.join(" ") || "none"}), ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "unknown"}).

Setup: N tasks over ${CHANNELS} channels, each queued, then 0% → 25% → 50% → 75% → success with buttons, one
step every ${STEP_MS / 1000} s (starts spread over one step). Poll interval ${POLL_INTERVAL_MS / 1000} s. Fake Discord with
per-route buckets of 5 requests per 5 s and a global limit of 50 requests per second; fake MJ with
list-by-condition. Each fake runs in its own process (they are different services), so CPU and RSS
are the tracker's own and the fake MJ's callback traffic does not stall the fake Discord. Each run
(one N, one mode) has a process of its own, so no run's JIT warm-up or heap counts in another's.
"Visible change" = a task state that renders differently; "change→edit" = from the moment upstream
changed to the moment the PATCH reached Discord (only for states that were sent; older states that a
newer one replaced are not sent at all). The naive baseline GETs every task and PATCHes every
message each tick, with no batching, comparison or coalescing. Runs stop when every final state has
reached Discord, or after ${runCapMs(STEP_MS) / 1000} s. "CPU ms/tick" = the tracker process's CPU time
over the run (polls, callbacks, rendering, edits, GC) per ${POLL_INTERVAL_MS / 1000} s poll interval, ${
    warmUp
      ? `after a warm-up: each run first tracks ${WARM_UP_TASKS} tasks of its own on a ${WARM_UP_STEP_MS / 1000} s timeline with the same objects, not measured, so the figures are a running bot's, not a fresh process's JIT compiling`
      : "from a fresh process (--cold: the JIT compiling the code is in the figures)"
  }. "429s (global)" = 429 answers
received, and how many of them were for the global limit. In the interactions mode every message
is a slash command's reply, edited through its interaction token.

${figures.join("\n\n")}
`;
  const output = process.argv.find((a) => a.startsWith("--out="))?.slice(6) ?? "results.md";
  const written = resolvePath(BENCH_DIR, output);
  writeFileSync(written, markdown);
  formatMarkdown(written);
  process.stdout.write(`\n${figures.join("\n\n")}\n\nWritten to ${relative(process.cwd(), written)}\n`);
  process.exit(0);
}
