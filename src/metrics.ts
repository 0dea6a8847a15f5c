// The Prometheus metrics every part reports to, on a registry of their own per app instance (tests
// and the benchmark run several bots in one process; the global default registry would mix them).
// Label values are fixed names or templated routes only: never an id, a token, a prompt or a key.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** mjrelay_tracked_tasks's states; every one is reported, 0 included, so dashboards see them all. */
export const TRACKED_TASK_STATES = ["queued", "modal", "in_progress", "finishing"] as const;
export type TrackedTaskState = (typeof TRACKED_TASK_STATES)[number];

export interface Metrics {
  readonly registry: Registry;
  readonly upstreamRequests: Counter<"route" | "outcome">;
  readonly discordRequests: Counter<"route" | "status">;
  readonly editDelay: Histogram<never>;
  readonly callbacks: Counter<"outcome">;
  readonly submits: Counter<"kind" | "outcome">;
  readonly rateLimited: Counter<"scope">;
}

export interface MetricsOptions {
  /** Read on each scrape: how many tasks this process follows, by state. */
  trackedTasks: () => Record<TrackedTaskState, number>;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "mjrelay_tracked_tasks",
    help: "Tasks this process keeps live in Discord, by state (finishing: done upstream, last edit pending).",
    labelNames: ["state"],
    registers,
    collect() {
      const counts = options.trackedTasks();
      for (const state of TRACKED_TASK_STATES) this.set({ state }, counts[state]);
    },
  });
  return {
    registry,
    upstreamRequests: new Counter({
      name: "mjrelay_upstream_requests_total",
      help: "Requests to the MJ API, by route and outcome.",
      labelNames: ["route", "outcome"],
      registers,
    }),
    discordRequests: new Counter({
      name: "mjrelay_discord_requests_total",
      help: "REST requests to Discord, by method and templated route, and HTTP status.",
      labelNames: ["route", "status"],
      registers,
    }),
    editDelay: new Histogram({
      name: "mjrelay_edit_delay_seconds",
      help: "From learning of a task's new state (poll answer or callback) to Discord confirming the edit that shows it.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    callbacks: new Counter({
      name: "mjrelay_callbacks_total",
      help: "notifyHook callbacks received, by outcome.",
      labelNames: ["outcome"],
      registers,
    }),
    submits: new Counter({
      name: "mjrelay_submits_total",
      help: "Submits to the MJ API, by kind and outcome (from the submit result code).",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    rateLimited: new Counter({
      name: "mjrelay_rate_limited_total",
      help: "HTTP 429 answers from Discord, by scope (global, user, shared).",
      labelNames: ["scope"],
      registers,
    }),
  };
}
