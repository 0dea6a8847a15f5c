// Where a tracked task is on its way, as mjrelay_tracked_tasks reports it.
import { TRACKED_TASK_STATES, type TrackedTaskState } from "../metrics.js";
import type { TrackedTask } from "./store.js";
import { isQueuedStatus } from "./updater.js";

export function trackedTaskState(record: Pick<TrackedTask, "status" | "finishing">): TrackedTaskState {
  if ((record.finishing ?? null) !== null) return "finishing";
  if (isQueuedStatus(record.status)) return "queued";
  if (record.status === "MODAL") return "modal";
  return "in_progress";
}

export function countTrackedTasks(records: Iterable<TrackedTask>): Record<TrackedTaskState, number> {
  const counts = Object.fromEntries(TRACKED_TASK_STATES.map((state) => [state, 0])) as Record<
    TrackedTaskState,
    number
  >;
  for (const record of records) counts[trackedTaskState(record)] += 1;
  return counts;
}
