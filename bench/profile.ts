// `npm run bench -- --profile`: a CPU profile (V8's sampling profiler, as --cpu-prof takes) of the
// measured part of one run, written next to the results, and what cost most in it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled time the process was not idle (ms). */
  busyMs: number;
  /** The five items with the most self time: a function (file:line), a package, or V8's own. */
  top: { item: string; ms: number; share: number }[];
}

/** Where a frame's code lives: a package by name, the project's files by path, V8's own by its name. */
function itemOf(frame: ProfileNode["callFrame"]): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url);
  if (inPackage) return `${inPackage[1]} (package)`;
  const path = frame.url.replace(/^file:\/\//, "").replace(/.*?\/(src|bench)\//, "$1/");
  return `${name} ${path}:${frame.lineNumber + 1}`;
}

export function summarize(profile: CpuProfile, file: string): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  for (const [index, id] of profile.samples.entries()) {
    const frame = nodes.get(id)?.callFrame;
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    if (!frame || frame.functionName === "(idle)") continue;
    busy += delta;
    const item = itemOf(frame);
    self.set(item, (self.get(item) ?? 0) + delta);
  }
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([item, ms]) => ({ item, ms, share: busy > 0 ? ms / busy : 0 }));
  return { file, busyMs: busy, top };
}

/** A profile written earlier (by this bench, or by `node --cpu-prof`), summarized the same way. */
export function summarizeFile(file: string): ProfileSummary {
  return summarize(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, relative(process.cwd(), file));
}

export class RunProfiler {
  readonly #session = new Session();

  async start(): Promise<void> {
    this.#session.connect();
    await this.#session.post("Profiler.enable");
    await this.#session.post("Profiler.setSamplingInterval", { interval: 500 });
    await this.#session.post("Profiler.start");
  }

  async stop(file: string): Promise<ProfileSummary> {
    const { profile } = (await this.#session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    this.#session.disconnect();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return summarize(profile, relative(process.cwd(), file));
  }
}

export function profileTable(summary: ProfileSummary): string {
  const rows = summary.top.map(
    (t, i) =>
      `| ${i + 1} | ${t.item.replaceAll("|", "\\|")} | ${t.ms.toFixed(0)} | ${(t.share * 100).toFixed(1)} % |`,
  );
  return ["| # | item (self time) | ms | share of busy time |", "|---|---|---|---|", ...rows].join("\n");
}
